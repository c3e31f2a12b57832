package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// slotNames are the two slot files in the data directory.
var slotNames = [2]string{"settings.a", "settings.b"}

// Store is the phone's settings, loaded from and persisted to its flash.
// It is safe for concurrent use.
type Store struct {
	dir string

	writeMu sync.Mutex // serializes changes: validate, persist, publish

	mu   sync.RWMutex
	vals map[string]string // every setting, by canonical name
	gen  uint64            // generation of the copy on flash; 0 = none written
	cur  int               // index in slotNames of that copy; -1 = none

	loaded LoadInfo
	watch  watchers
}

// LoadInfo says what Open found in the flash.
type LoadInfo struct {
	Generation uint64 // generation loaded; 0 = none, the defaults
	Slot       string // file loaded ("settings.a"); "" = the defaults
	// Fresh is true when no slot file existed: a factory-fresh flash.
	Fresh bool
	// Refused says, per slot file that exists but was not used, why (a
	// corrupted or torn file, or an older generation is not listed).
	Refused []string
	// Dropped lists stored values that the schema no longer accepts (an
	// unknown name, or a value now invalid); those settings have their
	// defaults. The texts never quote a secret.
	Dropped []string
}

// Open loads the settings from the data directory dir: the newest slot
// whose checksum verifies, or the defaults when there is none (see Loaded
// and Recovery). The directory is created at the first write if needed.
func Open(dir string) (*Store, error) {
	s := &Store{dir: dir, vals: Defaults(), cur: -1}
	var (
		got     [2]*slot
		reasons [2]string
		exists  int
	)
	for i, name := range slotNames {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		exists++
		if err != nil {
			// An unreadable flash is not a corrupted copy: do not paper
			// over it with the defaults.
			return nil, fmt.Errorf("load settings %s: %w", filepath.Join(dir, name), err)
		}
		sl, err := parseSlot(data)
		if err != nil {
			reasons[i] = fmt.Sprintf("%s refused: %v", name, err)
			continue
		}
		got[i] = &sl
	}
	best := -1
	for i := range got {
		if got[i] != nil && (best < 0 || got[i].gen > got[best].gen) {
			best = i
		}
	}
	info := LoadInfo{Fresh: exists == 0}
	for i := range reasons {
		if reasons[i] != "" {
			info.Refused = append(info.Refused, reasons[i])
		}
	}
	if best >= 0 {
		s.gen, s.cur = got[best].gen, best
		info.Generation, info.Slot = got[best].gen, slotNames[best]
		info.Dropped = s.merge(got[best].vals)
	}
	s.loaded = info
	// A writer killed mid-write leaves its temporary file behind; it is
	// not removed here (another process may be writing it): the next
	// write truncates it.
	return s, nil
}

// merge puts stored values over the defaults, dropping what the schema
// refuses, and returns what it dropped.
func (s *Store) merge(stored map[string]string) []string {
	var dropped []string
	for name, v := range stored {
		d, ok := Lookup(name)
		if !ok || d.Name != name {
			dropped = append(dropped, fmt.Sprintf("unknown setting %q ignored", clip(name)))
			continue
		}
		nv, err := d.Normalize(v)
		if err != nil {
			dropped = append(dropped, err.Error()+"; default kept")
			continue
		}
		s.vals[name] = nv
	}
	sort.Strings(dropped)
	return dropped
}

// Loaded says what Open loaded and what it refused.
func (s *Store) Loaded() LoadInfo {
	return s.loaded
}

// Fresh says whether Open found a factory-fresh flash (no slot file at all;
// corrupted files are not fresh: see Recovery).
func (s *Store) Fresh() bool {
	return s.loaded.Fresh
}

// Recovery is a sentence for the log when Open had to recover: which copy
// it loaded and why another was refused, or that it started from the
// defaults because no copy was valid. It is "" when the flash was in order.
func (s *Store) Recovery() string {
	l := s.loaded
	var parts []string
	switch {
	case len(l.Refused) > 0 && l.Slot != "":
		parts = append(parts, fmt.Sprintf("loaded generation %d from %s; %s",
			l.Generation, l.Slot, strings.Join(l.Refused, "; ")))
	case len(l.Refused) > 0:
		parts = append(parts, fmt.Sprintf("no valid settings copy (%s): starting from the defaults",
			strings.Join(l.Refused, "; ")))
	}
	if len(l.Dropped) > 0 {
		parts = append(parts, "dropped: "+strings.Join(l.Dropped, "; "))
	}
	return strings.Join(parts, "; ")
}

// Generation is the generation of the copy on flash (0 before the first
// write); it grows by one with every write.
func (s *Store) Generation() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen
}

// Get is the canonical value of the setting with that name (canonical or
// vendor). Secrets are returned as they are: show them with Display.
func (s *Store) Get(name string) (string, error) {
	d, ok := Lookup(name)
	if !ok {
		return "", &UnknownError{Name: name}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.vals[d.Name], nil
}

// String is the value of a setting named at compile time. It panics on an
// unknown name (a programming error).
func (s *Store) String(name string) string {
	d := def(name)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.vals[d.Name]
}

// Int is the value of an int setting (or a choice with numeric values)
// named at compile time. It panics on an unknown name or a value that is
// not a number (a programming error).
func (s *Store) Int(name string) int {
	v := s.String(name)
	n, err := strconv.Atoi(v)
	if err != nil {
		panic(fmt.Sprintf("settings: %s is not a number", def(name).Name))
	}
	return n
}

// Bool is the value of a bool setting named at compile time. It panics on
// an unknown name or a setting that is not a bool (a programming error).
func (s *Store) Bool(name string) bool {
	d := def(name)
	if d.Kind != KindBool {
		panic(fmt.Sprintf("settings: %s is a %s, not a bool", d.Name, d.Kind))
	}
	return s.String(name) == "on"
}

// Display is the value for showing: a secret is "********" when set and ""
// when empty; anything else is its canonical value. It panics on an unknown
// name (a programming error).
func (s *Store) Display(name string) string {
	d := def(name)
	v := s.String(name)
	if d.Secret && v != "" {
		return "********"
	}
	return v
}

// Values is a copy of every setting's value, by canonical name. Secrets are
// included as they are: show them with Display.
func (s *Store) Values() map[string]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := make(map[string]string, len(s.vals))
	for k, v := range s.vals {
		m[k] = v
	}
	return m
}
