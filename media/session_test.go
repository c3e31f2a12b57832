package media

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

type received struct {
	mu   sync.Mutex
	pkts []*rtp.Packet
	ch   chan struct{}
}

func newReceived() *received { return &received{ch: make(chan struct{}, 4096)} }

func (r *received) deliver(p *rtp.Packet, _ time.Time) {
	c := *p
	c.Payload = append([]byte(nil), p.Payload...)
	r.mu.Lock()
	r.pkts = append(r.pkts, &c)
	r.mu.Unlock()
	r.ch <- struct{}{}
}

func (r *received) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-r.ch:
		case <-time.After(5 * time.Second): // a hang guard, not a timing assertion
			t.Fatalf("only %d packets delivered", len(r.pkts))
		}
	}
}

// sessionPair connects A and B through an in-memory pipe; B records what it gets.
func sessionPair(t *testing.T, srtp bool, suite Suite) (a, b *Session, connA *memConn, got *received, stop func()) {
	t.Helper()
	ca, cb := memPipe()
	var ka, kb Crypto
	if srtp {
		var err error
		if ka, err = NewCrypto(1, suite); err != nil {
			t.Fatal(err)
		}
		if kb, err = NewCrypto(1, suite); err != nil {
			t.Fatal(err)
		}
	}
	got = newReceived()
	a, err := NewSession(SessionConfig{Conn: ca, Remote: cb.name, PayloadType: 0, SRTP: srtp, Local: ka, RemoteKey: kb})
	if err != nil {
		t.Fatal(err)
	}
	b, err = NewSession(SessionConfig{Conn: cb, Remote: ca.name, PayloadType: 0, SRTP: srtp, Local: kb, RemoteKey: ka, Deliver: got.deliver})
	if err != nil {
		t.Fatal(err)
	}
	return a, b, ca, got, runSessions(t, a, b)
}

// runSessions runs each session until the returned stop is called, which
// also waits for them to end.
func runSessions(t *testing.T, ss ...*Session) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Run(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	return func() { cancel(); wg.Wait() }
}

func TestSessionAudioThrough(t *testing.T) {
	for _, srtp := range []bool{false, true} {
		a, b, _, got, stop := sessionPair(t, srtp, AES_CM_128_HMAC_SHA1_80)
		codec, _ := NewCodec("PCMU", 0)
		sig := sine(8000, 8000, 1000, 0.5)
		ts0 := a.Timestamp()
		for i := 0; i < len(sig); i += 160 {
			enc, _ := codec.Encode(nil, sig[i:i+160])
			if err := a.SendFrame(enc); err != nil {
				t.Fatal(err)
			}
		}
		got.wait(t, 50)
		stop()
		var out []int16
		for i, p := range got.pkts {
			if p.Timestamp != ts0+uint32(160*i) || p.SSRC != a.SSRC() || p.Marker != (i == 0) || p.PayloadType != 0 {
				t.Fatalf("srtp %v: packet %d: ts %d ssrc %x marker %v", srtp, i, p.Timestamp, p.SSRC, p.Marker)
			}
			if i > 0 && p.SequenceNumber != got.pkts[i-1].SequenceNumber+1 {
				t.Fatalf("sequence gap at %d", i)
			}
			out, _ = codec.Decode(out, p.Payload)
		}
		if snr := snrAt(sig, out, 0, 0); snr < 33 {
			t.Errorf("srtp %v: SNR through the session %.1f dB", srtp, snr)
		}
		ca, cb := a.Counters(), b.Counters()
		if ca.PacketsSent != 50 || ca.BytesSent != 8000 || cb.PacketsReceived != 50 || cb.BytesReceived != 8000 || cb.Lost != 0 {
			t.Errorf("srtp %v: counters A %+v B %+v", srtp, ca, cb)
		}
	}
}

func TestSessionReplayDropped(t *testing.T) {
	a, b, ca, got, stop := sessionPair(t, true, AES_CM_128_HMAC_SHA1_80)
	defer stop()
	var first []byte
	ca.mu.Lock()
	ca.tap = func(p []byte) [][]byte {
		if first == nil {
			first = p
			return [][]byte{p}
		}
		return [][]byte{first, p} // an attacker replays the first packet each time
	}
	ca.mu.Unlock()
	for range 5 {
		if err := a.SendFrame(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
	}
	got.wait(t, 5)
	// The replays queued before the 5th packet have all been handled.
	c := b.Counters()
	if c.PacketsReceived != 5 || c.ReplaysDropped != 4 || c.AuthFailures != 0 {
		t.Fatalf("counters %+v, want 5 received, 4 replays dropped", c)
	}
}

func TestSessionWrongKeyFailsAuth(t *testing.T) {
	for _, suite := range []Suite{AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM} {
		ca, cb := memPipe()
		ka, _ := NewCrypto(1, suite)
		wrong, _ := NewCrypto(1, suite)
		kb, _ := NewCrypto(1, suite)
		got := newReceived()
		a, _ := NewSession(SessionConfig{Conn: ca, Remote: cb.name, SRTP: true, Local: ka, RemoteKey: kb})
		b, _ := NewSession(SessionConfig{Conn: cb, Remote: ca.name, SRTP: true, Local: kb, RemoteKey: wrong, Deliver: got.deliver})
		for range 3 {
			if err := a.SendFrame(make([]byte, 160)); err != nil {
				t.Fatal(err)
			}
		}
		buf := make([]byte, 1500)
		for range 3 {
			n, _, _ := cb.ReadFrom(buf)
			b.Receive(buf[:n])
		}
		c := b.Counters()
		if c.AuthFailures != 3 || c.PacketsReceived != 0 || len(got.pkts) != 0 {
			t.Errorf("%s: counters %+v delivered %d, want 3 auth failures", suite, c, len(got.pkts))
		}
	}
}

func TestSessionSuitesInterop(t *testing.T) {
	for _, suite := range []Suite{AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, AES_256_CM_HMAC_SHA1_80, AEAD_AES_128_GCM, AEAD_AES_256_GCM} {
		a, b, ca, got, stop := sessionPair(t, true, suite)
		var wire [][]byte
		ca.mu.Lock()
		ca.tap = func(p []byte) [][]byte { wire = append(wire, p); return [][]byte{p} }
		ca.mu.Unlock()
		payload := bytes.Repeat([]byte{0x5a}, 160)
		for range 10 {
			if err := a.SendFrame(payload); err != nil {
				t.Fatal(err)
			}
		}
		got.wait(t, 10)
		stop()
		tag := map[Suite]int{AES_CM_128_HMAC_SHA1_32: 4, AEAD_AES_128_GCM: 16, AEAD_AES_256_GCM: 16}[suite]
		if tag == 0 {
			tag = 10
		}
		for i, p := range got.pkts {
			if !bytes.Equal(p.Payload, payload) {
				t.Fatalf("%s: payload %d differs", suite, i)
			}
		}
		if len(wire[0]) != 12+160+tag || bytes.Contains(wire[0], payload[:16]) {
			t.Errorf("%s: wire packet %d bytes (want %d) or payload in clear", suite, len(wire[0]), 12+160+tag)
		}
		if c := b.Counters(); c.PacketsReceived != 10 || c.AuthFailures != 0 {
			t.Errorf("%s: %+v", suite, c)
		}
	}
}

func TestSessionMKI(t *testing.T) {
	ca, cb := memPipe()
	k, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	k.MKI, k.MKILen = 7, 2
	got := newReceived()
	a, _ := NewSession(SessionConfig{Conn: ca, Remote: cb.name, SRTP: true, Local: k, RemoteKey: k})
	b, _ := NewSession(SessionConfig{Conn: cb, Remote: ca.name, SRTP: true, Local: k, RemoteKey: k, Deliver: got.deliver})
	if err := a.SendFrame([]byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, _, _ := cb.ReadFrom(buf)
	if n != 12+3+2+10 || buf[n-12] != 0 || buf[n-11] != 7 {
		t.Fatalf("packet %x: want MKI 0007 before the tag", buf[:n])
	}
	b.Receive(buf[:n])
	if len(got.pkts) != 1 {
		t.Fatalf("not delivered: %+v", b.Counters())
	}
}

func TestSessionLossCounted(t *testing.T) {
	a, b, ca, got, stop := sessionPair(t, false, "")
	defer stop()
	n := 0
	ca.mu.Lock()
	ca.tap = func(p []byte) [][]byte {
		n++
		if n%10 == 3 {
			return nil
		}
		return [][]byte{p}
	}
	ca.mu.Unlock()
	for range 100 {
		a.SendFrame([]byte{0})
	}
	got.wait(t, 90)
	// Packets 3, 13, ..., 93 were dropped: 10 losses, all before the last packet.
	if c := b.Counters(); c.Lost != 10 || c.PacketsReceived != 90 {
		t.Fatalf("lost %d received %d, want 10 and 90", c.Lost, c.PacketsReceived)
	}
}

func TestSessionOverLoopbackUDP(t *testing.T) {
	ua, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ub, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	k1, _ := NewCrypto(1, AEAD_AES_256_GCM)
	k2, _ := NewCrypto(1, AEAD_AES_256_GCM)
	got := newReceived()
	a, _ := NewSession(SessionConfig{Conn: ua, Remote: ub.LocalAddr(), SRTP: true, Local: k1, RemoteKey: k2})
	b, _ := NewSession(SessionConfig{Conn: ub, Remote: ua.LocalAddr(), SRTP: true, Local: k2, RemoteKey: k1, Deliver: got.deliver})
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { errs <- a.Run(ctx) }()
	go func() { errs <- b.Run(ctx) }()
	for range 20 {
		if err := a.SendFrame(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
	}
	got.wait(t, 20)
	cancel()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if c := b.Counters(); c.PacketsReceived != 20 || c.AuthFailures != 0 {
		t.Fatalf("%+v", c)
	}
}
