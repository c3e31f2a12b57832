package sim

import (
	"maps"
	"sync"

	"deskphone/hal"
)

// LEDs remembers each indicator's state.
type LEDs struct {
	mu    sync.Mutex
	state map[hal.LED]hal.LEDState
}

// NewLEDs makes a set of indicators, all off.
func NewLEDs() *LEDs { return &LEDs{state: map[hal.LED]hal.LEDState{}} }

// SetLED sets one indicator.
func (l *LEDs) SetLED(led hal.LED, s hal.LEDState) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state[led] = s
	return nil
}

// State returns a copy of every indicator that was ever set.
func (l *LEDs) State() map[hal.LED]hal.LEDState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.state)
}
