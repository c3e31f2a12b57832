// Package gpiokeypad is a hal.Keypad on GPIO pins: a key matrix scanned row
// by row, and the hook switch on a pin of its own.
//
// Each row is driven low in turn while the others stay high; a column
// pulled up by its pin reads low where a pressed key joins it to the driven
// row (diodes on the keys prevent ghosting). Every key and the hook switch
// are debounced: a change counts once the same level has been read on
// Debounce scans in a row. A key counts when it goes down; the hook switch
// gives HOOK_OFF when the handset is lifted and HOOK_ON when it is put back.
// The phone starts on hook, so a handset lifted at power-on gives HOOK_OFF.
package gpiokeypad

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"deskphone/hal"

	"periph.io/x/conn/v3/gpio"
)

// Config says where the keys are.
type Config struct {
	// Rows are driven low one at a time; Cols are read with pull-ups.
	Rows []gpio.PinOut
	Cols []gpio.PinIn
	// Keys[r][c] is the key joining row r and column c ("" for none).
	Keys [][]hal.Key

	// Hook is the hook switch's pin (nil for a phone without one), read
	// with a pull-up; HookOffLevel is the level it reads with the handset
	// lifted.
	Hook         gpio.PinIn
	HookOffLevel gpio.Level

	// Period is the time between scans (5 ms if 0); Debounce the scans a
	// level must hold to count (4 if 0: 20 ms at 5 ms).
	Period   time.Duration
	Debounce int
	// Settle is the wait between driving a row and reading the columns
	// (10 µs if 0), for the lines' capacitance.
	Settle time.Duration
}

// maxQueued caps the keys waiting for NextKey; more are dropped.
const maxQueued = 64

// Keypad scans a key matrix and a hook switch.
type Keypad struct {
	cfg Config

	// Scan state, used only by scan (Run's goroutine, or a test).
	keys []input // row-major, one per matrix position
	hook input

	mu      sync.Mutex
	queue   []hal.Key
	changed chan struct{}
}

var _ hal.Keypad = (*Keypad)(nil)

// input is one debounced contact.
type input struct {
	raw    bool // last level read: closed (pressed, or handset lifted)
	count  int  // scans raw has held
	stable bool // debounced state
}

// update takes one reading and reports whether the debounced state changed.
func (in *input) update(closed bool, debounce int) bool {
	if closed != in.raw {
		in.raw, in.count = closed, 0
	}
	in.count++
	if in.count >= debounce && in.raw != in.stable {
		in.stable = in.raw
		return true
	}
	return false
}

// New configures the pins: rows high, columns and hook as pulled-up inputs.
func New(cfg Config) (*Keypad, error) {
	if len(cfg.Keys) != len(cfg.Rows) {
		return nil, fmt.Errorf("gpio keypad: %d rows of keys for %d row pins", len(cfg.Keys), len(cfg.Rows))
	}
	for r, row := range cfg.Keys {
		if len(row) != len(cfg.Cols) {
			return nil, fmt.Errorf("gpio keypad: row %d has %d keys for %d column pins", r, len(row), len(cfg.Cols))
		}
		for _, k := range row {
			if _, err := hal.ParseKey(string(k)); k != "" && err != nil {
				return nil, fmt.Errorf("gpio keypad: row %d: %w", r, err)
			}
		}
	}
	if cfg.Period == 0 {
		cfg.Period = 5 * time.Millisecond
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = 4
	}
	if cfg.Settle == 0 {
		cfg.Settle = 10 * time.Microsecond
	}
	for _, p := range cfg.Rows {
		if err := p.Out(gpio.High); err != nil {
			return nil, fmt.Errorf("gpio keypad: row %s: %w", p, err)
		}
	}
	ins := cfg.Cols
	if cfg.Hook != nil {
		ins = append(ins[:len(ins):len(ins)], cfg.Hook)
	}
	for _, p := range ins {
		if err := p.In(gpio.PullUp, gpio.NoEdge); err != nil {
			return nil, fmt.Errorf("gpio keypad: input %s: %w", p, err)
		}
	}
	return &Keypad{
		cfg:     cfg,
		keys:    make([]input, len(cfg.Rows)*len(cfg.Cols)),
		changed: make(chan struct{}),
	}, nil
}

// Run scans the keys every Period until ctx is done.
func (k *Keypad) Run(ctx context.Context) error {
	t := time.NewTicker(k.cfg.Period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := k.scan(); err != nil {
			return err
		}
	}
}

// scan reads the matrix and the hook switch once.
func (k *Keypad) scan() error {
	var pressed []hal.Key
	for r, row := range k.cfg.Rows {
		if err := row.Out(gpio.Low); err != nil {
			return fmt.Errorf("gpio keypad: drive row %s: %w", row, err)
		}
		time.Sleep(k.cfg.Settle)
		for c, col := range k.cfg.Cols {
			in := &k.keys[r*len(k.cfg.Cols)+c]
			if in.update(col.Read() == gpio.Low, k.cfg.Debounce) && in.stable && k.cfg.Keys[r][c] != "" {
				pressed = append(pressed, k.cfg.Keys[r][c])
			}
		}
		if err := row.Out(gpio.High); err != nil {
			return fmt.Errorf("gpio keypad: release row %s: %w", row, err)
		}
	}
	if k.cfg.Hook != nil && k.hook.update(k.cfg.Hook.Read() == k.cfg.HookOffLevel, k.cfg.Debounce) {
		if k.hook.stable {
			pressed = append(pressed, hal.KeyHookOff)
		} else {
			pressed = append(pressed, hal.KeyHookOn)
		}
	}
	if len(pressed) > 0 {
		k.push(pressed)
	}
	return nil
}

func (k *Keypad) push(keys []hal.Key) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, key := range keys {
		if len(k.queue) >= maxQueued {
			slog.Warn("gpio keypad: key dropped, nobody reads the keypad", "key", key)
			continue
		}
		k.queue = append(k.queue, key)
	}
	close(k.changed)
	k.changed = make(chan struct{})
}

// NextKey returns the oldest key pressed, waiting for one until ctx is done.
func (k *Keypad) NextKey(ctx context.Context) (hal.Key, error) {
	for {
		k.mu.Lock()
		if len(k.queue) > 0 {
			key := k.queue[0]
			k.queue = k.queue[1:]
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
