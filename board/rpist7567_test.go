package board

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/hal/st7567"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"
)

// This machine is no Raspberry Pi: the board fails, naming what is missing.
func TestOpenRPiST7567WithoutDevices(t *testing.T) {
	_, err := Open("rpi-st7567", Options{})
	if err == nil {
		t.Skip("this machine has the rpi-st7567 devices")
	}
	if !strings.HasPrefix(err.Error(), "open board rpi-st7567: ") {
		t.Fatalf("Open(rpi-st7567) = %v", err)
	}
	t.Logf("as expected: %v", err)
}

// Every phone key but the hook is on the matrix exactly once, and no pin
// is used twice.
func TestRPiST7567Pins(t *testing.T) {
	pins := rpiST7567
	seen := map[hal.Key]int{}
	for _, row := range pins.keys {
		if len(row) != len(pins.cols) {
			t.Fatalf("row %v has %d keys for %d columns", row, len(row), len(pins.cols))
		}
		for _, k := range row {
			if k != "" {
				seen[k]++
			}
		}
	}
	if len(pins.keys) != len(pins.rows) {
		t.Fatalf("%d key rows for %d row pins", len(pins.keys), len(pins.rows))
	}
	for _, k := range hal.Keys {
		want := 1
		if k == hal.KeyHookOff || k == hal.KeyHookOn {
			want = 0
		}
		if seen[k] != want {
			t.Errorf("key %s on the matrix %d times, want %d", k, seen[k], want)
		}
	}
	// SPI0 uses GPIO7-11; the header's I2C and UART pins stay free too.
	used := map[string]bool{"GPIO7": true, "GPIO8": true, "GPIO9": true, "GPIO10": true, "GPIO11": true,
		"GPIO2": true, "GPIO3": true, "GPIO14": true, "GPIO15": true}
	all := append([]string{pins.a0, pins.rst, pins.backlite, pins.hook}, pins.rows...)
	for _, p := range append(all, pins.cols...) {
		if used[p] {
			t.Errorf("pin %s used twice or taken by SPI0, I2C1 or the UART", p)
		}
		used[p] = true
	}
}

// matrixCol is a column line of the key matrix: pulled up, it reads low
// while the row of the pressed key (if any) is driven low.
type matrixCol struct {
	gpiotest.Pin
	rows    []*gpiotest.Pin
	mu      sync.Mutex
	pressed int // row of the pressed key on this column, -1 for none
}

func (c *matrixCol) press(row int) { c.mu.Lock(); c.pressed = row; c.mu.Unlock() }

func (c *matrixCol) Read() gpio.Level {
	c.mu.Lock()
	r := c.pressed
	c.mu.Unlock()
	if r >= 0 && c.rows[r].Read() == gpio.Low {
		return gpio.Low
	}
	return gpio.High
}

// The board wires its LCD and keypad to the pins its comment names: the
// controller on SPI0.0 is reset and initialised (ST7567 reset 0xE2, the
// driver's init sequence, display on 0xAF), the backlight lights, a key at
// row 2 column 1 reads as "2" and lifting the handset as HOOK_OFF.
func TestRPiST7567Devices(t *testing.T) {
	pins := rpiST7567
	rec := &spitest.Record{}
	byName := map[string]gpio.PinIO{}
	var rows []*gpiotest.Pin
	for _, n := range pins.rows {
		p := &gpiotest.Pin{N: n, L: gpio.High}
		rows = append(rows, p)
		byName[n] = p
	}
	var cols []*matrixCol
	for _, n := range pins.cols {
		c := &matrixCol{Pin: gpiotest.Pin{N: n}, rows: rows, pressed: -1}
		cols = append(cols, c)
		byName[n] = c
	}
	hook := &gpiotest.Pin{N: pins.hook, L: gpio.Low} // handset down
	light := &gpiotest.Pin{N: pins.backlite}
	byName[pins.hook], byName[pins.backlite] = hook, light
	byName[pins.a0], byName[pins.rst] = &gpiotest.Pin{N: pins.a0}, &gpiotest.Pin{N: pins.rst}
	var opened []string
	h := rpiHost{
		openSPI: func(name string) (spi.PortCloser, error) { opened = append(opened, name); return rec, nil },
		pin:     func(name string) gpio.PinIO { return byName[name] },
	}
	var d devices
	lcd, keys, err := rpiST7567Devices(&d, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 1 || opened[0] != "SPI0.0" {
		t.Fatalf("SPI ports opened: %v", opened)
	}
	if info := lcd.Info(); info.Width != 132 || info.Height != 64 || !info.Mono {
		t.Errorf("display %+v", info)
	}
	rec.Lock()
	ops := rec.Ops
	rec.Unlock()
	if len(ops) < 3 || !bytes.Equal(ops[0].W, []byte{0xE2}) ||
		!bytes.Equal(ops[1].W, st7567.DefaultConfig().InitSequence()) || !bytes.Equal(ops[len(ops)-1].W, []byte{0xAF}) {
		t.Fatalf("SPI writes at start: %v", ops)
	}
	if light.Read() != gpio.High {
		t.Error("backlight off")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		if light.Read() != gpio.Low {
			t.Error("backlight still on after the board stopped")
		}
	}()
	kctx, kcancel := context.WithTimeout(ctx, 30*time.Second)
	defer kcancel()
	cols[1].press(2)
	if k, err := keys.NextKey(kctx); err != nil || k != hal.Key2 {
		t.Fatalf("key at row 2, column 1: %q, %v", k, err)
	}
	cols[1].press(-1)
	hook.Lock()
	hook.L = gpio.High
	hook.Unlock()
	if k, err := keys.NextKey(kctx); err != nil || k != hal.KeyHookOff {
		t.Fatalf("handset lifted: %q, %v", k, err)
	}
}
