package hal

import (
	"context"
	"net"
)

// PortRole says which of the phone's Ethernet jacks a port is.
type PortRole string

const (
	LAN PortRole = "lan"
	PC  PortRole = "pc"
)

// Port is one Ethernet port: the network interface that carries it and its
// link state.
type Port interface {
	Role() PortRole
	// Interface is the Linux interface name ("" where the port has none, as on
	// the plain simulator).
	Interface() string
	MAC() net.HardwareAddr
	Up() bool
	// WaitLink blocks until the link state differs from last, then returns
	// the new state, or returns ctx's error.
	WaitLink(ctx context.Context, last bool) (bool, error)
}
