//go:build !linux

package evdev

import (
	"fmt"
	"runtime"
)

// Open fails: input devices are Linux only.
func Open(path string) (*Keypad, error) {
	return nil, fmt.Errorf("open input device %s: not supported on %s", path, runtime.GOOS)
}

// Find fails: input devices are Linux only.
func Find(dir string) (*Keypad, error) {
	return nil, fmt.Errorf("find keypad in %s: not supported on %s", dir, runtime.GOOS)
}
