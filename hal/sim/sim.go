// Package sim implements every hal interface in memory: the simulator board
// uses it to run the phone on a host, and tests use it to drive the phone
// without hardware.
package sim

import "deskphone/hal"

// Compile-time checks that the simulator devices satisfy the hal interfaces.
var (
	_ hal.Display = (*Display)(nil)
	_ hal.Keypad  = (*Keypad)(nil)
	_ hal.Audio   = (*Audio)(nil)
	_ hal.Port    = (*Port)(nil)
	_ hal.LEDs    = (*LEDs)(nil)
)
