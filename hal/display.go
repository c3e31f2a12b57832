package hal

import "image"

// DisplayInfo describes a panel.
type DisplayInfo struct {
	Width, Height int
	// Mono panels show one bit per pixel: a frame is reduced to black and
	// white by the driver, so renderers draw with black and white only.
	Mono bool
}

// Display is the phone's LCD.
type Display interface {
	Info() DisplayInfo
	// Show puts a whole frame on the panel. The frame's bounds are
	// (0,0)-(Width,Height). The caller may reuse the frame after Show returns.
	Show(frame image.Image) error
}
