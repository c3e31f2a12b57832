package provision

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"deskphone/provision/flash"
)

// Firmware slots live in the data directory's "firmware" folder: slot.a
// and slot.b hold images, and "boot" is the boot state, as text:
//
//	active a
//	trying b        ("-" when no new image is on trial)
//	attempts 1
//	version.a 4.4.9
//	version.b 4.4.10
//	rolledback 4.4.11   (the last image that never reached service)
//
// The boot state is the boot loader's environment: every change to it is
// one atomic write, so a power cut leaves the old state or the new one.
type BootState struct {
	Active   string // "a" or "b": the known-good slot
	Trying   string // "" or the slot of a new image not yet marked good
	Attempts int    // boots of Trying so far
	Versions map[string]string
	// RolledBack is the version of the last image that never reached
	// service: provisioning does not install it again unless forced, so
	// a bad image is not tried, rolled back and tried again forever.
	RolledBack string
}

const (
	slotDir  = "firmware"
	bootFile = "boot"
)

// MaxBootAttempts is how many times a new image may boot without MarkGood
// before the next boot rolls back.
const MaxBootAttempts = 3

// Slots is the A/B firmware store. It is safe for concurrent use.
type Slots struct {
	dir string // the "firmware" folder
	mu  sync.Mutex
}

// OpenSlots is the firmware store in the data directory dataDir.
func OpenSlots(dataDir string) *Slots {
	return &Slots{dir: filepath.Join(dataDir, slotDir)}
}

func otherSlot(s string) string {
	if s == "a" {
		return "b"
	}
	return "a"
}

// SlotPath is the file of slot s ("a" or "b").
func (s *Slots) SlotPath(slot string) string {
	return filepath.Join(s.dir, "slot."+slot)
}

// State reads the boot state; none is a factory state (slot a active, its
// version "0").
func (s *Slots) State() (BootState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load()
}

func (s *Slots) load() (BootState, error) {
	st := BootState{Active: "a", Versions: map[string]string{"a": "0"}}
	data, err := os.ReadFile(filepath.Join(s.dir, bootFile))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("load boot state: %w", err)
	}
	return parseBootState(data)
}

func parseBootState(data []byte) (BootState, error) {
	st := BootState{Versions: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			return st, errors.New("boot state: bad line")
		}
		switch k {
		case "active":
			st.Active = v
		case "trying":
			if v != "-" {
				st.Trying = v
			}
		case "attempts":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return st, errors.New("boot state: bad attempts")
			}
			st.Attempts = n
		case "version.a", "version.b":
			st.Versions[k[len(k)-1:]] = v
		case "rolledback":
			st.RolledBack = v
		default:
			return st, fmt.Errorf("boot state: unknown key %q", clip(k))
		}
	}
	if st.Active != "a" && st.Active != "b" || st.Trying != "" && st.Trying != otherSlot(st.Active) {
		return st, errors.New("boot state: bad slots")
	}
	return st, nil
}

func (s *Slots) save(st BootState) error {
	trying := st.Trying
	if trying == "" {
		trying = "-"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "active %s\ntrying %s\nattempts %d\n", st.Active, trying, st.Attempts)
	for _, k := range []string{"a", "b"} {
		if v, ok := st.Versions[k]; ok {
			fmt.Fprintf(&b, "version.%s %s\n", k, v)
		}
	}
	if st.RolledBack != "" {
		fmt.Fprintf(&b, "rolledback %s\n", st.RolledBack)
	}
	if err := flash.WriteFile(s.dir, bootFile, b.Bytes()); err != nil {
		return fmt.Errorf("save boot state: %w", err)
	}
	return nil
}

// Boot plays the boot loader's part at firmware start and returns the slot
// to run. With an image on trial it counts the attempt; after
// MaxBootAttempts boots without MarkGood it rolls back: the trial ends and
// the active (known-good) slot runs.
func (s *Slots) Boot() (slot string, rolledBack bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load()
	if err != nil {
		return "", false, err
	}
	if st.Trying == "" {
		return st.Active, false, nil
	}
	if st.Attempts >= MaxBootAttempts {
		st.RolledBack = st.Versions[st.Trying]
		st.Trying, st.Attempts = "", 0
		if err := s.save(st); err != nil {
			return "", false, err
		}
		return st.Active, true, nil
	}
	st.Attempts++
	if err := s.save(st); err != nil {
		return "", false, err
	}
	return st.Trying, false, nil
}

// MarkGood is called once the image on trial has booted and reached
// service (registered): it becomes the active slot.
func (s *Slots) MarkGood() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load()
	if err != nil {
		return err
	}
	if st.Trying == "" {
		return nil
	}
	st.Active, st.Trying, st.Attempts = st.Trying, "", 0
	return s.save(st)
}

// startTrial makes the inactive slot, just written with version v, the
// one to try at the next boot.
func (s *Slots) startTrial(slot, version string) error {
	st, err := s.load()
	if err != nil {
		return err
	}
	st.Trying, st.Attempts = slot, 0
	st.Versions[slot] = version
	return s.save(st)
}
