package evdev

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// EVIOCGBIT(EV_KEY, len): _IOC(_IOC_READ, 'E', 0x20+EV_KEY, len) on ARM and x86.
func eviocgbitKey(size int) uintptr {
	return 2<<30 | uintptr(size)<<16 | 'E'<<8 | (0x20 + evKey)
}

// keyBitsLen covers KEY_MAX (0x2ff) bits.
const keyBitsLen = 0x300 / 8

// Open opens one input device, such as /dev/input/event0, as a keypad. It
// does not check that the device has phone-like keys; Find does.
func Open(path string) (*Keypad, error) {
	f, err := openNonblock(path)
	if err != nil {
		return nil, err
	}
	return newKeypad(path, f, EventSize), nil
}

// Find opens the first input device in dir (normally /dev/input) that has
// the digit keys. The error lists what was looked at when none has.
func Find(dir string) (*Keypad, error) {
	names, err := filepath.Glob(filepath.Join(dir, "event*"))
	if err != nil {
		return nil, fmt.Errorf("find keypad in %s: %w", dir, err)
	}
	// event10 after event9.
	sort.Slice(names, func(i, j int) bool {
		a, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(names[i]), "event"))
		b, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(names[j]), "event"))
		return a < b
	})
	var tried []string
	for _, name := range names {
		f, err := openNonblock(name)
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		bits, err := keyBits(f)
		if err == nil && HasDigitKeys(bits) {
			return newKeypad(name, f, EventSize), nil
		}
		f.Close()
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", name, err))
		} else {
			tried = append(tried, name+": no digit keys")
		}
	}
	if len(tried) == 0 {
		return nil, fmt.Errorf("find keypad in %s: no input devices", dir)
	}
	return nil, fmt.Errorf("find keypad in %s: no device with digit keys (%s)", dir, strings.Join(tried, "; "))
}

// openNonblock opens path non-blocking so os.File puts it on the runtime
// poller and SetReadDeadline works.
func openNonblock(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open input device %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// keyBits asks the device which key codes it has.
func keyBits(f *os.File) ([]byte, error) {
	bits := make([]byte, keyBitsLen)
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var errno unix.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, eviocgbitKey(len(bits)), uintptr(unsafe.Pointer(&bits[0])))
	}); err != nil {
		return nil, err
	}
	if errno != 0 {
		return nil, fmt.Errorf("EVIOCGBIT(EV_KEY): %w", errno)
	}
	return bits, nil
}
