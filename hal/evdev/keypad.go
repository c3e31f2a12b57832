package evdev

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"deskphone/hal"
)

// eventReader is an input device opened for the runtime poller: os.File on a
// non-blocking descriptor, or a pipe in tests.
type eventReader interface {
	Read(b []byte) (int, error)
	SetReadDeadline(t time.Time) error
	Close() error
}

// Keypad reads phone keys from an input device.
type Keypad struct {
	name string
	size int // bytes per input_event

	mu      sync.Mutex // one reader at a time
	r       eventReader
	buf     []byte
	pending []hal.Key
	m       mapper
}

var _ hal.Keypad = (*Keypad)(nil)

// newKeypad reads size-byte events from r; name is for errors.
func newKeypad(name string, r eventReader, size int) *Keypad {
	return &Keypad{name: name, size: size, r: r, buf: make([]byte, 64*size)}
}

// Name is the device path the keypad reads.
func (k *Keypad) Name() string { return k.name }

// NextKey returns the next phone key pressed, waiting for one until ctx is
// done.
func (k *Keypad) NextKey(ctx context.Context) (hal.Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	// Cancelling ctx moves the read deadline to now, which wakes the read.
	woken := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		k.r.SetReadDeadline(time.Now())
		close(woken)
	})
	defer func() {
		if !stop() {
			// The deadline was moved: wait until it is, then clear it for
			// the next call.
			<-woken
			k.r.SetReadDeadline(time.Time{})
		}
	}()
	for len(k.pending) == 0 {
		n, err := k.r.Read(k.buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("read keys from %s: %w", k.name, err)
		}
		evs, err := ParseEvents(k.buf[:n], k.size)
		if err != nil {
			// The kernel hands out whole events; anything else is a broken device.
			return "", fmt.Errorf("read keys from %s: %w", k.name, err)
		}
		for _, e := range evs {
			if key, ok := k.m.key(e); ok {
				k.pending = append(k.pending, key)
			}
		}
	}
	key := k.pending[0]
	k.pending = k.pending[1:]
	return key, nil
}

// Close closes the device.
func (k *Keypad) Close() error { return k.r.Close() }
