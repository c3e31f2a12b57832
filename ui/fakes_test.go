package ui

import (
	"context"
	"errors"
	"image"
	"sync"

	"deskphone/hal"
)

// fakeDisplay records every frame shown and signals each on frames.
type fakeDisplay struct {
	info   hal.DisplayInfo
	mu     sync.Mutex
	shown  []*image.Gray
	frames chan *image.Gray
}

func newFakeDisplay(w, h int) *fakeDisplay {
	return &fakeDisplay{info: hal.DisplayInfo{Width: w, Height: h}, frames: make(chan *image.Gray, 100)}
}

func (d *fakeDisplay) Info() hal.DisplayInfo { return d.info }

func (d *fakeDisplay) Show(frame image.Image) error {
	g := image.NewGray(frame.Bounds())
	copy(g.Pix, frame.(*image.Gray).Pix) // the caller reuses its frame
	d.mu.Lock()
	d.shown = append(d.shown, g)
	d.mu.Unlock()
	d.frames <- g
	return nil
}

// fakeKeypad delivers the keys sent on its channel and counts the NextKey
// calls in flight, so a test can see none is left behind.
type fakeKeypad struct {
	keys     chan hal.Key
	mu       sync.Mutex
	inFlight int
}

func newFakeKeypad() *fakeKeypad { return &fakeKeypad{keys: make(chan hal.Key)} }

func (k *fakeKeypad) NextKey(ctx context.Context) (hal.Key, error) {
	k.mu.Lock()
	k.inFlight++
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.inFlight--
		k.mu.Unlock()
	}()
	select {
	case key, ok := <-k.keys:
		if !ok {
			return "", errors.New("keypad unplugged")
		}
		return key, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (k *fakeKeypad) busy() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.inFlight
}

// fakeSettings answers from a map; a name in fail answers an error.
type fakeSettings struct {
	values map[string]string
	fail   bool
}

func (s fakeSettings) Get(name string) (string, error) {
	if s.fail {
		return "", errors.New("store unavailable")
	}
	return s.values[name], nil
}
