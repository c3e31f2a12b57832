package voicevlan

import "context"

// Frames receives whole Ethernet frames from the LAN port.
type Frames interface {
	// ReadFrame blocks for the next frame, copies it into b and returns its
	// length; it returns ctx's error once ctx is done.
	ReadFrame(ctx context.Context, b []byte) (int, error)
}
