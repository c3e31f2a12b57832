package media

import (
	"math"
	"net"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

func TestRTCPInterval(t *testing.T) {
	const tmin = 5 * time.Second
	comp := math.E - 1.5
	// Voice bandwidth: the 5 s minimum rules; the first report comes at half.
	for _, c := range []struct {
		initial bool
		u       float64
		want    time.Duration
	}{
		{false, 0, time.Duration(float64(tmin) * 0.5 / comp)},
		{false, 0.5, time.Duration(float64(tmin) / comp)},
		{false, 0.999999, time.Duration(float64(tmin) * 1.499999 / comp)},
		{true, 0.5, time.Duration(float64(tmin) / 2 / comp)},
	} {
		got := rtcpInterval(2, 2, true, 100, 64000, tmin, c.initial, c.u)
		if d := got - c.want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("initial=%v u=%v: %v, want %v", c.initial, c.u, got, c.want)
		}
	}
	// 1 kbit/s: 5% is 6.25 octets/s; two members of 100-octet reports need 32 s.
	if got, want := rtcpInterval(2, 2, true, 100, 1000, tmin, false, 0.5), time.Duration(32/comp*float64(time.Second)); got-want > time.Millisecond || want-got > time.Millisecond {
		t.Errorf("low bandwidth: %v, want %v", got, want)
	}
	// One sender among eight: it gets a quarter of the bandwidth to itself.
	if got, want := rtcpInterval(8, 1, true, 100, 1000, tmin, false, 0.5), time.Duration(64/comp*float64(time.Second)); got-want > time.Millisecond || want-got > time.Millisecond {
		t.Errorf("lone sender: %v, want %v", got, want)
	}
}

// reportingPair runs two sessions with muxed RTCP every ~interval through an
// in-memory pipe; drop decides which RTP packets from A to B are lost.
func reportingPair(t *testing.T, interval time.Duration, drop func(seq uint16) bool) (a, b *Session, ca *memConn, stop func()) {
	t.Helper()
	ca, cb := memPipe()
	ka, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	kb, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	mk := func(c *memConn, remote net.Addr, local, peer Crypto, jb *JitterBuffer) *Session {
		s, err := NewSession(SessionConfig{Conn: c, Remote: remote, SRTP: true, Local: local, RemoteKey: peer,
			RTCPMux: true, RTCPInterval: interval, Jitter: jb, Deliver: Demux(jb, 0, 0, nil)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a = mk(ca, cb.name, ka, kb, NewJitterBuffer(JitterConfig{}))
	b = mk(cb, ca.name, kb, ka, NewJitterBuffer(JitterConfig{}))
	ca.tap = func(p []byte) [][]byte {
		if p[1]&0x7f < 64 && drop(uint16(p[2])<<8|uint16(p[3])) {
			return nil
		}
		return [][]byte{p}
	}
	return a, b, ca, runSessions(t, a, b)
}

// waitFor polls cond; a generous limit only turns a hang into a failure.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSessionSchedulesReports(t *testing.T) {
	a, b, _, stop := reportingPair(t, 40*time.Millisecond, func(seq uint16) bool { return seq%10 == 3 })
	defer stop()
	for range 200 {
		if err := a.SendFrame(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
		if err := b.SendFrame(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
	}
	// The initial sequence number is random: 200 in a row hold 20 whose
	// sequence ends in 3 modulo 10 but for the edges: 19 to 21 lost.
	waitFor(t, "B counting the loss", func() bool { return b.Stats().PacketsReceived >= 179 })
	// A learns B's view from B's reports: loss, and RTT from its own SRs.
	waitFor(t, "A's view of its stream from B's reports", func() bool {
		s := a.Stats()
		return s.PeerReport && s.PeerLost == b.Stats().Lost && s.HaveRTT
	})
	sa, sb := a.Stats(), b.Stats()
	t.Logf("A: %+v", sa)
	t.Logf("B: %+v", sb)
	if sb.Lost < 19 || sb.Lost > 21 || sb.LossPercent < 9 || sb.LossPercent > 11 {
		t.Errorf("B lost %d (%.1f%%), want 20 (10%%)", sb.Lost, sb.LossPercent)
	}
	if sa.Lost != 0 || sb.ReportsSent == 0 || sa.ReportsReceived == 0 || sb.ReportsReceived == 0 {
		t.Errorf("reports: A %+v, B %+v", sa, sb)
	}
	if sa.RTT > time.Second {
		t.Errorf("RTT over an in-memory pipe %v", sa.RTT)
	}
}

func TestSessionSaysGoodbye(t *testing.T) {
	a, b, _, stop := reportingPair(t, time.Hour, func(uint16) bool { return false })
	_ = a.SendFrame(make([]byte, 160))
	waitFor(t, "B to receive", func() bool { return b.Stats().PacketsReceived == 1 })
	got := make(chan []rtcp.Packet, 1)
	// Read B's side of the pipe as a sniffer: A's BYE is its last packet.
	a.cfg.Conn.(*memConn).mu.Lock()
	a.cfg.Conn.(*memConn).tap = func(p []byte) [][]byte {
		if p[1]&0x7f >= 64 && p[1]&0x7f <= 95 {
			b.rxCrypt.Lock()
			plain, err := b.rx.DecryptRTCP(nil, p, nil)
			b.rxCrypt.Unlock()
			if err == nil {
				if pkts, err := rtcp.Unmarshal(plain); err == nil {
					select {
					case got <- pkts:
					default:
					}
				}
			}
		}
		return [][]byte{p}
	}
	a.cfg.Conn.(*memConn).mu.Unlock()
	stop()
	select {
	case pkts := <-got:
		if len(pkts) != 3 {
			t.Fatalf("goodbye compound %v", pkts)
		}
		if _, ok := pkts[0].(*rtcp.SenderReport); !ok {
			t.Errorf("first packet %T, want an SR (A sent)", pkts[0])
		}
		if sd, ok := pkts[1].(*rtcp.SourceDescription); !ok || sd.Chunks[0].Items[0].Type != rtcp.SDESCNAME {
			t.Errorf("second packet %v, want SDES CNAME", pkts[1])
		}
		if bye, ok := pkts[2].(*rtcp.Goodbye); !ok || bye.Sources[0] != a.SSRC() {
			t.Errorf("third packet %v, want BYE from %x", pkts[2], a.SSRC())
		}
	default:
		t.Fatal("no RTCP BYE when the session ended")
	}
}

func TestSessionRTCPOnItsOwnSocket(t *testing.T) {
	rtpA, rtcpA, err := ListenRTP("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	rtpB, rtcpB, err := ListenRTP("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]*net.UDPConn{{rtpA, rtcpA}, {rtpB, rtcpB}} {
		p, q := c[0].LocalAddr().(*net.UDPAddr).Port, c[1].LocalAddr().(*net.UDPAddr).Port
		if p%2 != 0 || q != p+1 {
			t.Fatalf("ports %d/%d, want even/next", p, q)
		}
	}
	// RTCPRemote left out: the peer's RTP port + 1.
	a, err := NewSession(SessionConfig{Conn: rtpA, RTCPConn: rtcpA, Remote: rtpB.LocalAddr(), RTCPInterval: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSession(SessionConfig{Conn: rtpB, RTCPConn: rtcpB, Remote: rtpA.LocalAddr(), RTCPInterval: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stop := runSessions(t, a, b)
	for range 10 {
		_ = a.SendFrame(make([]byte, 160))
	}
	waitFor(t, "an RTT over loopback", func() bool { return a.Stats().HaveRTT && b.Stats().ReportsReceived > 0 })
	stop()
	if s := a.Stats(); s.RTT > 5*time.Second || s.PeerLost != 0 {
		t.Errorf("A: %+v", s)
	}
}

func TestSessionRTCPUnderWrongKeyCounted(t *testing.T) {
	a, b, _, stop := reportingPair(t, time.Hour, func(uint16) bool { return false })
	defer stop()
	// An SRTCP packet from A's session but protected under another key.
	k, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	rogue, err := NewSession(SessionConfig{Conn: &memConn{}, Remote: pipeAddr("x"), SRTP: true, Local: k, RemoteKey: k})
	if err != nil {
		t.Fatal(err)
	}
	pkt, err := rogue.MarshalRTCP(rogue.Report(time.Now(), false)...)
	if err != nil {
		t.Fatal(err)
	}
	b.Receive(pkt)
	good, _ := a.MarshalRTCP(a.Report(time.Now(), false)...)
	b.Receive(good)
	b.Receive(good) // replayed
	s := b.Stats()
	if s.AuthFailures != 1 || s.ReplaysDropped != 1 || s.ReportsReceived != 1 || s.PeerLeft {
		t.Fatalf("wrong key / replay: %+v, want 1 failure, 1 replay, 1 report", s)
	}
	bye, _ := a.MarshalRTCP(a.Report(time.Now(), true)...)
	b.Receive(bye)
	if !b.Stats().PeerLeft {
		t.Fatal("the peer's RTCP BYE not noted")
	}
}
