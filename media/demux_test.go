package media

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestDemuxSplitsAudioAndDigits(t *testing.T) {
	jb := NewJitterBuffer(JitterConfig{})
	var digits []rune
	deliver := Demux(jb, 0, 101, func(d rune) { digits = append(digits, d) })
	t0 := time.Unix(10, 0)
	deliver(&rtp.Packet{Header: rtp.Header{PayloadType: 0, Timestamp: 160}, Payload: make([]byte, 160)}, t0)
	pk, _ := DTMFPackets('9', 320, 160, 10)
	for _, e := range pk {
		deliver(&rtp.Packet{Header: rtp.Header{PayloadType: 101, Timestamp: 320, Marker: e.Marker}, Payload: e.Payload}, t0)
	}
	deliver(&rtp.Packet{Header: rtp.Header{PayloadType: 8, Timestamp: 480}, Payload: make([]byte, 160)}, t0)
	if s := jb.Stats(); s.Buffered != 1 {
		t.Fatalf("buffered %d, want only the PCMU frame", s.Buffered)
	}
	if string(digits) != "9" {
		t.Fatalf("digits %q", string(digits))
	}
}
