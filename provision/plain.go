package provision

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Assignment is one "name = value" line of a settings file.
type Assignment struct {
	Line  int
	Name  string
	Value string
}

// maxPlainLine bounds one line of a plain settings file.
const maxPlainLine = 4096

// ParsePlain reads the phone's own settings file: one "name = value" per line,
// where name is a setting's canonical name or one of its vendor names (Htek
// P-code, Snom name, Avaya keyword); "#" starts a comment line; a value may be
// double-quoted (Go syntax) to keep spaces or an empty string. name is the
// file's name, used in errors. It checks the syntax only: the caller resolves
// and validates the names and values, so an error there can name the line.
func ParsePlain(name string, data []byte) ([]Assignment, error) {
	var out []Assignment
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 256), maxPlainLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want name = value, got %q", name, n, clip(line))
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if key == "" || strings.ContainsAny(key, " \t\"") {
			return nil, fmt.Errorf("%s:%d: bad setting name %q", name, n, clip(key))
		}
		if strings.HasPrefix(value, `"`) {
			v, err := strconv.Unquote(value)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: bad quoted value", name, n, key)
			}
			value = v
		}
		out = append(out, Assignment{Line: n, Name: key, Value: value})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	return out, nil
}

// clip shortens what an error quotes from a file.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
