package board

import (
	"strings"
	"testing"

	"deskphone/hal"
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
