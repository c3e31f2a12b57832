package hal

import (
	"context"
	"fmt"
	"strings"
)

// Key names one key of the phone, as the simulator API and the key maps spell it.
type Key string

// The keys of a deskphone. The hook switch is a key with two events.
const (
	Key0, Key1, Key2, Key3, Key4 Key = "0", "1", "2", "3", "4"
	Key5, Key6, Key7, Key8, Key9 Key = "5", "6", "7", "8", "9"
	KeyStar                      Key = "*"
	KeyPound                     Key = "#"

	KeySoft1, KeySoft2, KeySoft3, KeySoft4 Key = "SOFT1", "SOFT2", "SOFT3", "SOFT4"

	KeyUp    Key = "UP"
	KeyDown  Key = "DOWN"
	KeyLeft  Key = "LEFT"
	KeyRight Key = "RIGHT"
	KeyOK    Key = "OK"
	KeyMenu  Key = "MENU"
	KeyBack  Key = "BACK"

	KeyHookOff Key = "HOOK_OFF"
	KeyHookOn  Key = "HOOK_ON"
	KeySpeaker Key = "SPEAKER"
	KeyHeadset Key = "HEADSET"
	KeyMute    Key = "MUTE"
	KeyVolUp   Key = "VOL_UP"
	KeyVolDown Key = "VOL_DOWN"

	KeyLine1, KeyLine2, KeyLine3, KeyLine4 Key = "LINE1", "LINE2", "LINE3", "LINE4"
)

// Keys lists every key in the order a keypad page lays them out.
var Keys = []Key{
	KeySoft1, KeySoft2, KeySoft3, KeySoft4,
	KeyLine1, KeyLine2, KeyLine3, KeyLine4,
	KeyMenu, KeyUp, KeyBack, KeyLeft, KeyOK, KeyRight, KeyDown,
	Key1, Key2, Key3, Key4, Key5, Key6, Key7, Key8, Key9, KeyStar, Key0, KeyPound,
	KeyHookOff, KeyHookOn, KeySpeaker, KeyHeadset, KeyMute, KeyVolDown, KeyVolUp,
}

// Digit reports whether k is one of 0-9, * and #.
func (k Key) Digit() bool {
	return len(k) == 1 && strings.Contains("0123456789*#", string(k))
}

// ParseKey reads a key name (case-insensitive for the named keys).
func ParseKey(s string) (Key, error) {
	k := Key(strings.ToUpper(strings.TrimSpace(s)))
	for _, known := range Keys {
		if k == known {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown key %q", s)
}

// ParseKeys reads key names separated by white space, as "MENU DOWN OK 1 2 BACK".
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	for _, f := range strings.Fields(s) {
		k, err := ParseKey(f)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// Keypad delivers key presses, the hook switch included.
type Keypad interface {
	// NextKey blocks until a key is pressed or ctx is done.
	NextKey(ctx context.Context) (Key, error)
}
