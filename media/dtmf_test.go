package media

import (
	"bytes"
	"testing"
)

func TestDTMFEventCodes(t *testing.T) {
	// RFC 4733 table 3: 0-9 are events 0-9, * 10, # 11, A-D 12-15.
	for i, d := range "0123456789*#ABCD" {
		ev, err := DTMFEvent(d)
		if err != nil || int(ev) != i {
			t.Errorf("%c: %d %v, want %d", d, ev, err, i)
		}
	}
	if ev, err := DTMFEvent('d'); err != nil || ev != 15 {
		t.Errorf("lower-case d: %d %v", ev, err)
	}
	if _, err := DTMFEvent('E'); err == nil {
		t.Error("E accepted")
	}
}

func TestDTMFPayloadLayout(t *testing.T) {
	// Figure 1 of RFC 4733: event | E R volume | duration.
	p := EventPayload{Event: 5, Volume: 10, Duration: 800}
	if got := p.Marshal(); !bytes.Equal(got, []byte{0x05, 0x0a, 0x03, 0x20}) {
		t.Fatalf("payload %x", got)
	}
	p.End = true
	if got := p.Marshal(); !bytes.Equal(got, []byte{0x05, 0x8a, 0x03, 0x20}) {
		t.Fatalf("end payload %x", got)
	}
	back, err := ParseEventPayload([]byte{0x0b, 0xbf, 0xff, 0xff})
	if err != nil || back != (EventPayload{Event: 11, End: true, Volume: 63, Duration: 65535}) {
		t.Fatalf("parse: %+v %v", back, err)
	}
	if _, err := ParseEventPayload([]byte{1, 2}); err == nil {
		t.Fatal("short payload accepted")
	}
}

func TestDTMFPacketSequence(t *testing.T) {
	// A 100 ms '#' at 20 ms packets: 5 updates (160..800), then three end packets of 800.
	pk, err := DTMFPackets('#', 800, 160, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pk) != 8 {
		t.Fatalf("%d packets, want 8", len(pk))
	}
	for i, p := range pk {
		e, _ := ParseEventPayload(p.Payload)
		wantDur := uint16(min(160*(i+1), 800))
		if e.Event != 11 || e.Volume != 10 || e.Duration != wantDur || e.End != (i >= 5) || p.Marker != (i == 0) {
			t.Errorf("packet %d: %+v marker %v", i, e, p.Marker)
		}
	}
	// A duration that is not a multiple of the frame ends on the exact value.
	pk, _ = DTMFPackets('1', 500, 160, 10)
	last, _ := ParseEventPayload(pk[len(pk)-1].Payload)
	if last.Duration != 500 || len(pk) != 4+3 {
		t.Fatalf("duration %d in %d packets", last.Duration, len(pk))
	}
}

func TestDTMFReceiverOncePerEvent(t *testing.T) {
	var r DTMFReceiver
	var got []rune
	feed := func(ts uint32, pk []EventPacket) {
		for _, p := range pk {
			if d, ok, err := r.Receive(ts, p.Payload); err != nil {
				t.Fatal(err)
			} else if ok {
				got = append(got, d)
			}
		}
	}
	one, _ := DTMFPackets('1', 800, 160, 10)
	two, _ := DTMFPackets('2', 800, 160, 10)
	feed(1000, one)
	feed(1000, one[6:]) // late retransmitted end packets
	feed(3000, two[2:]) // start packets lost
	feed(5000, one)     // the same digit again, a new event
	if string(got) != "121" {
		t.Fatalf("digits %q, want \"121\"", string(got))
	}
}

func FuzzDTMFReceive(f *testing.F) {
	f.Add(uint32(1000), []byte{0x05, 0x0a, 0x03, 0x20})
	f.Add(uint32(1000), []byte{0x0b, 0x8a, 0x03, 0x20, 0x00})
	f.Add(uint32(0), []byte{0x10, 0x00})
	f.Fuzz(func(t *testing.T, ts uint32, b []byte) {
		var r DTMFReceiver
		d, ok, err := r.Receive(ts, b)
		if err != nil {
			return
		}
		if ok {
			if _, err := DTMFEvent(d); err != nil {
				t.Fatalf("reported non-digit %q", d)
			}
			if _, again, _ := r.Receive(ts, b); again {
				t.Fatal("same event reported twice")
			}
		}
	})
}
