package evdev

import (
	"context"
	"errors"
	"os"
	"testing"

	"deskphone/hal"
)

func press(code uint16) []Event {
	return []Event{{evKey, code, valuePress}, {evSyn, 0, 0}, {evKey, code, valueRelease}, {evSyn, 0, 0}}
}

func TestMapper(t *testing.T) {
	var evs []Event
	for _, c := range []uint16{key1, keyKP0, keyKPAsterisk, keyKPSlash, keyUp, keyEnter, keyKPEnter,
		keyEsc, keyBackspace, keyHome, keyF1, keyF1 + 3, keyF1 + 4, keyF1 + 7, keySpace, keyS, keyH, keyM,
		keyEqual, keyKPMinus, keySpace, 30 /* KEY_A: ignored */} {
		evs = append(evs, press(c)...)
	}
	// An autorepeat of DOWN is dropped; Shift+3 is '#', Shift+8 is '*'.
	evs = append(evs, Event{evKey, keyDown, valuePress}, Event{evKey, keyDown, valueRepeat}, Event{evKey, keyDown, valueRelease})
	evs = append(evs, Event{evKey, keyLeftShift, valuePress})
	evs = append(evs, press(key3)...)
	evs = append(evs, press(key8)...)
	evs = append(evs, Event{evKey, keyLeftShift, valueRelease})
	evs = append(evs, press(key3)...)

	want := []hal.Key{hal.Key1, hal.Key0, hal.KeyStar, hal.KeyPound, hal.KeyUp, hal.KeyOK, hal.KeyOK,
		hal.KeyBack, hal.KeyBack, hal.KeyMenu, hal.KeySoft1, hal.KeySoft4, hal.KeyLine1, hal.KeyLine4,
		hal.KeyHookOff, hal.KeySpeaker, hal.KeyHeadset, hal.KeyMute, hal.KeyVolUp, hal.KeyVolDown, hal.KeyHookOn,
		hal.KeyDown, hal.KeyPound, hal.KeyStar, hal.Key3}
	var m mapper
	var got []hal.Key
	for _, e := range evs {
		if k, ok := m.key(e); ok {
			got = append(got, k)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("key %d = %s, want %s (all: %v)", i, got[i], want[i], got)
		}
	}
}

// Every mapped key is a real phone key.
func TestKeyMapKeys(t *testing.T) {
	for code, k := range KeyMap {
		if _, err := hal.ParseKey(string(k)); err != nil {
			t.Errorf("code %d maps to %v", code, err)
		}
	}
}

func pipeKeypad(t *testing.T) (*Keypad, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	k := newKeypad("pipe", r, 24)
	t.Cleanup(func() { k.Close() })
	return k, w
}

func writeEvents(t *testing.T, w *os.File, evs ...Event) {
	t.Helper()
	var b []byte
	for _, e := range evs {
		b = AppendEvent(b, e, 24)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
}

func TestNextKey(t *testing.T) {
	k, w := pipeKeypad(t)
	ctx := context.Background()
	writeEvents(t, w, append(press(key1+4), press(keyF1+1)...)...)
	for _, want := range []hal.Key{hal.Key5, hal.KeySoft2} {
		got, err := k.NextKey(ctx)
		if err != nil || got != want {
			t.Fatalf("NextKey = %q, %v; want %q", got, err, want)
		}
	}

	// Cancelling the context ends a waiting NextKey...
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := k.NextKey(cctx)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled NextKey: %v", err)
	}
	// ...and leaves the device ready for the next one.
	writeEvents(t, w, press(keyHome)...)
	if got, err := k.NextKey(ctx); err != nil || got != hal.KeyMenu {
		t.Fatalf("NextKey after cancel = %q, %v", got, err)
	}
	if _, err := k.NextKey(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("NextKey on a done context: %v", err)
	}
}

func TestNextKeyBrokenDevice(t *testing.T) {
	k, w := pipeKeypad(t)
	w.Write([]byte{1, 2, 3})
	if _, err := k.NextKey(context.Background()); err == nil {
		t.Fatal("a partial event was accepted")
	}
	w.Close()
	if _, err := k.NextKey(context.Background()); err == nil {
		t.Fatal("NextKey on a closed device succeeded")
	}
}
