package provision

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"deskphone/provision/flash"
)

// Permission kinds of provisioned settings (from Snom's perm flags).
const (
	PermWritable = "rw"   // provisioned; a user may change it until the next provisioning
	PermReadOnly = "ro"   // provisioned; the user may not change it
	PermKeepUser = "keep" // provisioned as a default; a user's change survives provisioning
)

// permFile holds the per-setting records in the data directory.
const permFile = "provision.perm"

// PermRecord is what provisioning last did to one setting: the perm kind
// and a SHA-256 of the value it set (a hash, so a secret is not kept twice
// in flash). A current value that differs from that hash was changed by
// the user since.
type PermRecord struct {
	Perm string
	Hash string // hex SHA-256 of the provisioned value
}

// PermRecords are the records of every provisioned setting, by canonical
// name.
type PermRecords map[string]PermRecord

func valueHash(v string) string {
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:])
}

// LoadPermRecords reads the records from the data directory; none is an
// empty set.
func LoadPermRecords(dir string) (PermRecords, error) {
	data, err := os.ReadFile(filepath.Join(dir, permFile))
	if errors.Is(err, fs.ErrNotExist) {
		return PermRecords{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", permFile, err)
	}
	return parsePermRecords(data)
}

func parsePermRecords(data []byte) (PermRecords, error) {
	r := PermRecords{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		f := strings.Fields(sc.Text())
		if len(f) != 3 || (f[1] != PermWritable && f[1] != PermReadOnly && f[1] != PermKeepUser) || len(f[2]) != 64 {
			return nil, fmt.Errorf("%s:%d: bad record", permFile, n)
		}
		r[f[0]] = PermRecord{Perm: f[1], Hash: f[2]}
	}
	return r, sc.Err()
}

// Save writes the records atomically.
func (r PermRecords) Save(dir string) error {
	names := make([]string, 0, len(r))
	for n := range r {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s %s\n", n, r[n].Perm, r[n].Hash)
	}
	return flash.WriteFile(dir, permFile, b.Bytes())
}

// ReadOnly says whether provisioning made the setting read-only for the
// user (the keypad and web pages should refuse to change it).
func (r PermRecords) ReadOnly(name string) bool {
	return r[name].Perm == PermReadOnly
}

// userChanged says whether the current value of a setting was set by the
// user rather than by provisioning: it differs from what provisioning last
// set or, if provisioning never set it, from the default.
func (r PermRecords) userChanged(name, current, def string) bool {
	rec, ok := r[name]
	if !ok {
		return current != def
	}
	return valueHash(current) != rec.Hash
}
