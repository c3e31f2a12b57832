package net8021x

import "context"

// Frames carries whole Ethernet frames of type EAPOL to and from one port.
type Frames interface {
	// ReadFrame blocks for the next frame, copies it into b and returns its
	// length; it returns ctx's error once ctx is done.
	ReadFrame(ctx context.Context, b []byte) (int, error)
	WriteFrame(b []byte) error
}
