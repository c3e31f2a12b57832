package evdev

import (
	"bytes"
	"testing"
)

// A key press as a 64-bit kernel writes it: timeval {sec, usec} of 8 bytes
// each, then EV_KEY, KEY_1, value 1.
var press64 = []byte{
	0x10, 0x32, 0x54, 0x76, 0, 0, 0, 0, 0x20, 0xa1, 0x07, 0, 0, 0, 0, 0,
	0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
}

// The same on 32-bit ARM: 4-byte sec and usec, then a SYN_REPORT.
var press32 = []byte{
	0x10, 0x32, 0x54, 0x76, 0x20, 0xa1, 0x07, 0,
	0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x10, 0x32, 0x54, 0x76, 0x20, 0xa1, 0x07, 0,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
}

func TestParseEvents(t *testing.T) {
	evs, err := ParseEvents(press64, 24)
	if err != nil || len(evs) != 1 || evs[0] != (Event{Type: evKey, Code: key1, Value: valuePress}) {
		t.Fatalf("64-bit: %v %+v", err, evs)
	}
	evs, err = ParseEvents(press32, 16)
	if err != nil || len(evs) != 2 || evs[0] != (Event{Type: evKey, Code: key1, Value: 1}) || evs[1] != (Event{}) {
		t.Fatalf("32-bit: %v %+v", err, evs)
	}
	// A release with value -1 would be odd, but the value is signed.
	neg := AppendEvent(nil, Event{Type: 3, Code: 0, Value: -5}, 24)
	if evs, _ := ParseEvents(neg, 24); evs[0].Value != -5 {
		t.Fatalf("signed value: %+v", evs)
	}
	evs, err = ParseEvents(append(press64, 1, 2, 3), 24)
	if err == nil || len(evs) != 1 {
		t.Fatalf("trailing bytes: %v %+v", err, evs)
	}
	if _, err := ParseEvents(press64, 12); err == nil {
		t.Fatal("event size 12 accepted")
	}
	if EventSize != 16 && EventSize != 24 {
		t.Fatalf("EventSize %d", EventSize)
	}
}

func TestAppendEventRoundTrip(t *testing.T) {
	for _, size := range []int{16, 24} {
		e := Event{Type: evKey, Code: keyF1, Value: valueRepeat}
		b := AppendEvent(nil, e, size)
		if len(b) != size {
			t.Fatalf("size %d: encoded %d bytes", size, len(b))
		}
		evs, err := ParseEvents(b, size)
		if err != nil || len(evs) != 1 || evs[0] != e {
			t.Fatalf("size %d: %v %+v", size, err, evs)
		}
	}
}

func FuzzParseEvents(f *testing.F) {
	f.Add(press64, 24)
	f.Add(press32, 16)
	f.Add([]byte{1, 2, 3}, 16)
	f.Fuzz(func(t *testing.T, b []byte, size int) {
		evs, err := ParseEvents(b, size)
		if size != 16 && size != 24 {
			if err == nil {
				t.Fatalf("size %d accepted", size)
			}
			return
		}
		if len(evs) != len(b)/size || (err == nil) != (len(b)%size == 0) {
			t.Fatalf("%d bytes of %d: %d events, err %v", len(b), size, len(evs), err)
		}
		// Re-encoding keeps everything but the timestamps.
		var again []byte
		for _, e := range evs {
			again = AppendEvent(again, e, size)
		}
		for i := range evs {
			if !bytes.Equal(again[i*size+size-8:(i+1)*size], b[i*size+size-8:(i+1)*size]) {
				t.Fatalf("event %d re-encoded differently", i)
			}
		}
		var m mapper
		for _, e := range evs {
			m.key(e) // any event sequence is safe to map
		}
	})
}
