package evdev

import "deskphone/hal"

// Linux key codes (<linux/input-event-codes.h>) the key map uses.
const (
	keyEsc        = 1
	key1          = 2 // KEY_1 .. KEY_9 are 2 .. 10
	key8          = 9
	key3          = 4
	key0          = 11
	keyMinus      = 12
	keyEqual      = 13
	keyBackspace  = 14
	keyEnter      = 28
	keyLeftShift  = 42
	keyRightShift = 54
	keyS          = 31
	keyH          = 35
	keyM          = 50
	keyKPAsterisk = 55
	keySpace      = 57
	keyF1         = 59 // KEY_F1 .. KEY_F10 are 59 .. 68
	keyKP7        = 71
	keyKP8        = 72
	keyKP9        = 73
	keyKPMinus    = 74
	keyKP4        = 75
	keyKP5        = 76
	keyKP6        = 77
	keyKPPlus     = 78
	keyKP1        = 79
	keyKP2        = 80
	keyKP3        = 81
	keyKP0        = 82
	keyKPEnter    = 96
	keyKPSlash    = 98
	keyHome       = 102
	keyUp         = 103
	keyLeft       = 105
	keyRight      = 106
	keyDown       = 108
)

// KeyMap is the table documented in the package comment: Linux key code to
// phone key. keySpace (hook toggle) and shifted 3 and 8 are handled by the
// keypad itself.
var KeyMap = map[uint16]hal.Key{
	key1 + 0: hal.Key1, key1 + 1: hal.Key2, key1 + 2: hal.Key3, key1 + 3: hal.Key4, key1 + 4: hal.Key5,
	key1 + 5: hal.Key6, key1 + 6: hal.Key7, key1 + 7: hal.Key8, key1 + 8: hal.Key9, key0: hal.Key0,
	keyKP1: hal.Key1, keyKP2: hal.Key2, keyKP3: hal.Key3, keyKP4: hal.Key4, keyKP5: hal.Key5,
	keyKP6: hal.Key6, keyKP7: hal.Key7, keyKP8: hal.Key8, keyKP9: hal.Key9, keyKP0: hal.Key0,
	keyKPAsterisk: hal.KeyStar,
	keyKPSlash:    hal.KeyPound,

	keyUp: hal.KeyUp, keyDown: hal.KeyDown, keyLeft: hal.KeyLeft, keyRight: hal.KeyRight,
	keyEnter: hal.KeyOK, keyKPEnter: hal.KeyOK,
	keyBackspace: hal.KeyBack, keyEsc: hal.KeyBack,
	keyHome: hal.KeyMenu,

	keyF1 + 0: hal.KeySoft1, keyF1 + 1: hal.KeySoft2, keyF1 + 2: hal.KeySoft3, keyF1 + 3: hal.KeySoft4,
	keyF1 + 4: hal.KeyLine1, keyF1 + 5: hal.KeyLine2, keyF1 + 6: hal.KeyLine3, keyF1 + 7: hal.KeyLine4,

	keyS: hal.KeySpeaker, keyH: hal.KeyHeadset, keyM: hal.KeyMute,
	keyEqual: hal.KeyVolUp, keyKPPlus: hal.KeyVolUp,
	keyMinus: hal.KeyVolDown, keyKPMinus: hal.KeyVolDown,
}

// mapper turns key events into phone keys, keeping the state the map needs:
// the shift keys and the hook switch that Space toggles.
type mapper struct {
	shift   int  // shift keys held
	offHook bool // the handset is lifted
}

// key returns the phone key an event presses, if any. Only presses count:
// releases and autorepeats are dropped, as a phone's keys do not repeat.
func (m *mapper) key(e Event) (hal.Key, bool) {
	if e.Type != evKey {
		return "", false
	}
	if e.Code == keyLeftShift || e.Code == keyRightShift {
		switch e.Value {
		case valuePress:
			m.shift++
		case valueRelease:
			m.shift = max(m.shift-1, 0)
		}
		return "", false
	}
	if e.Value != valuePress {
		return "", false
	}
	switch {
	case e.Code == keySpace:
		m.offHook = !m.offHook
		if m.offHook {
			return hal.KeyHookOff, true
		}
		return hal.KeyHookOn, true
	case m.shift > 0 && e.Code == key3:
		return hal.KeyPound, true
	case m.shift > 0 && e.Code == key8:
		return hal.KeyStar, true
	case m.shift > 0 && e.Code == keyEqual: // '+'
		return hal.KeyVolUp, true
	}
	k, ok := KeyMap[e.Code]
	return k, ok
}
