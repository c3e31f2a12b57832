package media

import (
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// nullConn swallows writes and keeps the last one.
type nullConn struct{ last []byte }

func (c *nullConn) ReadFrom([]byte) (int, net.Addr, error) { return 0, nil, errClosed }
func (c *nullConn) WriteTo(p []byte, _ net.Addr) (int, error) {
	c.last = append(c.last[:0], p...)
	return len(p), nil
}
func (c *nullConn) Close() error { return nil }

func benchCodecs(b *testing.B, f func(b *testing.B, c Codec, pcm []int16)) {
	for _, name := range []string{"PCMU", "PCMA", "G722"} {
		b.Run(name, func(b *testing.B) {
			c, _ := NewCodec(name, 0)
			f(b, c, speechLike(c.SampleRate(), c.FrameSamples()))
		})
	}
}

func BenchmarkEncodeProtect(b *testing.B) {
	benchCodecs(b, func(b *testing.B, c Codec, pcm []int16) {
		k, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
		s, err := NewSession(SessionConfig{Conn: &nullConn{}, Remote: pipeAddr("x"), SRTP: true, Local: k, RemoteKey: k})
		if err != nil {
			b.Fatal(err)
		}
		var enc []byte
		b.ReportAllocs()
		for b.Loop() {
			enc, _ = c.Encode(enc[:0], pcm)
			if err := s.SendFrame(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUnprotectDecode(b *testing.B) {
	benchCodecs(b, func(b *testing.B, c Codec, pcm []int16) {
		k, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
		conn := &nullConn{}
		tx, _ := NewSession(SessionConfig{Conn: conn, Remote: pipeAddr("x"), SRTP: true, Local: k, RemoteKey: k})
		// Pre-protect enough distinct packets: the replay window refuses repeats.
		var wire [][]byte
		enc, _ := c.Encode(nil, pcm)
		for range 1 << 14 {
			tx.SendFrame(enc)
			wire = append(wire, append([]byte(nil), conn.last...))
		}
		var dec []int16
		rx, _ := NewSession(SessionConfig{Conn: &nullConn{}, Remote: pipeAddr("x"), SRTP: true, Local: k, RemoteKey: k,
			Deliver: func(p *rtp.Packet, _ time.Time) { dec, _ = c.Decode(dec[:0], p.Payload) }})
		// As the session's readers do: one reused scratch packet.
		sc, at := new(rxScratch), time.Unix(1000, 0)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == len(wire) {
				b.StopTimer()
				rx, _ = NewSession(SessionConfig{Conn: &nullConn{}, Remote: pipeAddr("x"), SRTP: true, Local: k, RemoteKey: k,
					Deliver: func(p *rtp.Packet, _ time.Time) { dec, _ = c.Decode(dec[:0], p.Payload) }})
				i = 0
				b.StartTimer()
			}
			rx.receive(wire[i], at, sc)
			i++
		}
		if rx.Counters().AuthFailures != 0 || len(dec) != c.FrameSamples() {
			b.Fatalf("%+v, %d samples", rx.Counters(), len(dec))
		}
	})
}

func BenchmarkJitterBufferPacket(b *testing.B) {
	jb := NewJitterBuffer(JitterConfig{})
	payload := make([]byte, 160)
	t0 := time.Unix(1000, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		now := t0.Add(time.Duration(i) * 20 * time.Millisecond)
		jb.Push(Frame{Timestamp: uint32(160 * i), Seq: uint16(i), Payload: payload}, now.Add(time.Duration(i%3)*time.Millisecond))
		jb.Pop(now)
		i++
	}
}
