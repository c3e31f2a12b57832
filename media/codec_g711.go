package media

import (
	"fmt"

	"github.com/zaf/g711"
)

// g711Codec is PCMU (mu-law) or PCMA (A-law): one byte per sample at 8 kHz.
type g711Codec struct {
	ulaw bool
	pt   uint8
}

func (c *g711Codec) Name() string {
	if c.ulaw {
		return "PCMU"
	}
	return "PCMA"
}
func (c *g711Codec) PayloadType() uint8 { return c.pt }
func (c *g711Codec) SampleRate() int    { return 8000 }
func (c *g711Codec) ClockRate() int     { return 8000 }
func (c *g711Codec) FrameSamples() int  { return 160 }

func (c *g711Codec) Encode(dst []byte, pcm []int16) ([]byte, error) {
	if err := checkFrame(c, pcm); err != nil {
		return dst, err
	}
	for _, s := range pcm {
		if c.ulaw {
			dst = append(dst, g711.EncodeUlawFrame(s))
		} else {
			dst = append(dst, g711.EncodeAlawFrame(s))
		}
	}
	return dst, nil
}

func (c *g711Codec) Decode(dst []int16, payload []byte) ([]int16, error) {
	if len(payload) == 0 || len(payload) > 1600 {
		return dst, fmt.Errorf("%s decode: payload of %d bytes", c.Name(), len(payload))
	}
	for _, b := range payload {
		if c.ulaw {
			dst = append(dst, g711.DecodeUlawFrame(b))
		} else {
			dst = append(dst, g711.DecodeAlawFrame(b))
		}
	}
	return dst, nil
}
