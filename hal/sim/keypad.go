package sim

import (
	"context"
	"sync"

	"deskphone/hal"
)

// Keypad is a queue of key presses fed by Press (the simulator page, the
// terminal, tests) and drained by NextKey.
type Keypad struct {
	mu      sync.Mutex
	queue   []hal.Key
	pressed uint64 // keys ever pressed
	taken   uint64 // keys ever returned by NextKey
	changed chan struct{}

	// OnTake, when set before use, runs as each key is taken, before a
	// WaitTaken for it returns: the simulator notes which frame was on the
	// panel then. It must not call the keypad.
	OnTake func()
}

// NewKeypad makes an empty keypad.
func NewKeypad() *Keypad { return &Keypad{changed: make(chan struct{})} }

// Press queues keys and returns the count of keys pressed so far, which
// WaitTaken takes to wait until the phone has read them.
func (k *Keypad) Press(keys ...hal.Key) uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.queue = append(k.queue, keys...)
	k.pressed += uint64(len(keys))
	k.wake()
	return k.pressed
}

func (k *Keypad) wake() {
	close(k.changed)
	k.changed = make(chan struct{})
}

// NextKey returns the oldest queued key, waiting for one.
func (k *Keypad) NextKey(ctx context.Context) (hal.Key, error) {
	for {
		k.mu.Lock()
		if len(k.queue) > 0 {
			key := k.queue[0]
			k.queue = k.queue[1:]
			if k.OnTake != nil {
				k.OnTake()
			}
			k.taken++
			k.wake()
			k.mu.Unlock()
			return key, nil
		}
		ch := k.changed
		k.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// WaitTaken blocks until the reader has taken at least n keys in all.
func (k *Keypad) WaitTaken(ctx context.Context, n uint64) error {
	for {
		k.mu.Lock()
		taken, ch := k.taken, k.changed
		k.mu.Unlock()
		if taken >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
