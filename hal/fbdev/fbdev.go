// Package fbdev is a hal.Display on a Linux framebuffer (/dev/fbN): the
// panel of the QEMU board (virtio-gpu, 32 bpp XRGB8888) and of boards whose
// LCD has a kernel fbdev driver (16 bpp RGB565, 1 bpp mono).
//
// Open reads the screen geometry and pixel format from the kernel and maps
// the framebuffer; Show converts each frame to that format and writes it into
// the mapped memory. The conversion works on any byte slice, so it is tested
// without a device.
package fbdev

import (
	"fmt"
	"image"
	"sync"

	"deskphone/hal"
)

// Display draws frames into framebuffer memory.
type Display struct {
	info   hal.DisplayInfo
	format Format

	mu     sync.Mutex
	mem    []byte
	closer func() error
}

var _ hal.Display = (*Display)(nil)

// NewDisplay makes a display on mem, the framebuffer's memory laid out as f
// says. close, if not nil, runs on Close (the device's munmap and close).
func NewDisplay(mem []byte, f Format, close func() error) (*Display, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if need := f.Offset + (f.Height-1)*f.Stride + (f.Width*f.BitsPerPixel+7)/8; len(mem) < need {
		return nil, fmt.Errorf("framebuffer: %d bytes of memory, %dx%d at %d bpp with stride %d needs %d",
			len(mem), f.Width, f.Height, f.BitsPerPixel, f.Stride, need)
	}
	return &Display{
		info:   hal.DisplayInfo{Width: f.Width, Height: f.Height, Mono: f.BitsPerPixel == 1},
		format: f,
		mem:    mem,
		closer: close,
	}, nil
}

// Info reports the visible resolution; a 1 bpp framebuffer is a mono panel.
func (d *Display) Info() hal.DisplayInfo { return d.info }

// Format reports the framebuffer's pixel layout.
func (d *Display) Format() Format { return d.format }

// Show converts frame to the framebuffer's format and writes it.
func (d *Display) Show(frame image.Image) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mem == nil {
		return fmt.Errorf("framebuffer show: display closed")
	}
	d.format.Draw(d.mem, frame)
	return nil
}

// Close releases the framebuffer; Show fails afterwards.
func (d *Display) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mem == nil {
		return nil
	}
	d.mem = nil
	if d.closer != nil {
		return d.closer()
	}
	return nil
}
