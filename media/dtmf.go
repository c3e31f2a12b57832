package media

import (
	"encoding/binary"
	"fmt"
)

// RFC 4733 telephone-event payload: event(8) | E(1) R(1) volume(6) | duration(16).

const dtmfEvents = "0123456789*#ABCD"

// DTMFEvent maps a digit to its RFC 4733 event code (0-15).
func DTMFEvent(digit rune) (uint8, error) {
	for i, r := range dtmfEvents {
		if r == digit || (r >= 'A' && r+'a'-'A' == digit) {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("dtmf: %q is not a DTMF digit (0-9 * # A-D)", digit)
}

// EventPayload is one decoded telephone-event payload.
type EventPayload struct {
	Event    uint8
	End      bool
	Volume   uint8  // 0-63, in -dBm0
	Duration uint16 // in RTP timestamp units since the event's timestamp
}

// Marshal encodes p into 4 bytes.
func (p EventPayload) Marshal() []byte {
	b := make([]byte, 4)
	b[0] = p.Event
	b[1] = p.Volume & 0x3f
	if p.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], p.Duration)
	return b
}

// ParseEventPayload decodes a telephone-event payload. Extra blocks (RFC 4733
// redundancy is via RFC 2198, not here) are ignored after the first 4 bytes.
func ParseEventPayload(b []byte) (EventPayload, error) {
	if len(b) < 4 {
		return EventPayload{}, fmt.Errorf("telephone-event payload of %d bytes, want 4", len(b))
	}
	return EventPayload{Event: b[0], End: b[1]&0x80 != 0, Volume: b[1] & 0x3f, Duration: binary.BigEndian.Uint16(b[2:])}, nil
}

// EventPacket is one RTP packet of a telephone event, all sharing the
// event's start timestamp.
type EventPacket struct {
	Marker  bool
	Payload []byte
}

// DTMFPackets lays out one digit as RFC 4733 2.5 describes: a first packet
// with the marker bit, an update every frame with the growing duration, and
// the final duration sent three times with the E bit. frameTicks is the
// packet interval in timestamp units (160 = 20 ms at 8000 Hz); the tone lasts
// at least duration ticks. Send one packet per 20 ms tick; the three end
// packets may go in the same tick.
func DTMFPackets(digit rune, durationTicks, frameTicks int, volume uint8) ([]EventPacket, error) {
	ev, err := DTMFEvent(digit)
	if err != nil {
		return nil, err
	}
	if frameTicks <= 0 || durationTicks <= 0 || durationTicks > 0xffff {
		return nil, fmt.Errorf("dtmf %c: duration %d / frame %d ticks out of range", digit, durationTicks, frameTicks)
	}
	var out []EventPacket
	d := 0
	for d < durationTicks {
		d = min(d+frameTicks, durationTicks)
		out = append(out, EventPacket{Marker: len(out) == 0,
			Payload: EventPayload{Event: ev, Volume: volume, Duration: uint16(d)}.Marshal()})
	}
	for range 3 {
		out = append(out, EventPacket{Payload: EventPayload{Event: ev, End: true, Volume: volume, Duration: uint16(d)}.Marshal()})
	}
	return out, nil
}

// DTMFReceiver turns received telephone-event packets into digits, each
// reported once even when its start packet or end packets were lost.
type DTMFReceiver struct {
	have   bool
	lastTS uint32
}

// Receive takes one event packet's timestamp and payload; ok is true the
// first time an event (a new timestamp) is seen.
func (r *DTMFReceiver) Receive(ts uint32, payload []byte) (digit rune, ok bool, err error) {
	p, err := ParseEventPayload(payload)
	if err != nil {
		return 0, false, err
	}
	if int(p.Event) >= len(dtmfEvents) {
		return 0, false, nil // other events (tones, flash): not digits
	}
	if r.have && ts == r.lastTS {
		return 0, false, nil
	}
	r.have, r.lastTS = true, ts
	return rune(dtmfEvents[p.Event]), true, nil
}
