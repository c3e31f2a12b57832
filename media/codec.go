package media

import "fmt"

// FrameDurationMs is the packetisation interval the phone sends and plays, in ms.
const FrameDurationMs = 20

// Codec encodes and decodes 20 ms frames of mono 16-bit PCM.
type Codec interface {
	Name() string
	PayloadType() uint8
	SampleRate() int // PCM rate: 8000, or 16000 for G.722
	ClockRate() int  // RTP timestamp rate: 8000 for all three (RFC 3551)
	FrameSamples() int
	// Encode appends the payload for one frame of FrameSamples() samples to dst.
	Encode(dst []byte, pcm []int16) ([]byte, error)
	// Decode appends the PCM of one payload to dst.
	Decode(dst []int16, payload []byte) ([]int16, error)
}

// NewCodec returns a codec by SDP name ("PCMU", "PCMA", "G722") sending
// payload type pt.
func NewCodec(name string, pt uint8) (Codec, error) {
	switch name {
	case "PCMU":
		return &g711Codec{ulaw: true, pt: pt}, nil
	case "PCMA":
		return &g711Codec{pt: pt}, nil
	case "G722":
		return newG722(pt), nil
	}
	return nil, fmt.Errorf("new codec: %q not supported", name)
}

// CodecFor returns the codec of a negotiated session.
func CodecFor(n Negotiated) (Codec, error) { return NewCodec(n.Codec.Name, n.Codec.Type) }

func checkFrame(c Codec, pcm []int16) error {
	if len(pcm) != c.FrameSamples() {
		return fmt.Errorf("%s encode: frame of %d samples, want %d", c.Name(), len(pcm), c.FrameSamples())
	}
	return nil
}
