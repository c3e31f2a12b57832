package media

import (
	"encoding/binary"
	"fmt"

	"github.com/shenjinti/go722"
)

// g722Codec is G.722 at 64 kbit/s: 16 kHz audio, 8000 Hz RTP clock (RFC 3551),
// 160 bytes per 20 ms. Encoder and decoder keep ADPCM state across frames.
type g722Codec struct {
	pt     uint8
	enc    *go722.G722Encoder
	dec    *go722.G722Decoder
	shadow *go722.G722Encoder // re-encodes concealed audio for the decoder
	buf    []byte
}

func newG722(pt uint8) *g722Codec {
	return &g722Codec{pt: pt,
		enc:    go722.NewG722Encoder(go722.Rate64000, go722.G722_DEFAULT),
		dec:    go722.NewG722Decoder(go722.Rate64000, go722.G722_DEFAULT),
		shadow: go722.NewG722Encoder(go722.Rate64000, go722.G722_DEFAULT),
		buf:    make([]byte, 640)}
}

func (c *g722Codec) Name() string       { return "G722" }
func (c *g722Codec) PayloadType() uint8 { return c.pt }
func (c *g722Codec) SampleRate() int    { return 16000 }
func (c *g722Codec) ClockRate() int     { return 8000 }
func (c *g722Codec) FrameSamples() int  { return 320 }

func (c *g722Codec) Encode(dst []byte, pcm []int16) ([]byte, error) {
	if err := checkFrame(c, pcm); err != nil {
		return dst, err
	}
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(c.buf[2*i:], uint16(s))
	}
	return append(dst, c.enc.Encode(c.buf[:2*len(pcm)])...), nil
}

func (c *g722Codec) Decode(dst []int16, payload []byte) ([]int16, error) {
	if len(payload) == 0 || len(payload) > 1600 {
		return dst, fmt.Errorf("G722 decode: payload of %d bytes", len(payload))
	}
	b := c.dec.Decode(payload)
	for i := 0; i+1 < len(b); i += 2 {
		dst = append(dst, int16(binary.LittleEndian.Uint16(b[i:])))
	}
	return dst, nil
}

// Concealed advances the decoder over a lost frame as if the frame had
// carried pcm, the concealment played in its place. An ADPCM decoder that
// just skips a frame keeps predictor and step sizes from 20 ms earlier and
// the first good frame after the loss comes out badly distorted; one that
// decoded an encoding of the concealed audio is close to where the far
// encoder is. The shadow encoder starts from the decoder's band states (an
// ADPCM encoder tracks the same reconstruction as its decoder).
func (c *g722Codec) Concealed(pcm []int16) {
	if len(pcm) != c.FrameSamples() {
		return
	}
	c.shadow.Band = c.dec.Band
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(c.buf[2*i:], uint16(s))
	}
	c.dec.Decode(c.shadow.Encode(c.buf[:2*len(pcm)]))
}
