//go:build !linux

package netlink

import (
	"fmt"
	"runtime"

	"deskphone/hal"
)

// Open fails: rtnetlink is Linux only.
func Open(role hal.PortRole, iface string) (*Port, error) {
	return nil, fmt.Errorf("open port %s: not supported on %s", iface, runtime.GOOS)
}
