package sim

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"sync"

	"deskphone/hal"
)

// Display keeps the last frame shown and wakes readers when a new one comes.
type Display struct {
	info hal.DisplayInfo

	mu      sync.Mutex
	frame   *image.RGBA
	seq     uint64
	changed chan struct{}
}

// NewDisplay makes a blank (white) panel of the given size.
func NewDisplay(info hal.DisplayInfo) *Display {
	f := image.NewRGBA(image.Rect(0, 0, info.Width, info.Height))
	draw.Draw(f, f.Bounds(), image.White, image.Point{}, draw.Src)
	return &Display{info: info, frame: f, changed: make(chan struct{})}
}

// Info reports the panel's size.
func (d *Display) Info() hal.DisplayInfo { return d.info }

// Show copies frame; a mono panel keeps only black and white.
func (d *Display) Show(frame image.Image) error {
	b := frame.Bounds()
	if b.Dx() != d.info.Width || b.Dy() != d.info.Height {
		return fmt.Errorf("show frame: %dx%d on a %dx%d panel", b.Dx(), b.Dy(), d.info.Width, d.info.Height)
	}
	f := image.NewRGBA(image.Rect(0, 0, d.info.Width, d.info.Height))
	if g, ok := frame.(*image.Gray); ok && b.Min == (image.Point{}) {
		// The LCD renders grey frames: copy them directly, since draw's
		// generic path reads every pixel through an interface.
		for y := range b.Dy() {
			row := g.Pix[y*g.Stride : y*g.Stride+b.Dx()]
			out := f.Pix[y*f.Stride:]
			for x, v := range row {
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = v, v, v, 255
			}
		}
	} else {
		draw.Draw(f, f.Bounds(), frame, b.Min, draw.Src)
	}
	if d.info.Mono {
		threshold(f)
	}
	d.mu.Lock()
	d.frame = f
	d.seq++
	close(d.changed)
	d.changed = make(chan struct{})
	d.mu.Unlock()
	return nil
}

// threshold reduces f to black and white, as a 1-bit panel shows it.
func threshold(f *image.RGBA) {
	for i := 0; i < len(f.Pix); i += 4 {
		y := (299*uint32(f.Pix[i]) + 587*uint32(f.Pix[i+1]) + 114*uint32(f.Pix[i+2])) / 1000
		v := uint8(0)
		if y >= 128 {
			v = 255
		}
		f.Pix[i], f.Pix[i+1], f.Pix[i+2], f.Pix[i+3] = v, v, v, 255
	}
}

// Frame returns the frame on the panel and its sequence number (0 before
// the first Show). The frame must not be changed.
func (d *Display) Frame() (*image.RGBA, uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.frame, d.seq
}

// WaitFrame blocks until a frame newer than seq is shown, then returns it.
func (d *Display) WaitFrame(ctx context.Context, seq uint64) (*image.RGBA, uint64, error) {
	for {
		d.mu.Lock()
		f, cur, ch := d.frame, d.seq, d.changed
		d.mu.Unlock()
		if cur > seq {
			return f, cur, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return f, cur, ctx.Err()
		}
	}
}
