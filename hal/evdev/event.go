package evdev

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// Event types and values of <linux/input.h> that the keypad reads.
const (
	evSyn = 0x00
	evKey = 0x01

	valueRelease = 0
	valuePress   = 1
	valueRepeat  = 2
)

// EventSize is the size of struct input_event on this machine: a struct
// timeval of two longs (8 or 16 bytes) then type, code and value. 32-bit
// ARM kernels keep the 16-byte form even with 64-bit time elsewhere.
const EventSize = 8 + 2*strconv.IntSize/8

// Event is one input event without its timestamp.
type Event struct {
	Type  uint16
	Code  uint16
	Value int32
}

// ParseEvents decodes whole events of size bytes each (16 or 24), in the
// little-endian byte order of the ARM and x86 machines the firmware runs on.
// A trailing partial event is an error; the events before it are returned.
func ParseEvents(b []byte, size int) ([]Event, error) {
	if size != 16 && size != 24 {
		return nil, fmt.Errorf("parse input events: event size %d (want 16 or 24)", size)
	}
	evs := make([]Event, 0, len(b)/size)
	for ; len(b) >= size; b = b[size:] {
		tail := b[size-8 : size] // after the timestamp
		evs = append(evs, Event{
			Type:  binary.LittleEndian.Uint16(tail[0:]),
			Code:  binary.LittleEndian.Uint16(tail[2:]),
			Value: int32(binary.LittleEndian.Uint32(tail[4:])),
		})
	}
	if len(b) != 0 {
		return evs, fmt.Errorf("parse input events: %d trailing bytes, not a whole %d-byte event", len(b), size)
	}
	return evs, nil
}

// AppendEvent encodes e as a size-byte input_event with a zero timestamp:
// what a test writes where the kernel would.
func AppendEvent(b []byte, e Event, size int) []byte {
	b = append(b, make([]byte, size-8)...)
	b = binary.LittleEndian.AppendUint16(b, e.Type)
	b = binary.LittleEndian.AppendUint16(b, e.Code)
	return binary.LittleEndian.AppendUint32(b, uint32(e.Value))
}
