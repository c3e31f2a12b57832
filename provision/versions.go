package provision

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"deskphone/provision/flash"
)

// versionsFile keeps the VERSION of each Avaya section last installed,
// one "SECTION version" a line, so DOWNLOAD_MODE AUTO fetches only a
// higher one.
const versionsFile = "provision.versions"

func loadVersions(dir string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, versionsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", versionsFile, err)
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			return nil, fmt.Errorf("load %s: bad line", versionsFile)
		}
		m[f[0]] = f[1]
	}
	return m, sc.Err()
}

func saveVersions(dir string, m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %s\n", k, m[k])
	}
	return flash.WriteFile(dir, versionsFile, b.Bytes())
}
