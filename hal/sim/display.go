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
// It is a grey panel: frames are kept at a byte per pixel, a quarter of
// their size in RGBA, and turned into RGBA only for a reader.
type Display struct {
	info hal.DisplayInfo

	// back is where Show converts the next frame; it then trades places
	// with frame. Readers get copies, so a phone redrawing its call timer
	// every second does not allocate a frame every second.
	back *image.Gray

	mu      sync.Mutex
	frame   *image.Gray
	seq     uint64
	changed chan struct{}
}

// NewDisplay makes a blank (white) panel of the given size.
func NewDisplay(info hal.DisplayInfo) *Display {
	f := image.NewGray(image.Rect(0, 0, info.Width, info.Height))
	for i := range f.Pix {
		f.Pix[i] = 255
	}
	return &Display{info: info, frame: f, back: image.NewGray(f.Rect), changed: make(chan struct{})}
}

// Info reports the panel's size.
func (d *Display) Info() hal.DisplayInfo { return d.info }

// Show copies frame (in grey); a mono panel keeps only black and white.
// Like the panel it stands for, it is driven by one writer at a time.
func (d *Display) Show(frame image.Image) error {
	b := frame.Bounds()
	if b.Dx() != d.info.Width || b.Dy() != d.info.Height {
		return fmt.Errorf("show frame: %dx%d on a %dx%d panel", b.Dx(), b.Dy(), d.info.Width, d.info.Height)
	}
	f := d.back
	if g, ok := frame.(*image.Gray); ok && b.Min == (image.Point{}) {
		// The LCD renders grey frames: copy them row by row, since draw's
		// generic path reads every pixel through an interface.
		for y := range b.Dy() {
			copy(f.Pix[y*f.Stride:y*f.Stride+b.Dx()], g.Pix[y*g.Stride:])
		}
	} else {
		draw.Draw(f, f.Bounds(), frame, b.Min, draw.Src)
	}
	if d.info.Mono {
		threshold(f)
	}
	d.mu.Lock()
	d.frame, d.back = f, d.frame
	d.seq++
	close(d.changed)
	d.changed = make(chan struct{})
	d.mu.Unlock()
	return nil
}

// threshold reduces f to black and white, as a 1-bit panel shows it.
func threshold(f *image.Gray) {
	for i, y := range f.Pix {
		if y >= 128 {
			f.Pix[i] = 255
		} else {
			f.Pix[i] = 0
		}
	}
}

// Frame returns a copy of the frame on the panel and its sequence number
// (0 before the first Show).
func (d *Display) Frame() (*image.RGBA, uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := image.NewRGBA(d.frame.Rect)
	for i, v := range d.frame.Pix {
		f.Pix[4*i], f.Pix[4*i+1], f.Pix[4*i+2], f.Pix[4*i+3] = v, v, v, 255
	}
	return f, d.seq
}

// Seq is the sequence number of the frame on the panel.
func (d *Display) Seq() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seq
}

// Wait blocks until a frame newer than seq is shown and returns its
// sequence number, or the current one with ctx's error.
func (d *Display) Wait(ctx context.Context, seq uint64) (uint64, error) {
	for {
		d.mu.Lock()
		cur, ch := d.seq, d.changed
		d.mu.Unlock()
		if cur > seq {
			return cur, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return cur, ctx.Err()
		}
	}
}

// WaitFrame blocks until a frame newer than seq is shown, then returns a
// copy of it.
func (d *Display) WaitFrame(ctx context.Context, seq uint64) (*image.RGBA, uint64, error) {
	_, err := d.Wait(ctx, seq)
	f, cur := d.Frame()
	return f, cur, err
}
