//go:build !linux

package fbdev

import (
	"fmt"
	"runtime"
)

// Open fails: framebuffer devices are Linux only.
func Open(path string) (*Display, error) {
	return nil, fmt.Errorf("open framebuffer %s: not supported on %s", path, runtime.GOOS)
}
