package net8021x

import (
	"encoding/binary"
	"fmt"
)

// EAP-TLS flags (RFC 5216 3.1); PEAP and TTLS share them and keep their
// version in the low three bits.
const (
	tlsFlagLength = 0x80
	tlsFlagMore   = 0x40
	tlsFlagStart  = 0x20
	tlsVersionMsk = 0x07
)

// tlsFramer splits outgoing TLS messages into EAP fragments and reassembles
// incoming ones (RFC 5216 2.1.5), for either side of the conversation.
type tlsFramer struct {
	fragSize int
	maxMsg   int
	version  uint8 // low flag bits sent (PEAP/TTLS version)

	in      []byte
	inTotal int  // announced total length, -1 when none
	inOpen  bool // a fragmented message is being reassembled
	out     []byte
	outOpen bool // out holds the rest of a fragmented message
}

func newTLSFramer(fragSize, maxMsg int) *tlsFramer {
	return &tlsFramer{fragSize: fragSize, maxMsg: maxMsg, inTotal: -1}
}

// frameResult is what one received fragment asks for.
type frameResult int

const (
	frameComplete frameResult = iota // a whole message is ready
	frameAck                         // more fragments follow: answer with an ACK
	frameNext                        // an ACK of our fragment: send the next
)

// sending tells whether fragments of an outgoing message remain.
func (f *tlsFramer) sending() bool { return f.outOpen }

// receive takes the type-data of one EAP-TLS packet (flags first).
func (f *tlsFramer) receive(data []byte) (frameResult, []byte, error) {
	if len(data) < 1 {
		return 0, nil, fmt.Errorf("TLS fragment without flags: %w", errMalformed)
	}
	flags, p := data[0], data[1:]
	if f.outOpen {
		if len(p) != 0 || flags&(tlsFlagLength|tlsFlagMore|tlsFlagStart) != 0 {
			return 0, nil, fmt.Errorf("TLS fragment (flags %#02x, %d bytes) where an ACK of our fragment was due: %w", flags, len(p), errMalformed)
		}
		return frameNext, nil, nil
	}
	if flags&tlsFlagLength != 0 {
		if len(p) < 4 {
			return 0, nil, fmt.Errorf("TLS fragment with the L flag but %d length bytes: %w", len(p), errMalformed)
		}
		total := int(binary.BigEndian.Uint32(p[:4]))
		p = p[4:]
		if total > f.maxMsg {
			return 0, nil, fmt.Errorf("TLS message of %d bytes announced, cap %d: %w", total, f.maxMsg, errMalformed)
		}
		if !f.inOpen {
			f.inTotal = total
		}
	}
	if flags&tlsFlagMore != 0 && len(p) == 0 {
		return 0, nil, fmt.Errorf("TLS fragment with the M flag and no data: %w", errMalformed)
	}
	if len(f.in)+len(p) > f.maxMsg {
		return 0, nil, fmt.Errorf("TLS message reassembly past %d bytes: %w", f.maxMsg, errMalformed)
	}
	f.in = append(f.in, p...)
	if f.inTotal >= 0 && len(f.in) > f.inTotal {
		return 0, nil, fmt.Errorf("TLS fragments carry %d bytes, %d announced: %w", len(f.in), f.inTotal, errMalformed)
	}
	if flags&tlsFlagMore != 0 {
		f.inOpen = true
		return frameAck, nil, nil
	}
	msg, total := f.in, f.inTotal
	f.in, f.inTotal, f.inOpen = nil, -1, false
	if total >= 0 && len(msg) != total {
		return 0, nil, fmt.Errorf("TLS message of %d bytes, %d announced: %w", len(msg), total, errMalformed)
	}
	return frameComplete, msg, nil
}

// send queues a whole message and returns its first fragment's type-data.
func (f *tlsFramer) send(msg []byte) []byte {
	f.out = msg
	if len(msg) <= f.fragSize {
		f.out, f.outOpen = nil, false
		return append([]byte{f.version}, msg...)
	}
	b := []byte{f.version | tlsFlagLength | tlsFlagMore, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(len(msg)))
	b = append(b, msg[:f.fragSize]...)
	f.out, f.outOpen = msg[f.fragSize:], true
	return b
}

// next returns the following fragment of the queued message.
func (f *tlsFramer) next() []byte {
	n := min(len(f.out), f.fragSize)
	flags := f.version
	if n < len(f.out) {
		flags |= tlsFlagMore
	}
	b := append([]byte{flags}, f.out[:n]...)
	f.out = f.out[n:]
	f.outOpen = len(f.out) > 0
	return b
}

// ack is the empty type-data that acknowledges a fragment.
func (f *tlsFramer) ack() []byte { return []byte{f.version} }
