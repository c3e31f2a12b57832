package pcport

import "context"

// Frames carries whole Ethernet frames to and from one port.
type Frames interface {
	// ReadFrame blocks for the next frame received on the port, copies it
	// into b and returns its length; it returns ctx's error once ctx is done.
	ReadFrame(ctx context.Context, b []byte) (int, error)
	// WriteFrame sends b, a whole Ethernet frame, out of the port.
	WriteFrame(b []byte) error
}

// Link is the PC port's link state (a hal.Port).
type Link interface {
	Up() bool
	// WaitLink blocks until the state differs from last and returns it.
	WaitLink(ctx context.Context, last bool) (bool, error)
}
