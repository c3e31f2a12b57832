package media

import (
	"context"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/hal/sim"

	"github.com/pion/rtp"
)

// waitTicking polls cond while ticking the path: a wait, not a timing assertion.
func waitTicking(t *testing.T, what string, tick func(), cond func() bool) {
	t.Helper()
	for range 2000 {
		if tick != nil {
			tick()
		}
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// The audio path reads the session's RTP socket at its own tick, and hands
// it back when it stops: every packet is received exactly once, by one of
// them, and sending keeps working on the taken socket.
func TestAudioPathPollsSessionSocket(t *testing.T) {
	ua, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ub, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ub.Close()
	k1, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	k2, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	jb := NewJitterBuffer(JitterConfig{})
	var (
		mu       sync.Mutex // the path's goroutine appends, the test reads
		arrivals []time.Time
	)
	a, err := NewSession(SessionConfig{Conn: ua, Remote: ub.LocalAddr(), SRTP: true, Local: k1, RemoteKey: k2, RTCPMux: true,
		Deliver: func(p *rtp.Packet, at time.Time) {
			mu.Lock()
			arrivals = append(arrivals, at)
			mu.Unlock()
			jb.Push(Frame{Timestamp: p.Timestamp, Seq: p.SequenceNumber, Payload: p.Payload}, at)
		}})
	if err != nil {
		t.Fatal(err)
	}
	peer, err := NewSession(SessionConfig{Conn: &udpSender{ub}, Remote: ua.LocalAddr(), SRTP: true, Local: k2, RemoteKey: k1})
	if err != nil {
		t.Fatal(err)
	}
	codec, _ := NewCodec("PCMU", 0)

	ctx, cancel := context.WithCancel(context.Background())
	sessDone := make(chan error, 1)
	go func() { sessDone <- a.Run(ctx) }()
	pctx, pcancel := context.WithCancel(ctx)
	ticks := make(chan time.Time)
	audio := sim.NewAudio()
	audio.SetRecording(false)
	path, err := NewAudioPath(AudioPathConfig{Audio: audio, Enabled: []hal.Endpoint{hal.Handset}, Endpoint: hal.Handset,
		Codec: codec, Send: a, Receive: jb, Ticks: ticks})
	if err != nil {
		t.Fatal(err)
	}
	pathDone := make(chan error, 1)
	go func() { pathDone <- path.Run(pctx) }()
	tick := func() { ticks <- time.Now() }

	sent := time.Now()
	for range 5 {
		if err := peer.SendFrame(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
	}
	waitTicking(t, "5 packets read by the path", tick, func() bool { return a.Counters().PacketsReceived == 5 })
	// Only Linux (not 386) has the raw socket; elsewhere the session reads.
	if want := runtime.GOOS == "linux" && runtime.GOARCH != "386"; a.poll.taken() != want {
		t.Fatalf("socket taken by the path: %v, want %v", a.poll.taken(), want)
	}
	// Arrival times are the kernel's, not the tick's: none before the send.
	mu.Lock()
	first := arrivals[0]
	mu.Unlock()
	if first.Before(sent.Add(-time.Second)) || first.After(time.Now()) {
		t.Fatalf("arrival %v, sent at %v", first, sent)
	}
	// Sending goes out of the taken socket.
	buf := make([]byte, 1500)
	tick()
	ub.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, _, err := ub.ReadFrom(buf); err != nil {
		t.Fatalf("no packet from the path's session: %v", err)
	}

	// The path stops; the session reads on by itself.
	pcancel()
	if err := <-pathDone; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := peer.SendFrame(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
	}
	waitTicking(t, "3 packets read by the session", nil, func() bool { return a.Counters().PacketsReceived == 8 })
	cancel()
	if err := <-sessDone; err != nil {
		t.Fatal(err)
	}
	if c := a.Counters(); c.PacketsReceived != 8 || c.AuthFailures != 0 || c.ReplaysDropped != 0 {
		t.Fatalf("%+v", c)
	}
}

// udpSender lets a session send on a socket the test reads itself.
type udpSender struct{ c *net.UDPConn }

func (u *udpSender) ReadFrom([]byte) (int, net.Addr, error)    { return 0, nil, net.ErrClosed }
func (u *udpSender) WriteTo(p []byte, a net.Addr) (int, error) { return u.c.WriteTo(p, a) }
func (u *udpSender) Close() error                              { return nil }

// Per packet, the session's receive path and the jitter buffer allocate
// nothing once warm.
func TestReceiveAllocatesNothing(t *testing.T) {
	k, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	conn := &nullConn{}
	tx, _ := NewSession(SessionConfig{Conn: conn, Remote: pipeAddr("x"), SRTP: true, Local: k, RemoteKey: k})
	var wire [][]byte
	for range 200 {
		tx.SendFrame(make([]byte, 160))
		wire = append(wire, append([]byte(nil), conn.last...))
	}
	jb := NewJitterBuffer(JitterConfig{})
	rx, _ := NewSession(SessionConfig{Conn: &nullConn{}, Remote: pipeAddr("x"), SRTP: true, Local: k, RemoteKey: k,
		Deliver: Demux(jb, 0, 0, nil)})
	sc, t0 := new(rxScratch), time.Unix(1000, 0)
	i := 0
	step := func() {
		now := t0.Add(time.Duration(i) * 20 * time.Millisecond)
		rx.receive(wire[i], now, sc)
		jb.Pop(now)
		i++
	}
	for range 20 {
		step()
	}
	if n := testing.AllocsPerRun(100, step); n != 0 {
		t.Fatalf("%v allocations per packet", n)
	}
	if c := rx.Counters(); c.PacketsReceived != 121 || c.AuthFailures != 0 {
		t.Fatalf("%+v", c)
	}
}
