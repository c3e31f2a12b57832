package gpiokeypad

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"deskphone/hal"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// matrix wires gpiotest row pins to column pins through the keys held down.
type matrix struct {
	rows []*gpiotest.Pin
	mu   sync.Mutex
	down map[[2]int]bool
}

// colPin reads low when a held key joins it to a row driven low.
type colPin struct {
	*gpiotest.Pin
	m   *matrix
	col int
}

func (c *colPin) Read() gpio.Level {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	for r, row := range c.m.rows {
		if row.Read() == gpio.Low && c.m.down[[2]int{r, c.col}] {
			return gpio.Low
		}
	}
	return gpio.High
}

func (m *matrix) set(r, c int, down bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.down[[2]int{r, c}] = down
}

var testKeys = [][]hal.Key{
	{hal.Key1, hal.Key2, hal.Key3},
	{hal.KeyStar, hal.Key0, hal.KeyPound},
	{hal.KeySoft1, "", hal.KeyOK},
}

func newTestKeypad(t *testing.T) (*Keypad, *matrix, *gpiotest.Pin) {
	t.Helper()
	m := &matrix{down: map[[2]int]bool{}}
	var rows []gpio.PinOut
	var cols []gpio.PinIn
	for i := range 3 {
		p := &gpiotest.Pin{N: fmt.Sprintf("ROW%d", i), L: gpio.Low}
		m.rows = append(m.rows, p)
		rows = append(rows, p)
		cols = append(cols, &colPin{Pin: &gpiotest.Pin{N: fmt.Sprintf("COL%d", i)}, m: m, col: i})
	}
	hook := &gpiotest.Pin{N: "HOOK"}
	k, err := New(Config{Rows: rows, Cols: cols, Keys: testKeys, Hook: hook, HookOffLevel: gpio.High, Debounce: 3})
	if err != nil {
		t.Fatal(err)
	}
	// New pulled the hook pin up: handset lifted. Put it down for the test.
	hook.Out(gpio.Low)
	for _, r := range m.rows {
		if r.Read() != gpio.High {
			t.Fatalf("row %s not left high", r)
		}
	}
	return k, m, hook
}

func scans(t *testing.T, k *Keypad, n int) {
	t.Helper()
	for range n {
		if err := k.scan(); err != nil {
			t.Fatal(err)
		}
	}
}

func queued(k *Keypad) []hal.Key {
	k.mu.Lock()
	defer k.mu.Unlock()
	q := k.queue
	k.queue = nil
	return q
}

func TestScanDebounce(t *testing.T) {
	k, m, hook := newTestKeypad(t)
	scans(t, k, 5)
	if q := queued(k); len(q) != 0 {
		t.Fatalf("keys with nothing pressed: %v", q)
	}

	// A bounce shorter than Debounce scans is no press.
	m.set(0, 1, true)
	scans(t, k, 2)
	m.set(0, 1, false)
	scans(t, k, 5)
	if q := queued(k); len(q) != 0 {
		t.Fatalf("bounce gave %v", q)
	}

	// Held for Debounce scans: one press, however long it is held.
	m.set(0, 1, true)
	scans(t, k, 3)
	if q := queued(k); len(q) != 1 || q[0] != hal.Key2 {
		t.Fatalf("press gave %v", q)
	}
	scans(t, k, 10)
	m.set(0, 1, false)
	scans(t, k, 3)
	if q := queued(k); len(q) != 0 {
		t.Fatalf("hold and release gave %v", q)
	}

	// Two keys in different rows at once; the empty position gives nothing.
	m.set(1, 2, true)
	m.set(2, 0, true)
	m.set(2, 1, true)
	scans(t, k, 3)
	if q := queued(k); len(q) != 2 || q[0] != hal.KeyPound || q[1] != hal.KeySoft1 {
		t.Fatalf("two keys gave %v", q)
	}

	// The hook switch: lifted, then a bounce while lifted, then put back.
	hook.Out(gpio.High)
	scans(t, k, 3)
	hook.Out(gpio.Low)
	scans(t, k, 1)
	hook.Out(gpio.High)
	scans(t, k, 3)
	hook.Out(gpio.Low)
	scans(t, k, 3)
	if q := queued(k); len(q) != 2 || q[0] != hal.KeyHookOff || q[1] != hal.KeyHookOn {
		t.Fatalf("hook gave %v", q)
	}
}

func TestNextKey(t *testing.T) {
	k, m, _ := newTestKeypad(t)
	m.set(2, 2, true)
	scans(t, k, 3)
	ctx := context.Background()
	if key, err := k.NextKey(ctx); err != nil || key != hal.KeyOK {
		t.Fatalf("NextKey = %q, %v", key, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := k.NextKey(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("NextKey on a done context: %v", err)
	}

	// Run scans by itself and stops with its context.
	m.set(2, 2, false)
	m.set(0, 0, true)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- k.Run(rctx) }()
	if key, err := k.NextKey(ctx); err != nil || key != hal.Key1 {
		t.Fatalf("NextKey with Run = %q, %v", key, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestQueueBounded(t *testing.T) {
	k, _, _ := newTestKeypad(t)
	for range maxQueued + 10 {
		k.push([]hal.Key{hal.Key5})
	}
	if n := len(queued(k)); n != maxQueued {
		t.Fatalf("%d keys queued", n)
	}
}

func TestConfigErrors(t *testing.T) {
	row := &gpiotest.Pin{N: "R"}
	col := &gpiotest.Pin{N: "C"}
	for _, cfg := range []Config{
		{Rows: []gpio.PinOut{row}, Cols: []gpio.PinIn{col}},
		{Rows: []gpio.PinOut{row}, Cols: []gpio.PinIn{col}, Keys: [][]hal.Key{{hal.Key1, hal.Key2}}},
		{Rows: []gpio.PinOut{row}, Cols: []gpio.PinIn{col}, Keys: [][]hal.Key{{"F13"}}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}
