package media

import (
	"context"
	"math"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/lab"
)

// recAudio is a hal.Audio whose microphone is quiet and whose earpiece is
// recorded.
type recAudio struct {
	mu  sync.Mutex
	out []int16
}

func (a *recAudio) Open(hal.Endpoint, hal.AudioFormat) (hal.AudioStream, error) { return a, nil }
func (a *recAudio) Read(p []int16) (int, error)                                 { clear(p); return len(p), nil }
func (a *recAudio) Close() error                                                { return nil }
func (a *recAudio) Write(p []int16) (int, error) {
	a.mu.Lock()
	a.out = append(a.out, p...)
	a.mu.Unlock()
	return len(p), nil
}

// tapConn keeps a copy of every datagram a session sends.
type tapConn struct {
	*net.UDPConn
	mu   sync.Mutex
	sent [][]byte
}

func (c *tapConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	c.mu.Lock()
	c.sent = append(c.sent, append([]byte(nil), p...))
	c.mu.Unlock()
	return c.UDPConn.WriteTo(p, addr)
}

// tickLog wraps the jitter buffer: what each playout tick decided, and the
// depth it reported right after.
type tickLog struct {
	jb    *JitterBuffer
	mu    sync.Mutex
	kinds []PlayoutKind
	depth []time.Duration
}

func (l *tickLog) Pop(now time.Time) Playout {
	p := l.jb.Pop(now)
	d := l.jb.Depth()
	l.mu.Lock()
	l.kinds = append(l.kinds, p.Kind)
	l.depth = append(l.depth, d)
	l.mu.Unlock()
	return p
}

// TestLossyNetworkConcealed is the proof through a bad network: two SRTP
// sessions over loopback UDP through a relay that drops 5% of the packets
// and delays each by 0-40 ms. A talks for 10 s on its own steady clock; B
// plays through the jitter buffer and the audio path on a 20 ms ticker.
// The earpiece must never fall silent except where concealment had
// already run 60 ms (Appendix I fades to silence there), the buffer's
// depth must stay within 20-80 ms, and the loss must be counted and reach
// A through RTCP. At the end an attacker on the path replays one of A's
// packets and sends one under its own key: B drops both and counts them.
// Real time: not parallel, and nothing asserts on timing.
func TestLossyNetworkConcealed(t *testing.T) {
	const frames = 500 // 10 s
	connA, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	connB, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	relay, err := lab.NewRelay(lab.RelayConfig{Loss: 0.05, MaxDelay: 40 * time.Millisecond, Seed: 42},
		connA.LocalAddr().(*net.UDPAddr), connB.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	ka, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	kb, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	jbA, jbB := NewJitterBuffer(JitterConfig{}), NewJitterBuffer(JitterConfig{})
	tapA := &tapConn{UDPConn: connA}
	a, err := NewSession(SessionConfig{Conn: tapA, Remote: relay.AddrA(), SRTP: true, Local: ka, RemoteKey: kb,
		RTCPMux: true, RTCPInterval: time.Second, Jitter: jbA, Deliver: Demux(jbA, 0, 0, nil)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSession(SessionConfig{Conn: connB, Remote: relay.AddrB(), SRTP: true, Local: kb, RemoteKey: ka,
		RTCPMux: true, RTCPInterval: time.Second, Jitter: jbB, Deliver: Demux(jbB, 0, 0, nil)})
	if err != nil {
		t.Fatal(err)
	}
	codec, _ := NewCodec("PCMU", 0)
	ear := &recAudio{}
	log := &tickLog{jb: jbB}
	path, err := NewAudioPath(AudioPathConfig{Audio: ear, Enabled: []hal.Endpoint{hal.Handset}, Endpoint: hal.Handset,
		Codec: codec, Send: b, Receive: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	run := func(f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	run(relay.Run)
	run(a.Run)
	run(b.Run)
	run(path.Run)

	// A talks: a frame every 20 ms of its own clock, catching up after a stall.
	speech := speechLike(8000, frames*160)
	enc, _ := NewCodec("PCMU", 0)
	start := time.Now()
	var payload []byte
	for k := range frames {
		if d := time.Until(start.Add(time.Duration(k) * 20 * time.Millisecond)); d > 0 {
			time.Sleep(d)
		}
		payload, _ = enc.Encode(payload[:0], speech[k*160:(k+1)*160])
		if err := a.SendFrame(payload); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond) // the tail out of the relay and the buffer

	// An attacker on the path replays one of A's packets that B took, and
	// sends one under a key of its own: both are dropped and counted.
	dropped := map[uint16]bool{}
	for _, d := range relay.Drops() {
		if d.ToB && len(d.Head) >= 4 {
			dropped[uint16(d.Head[2])<<8|uint16(d.Head[3])] = true
		}
	}
	var replay []byte
	tapA.mu.Lock()
	for _, p := range tapA.sent[100:] {
		if p[1]&0x7f == 0 && !dropped[uint16(p[2])<<8|uint16(p[3])] {
			replay = p
			break
		}
	}
	tapA.mu.Unlock()
	attacker, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer attacker.Close()
	rogueKey, _ := NewCrypto(1, AES_CM_128_HMAC_SHA1_80)
	rogue, _ := NewSession(SessionConfig{Conn: attacker, Remote: connB.LocalAddr(), SRTP: true, Local: rogueKey, RemoteKey: rogueKey})
	before := b.Stats()
	if _, err := attacker.WriteTo(replay, connB.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if err := rogue.SendFrame(payload); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B to count the replay and the forgery", func() bool {
		s := b.Stats()
		return s.ReplaysDropped+s.AuthFailures >= before.ReplaysDropped+before.AuthFailures+2
	})
	cancel()
	wg.Wait()

	// The earpiece: one 20 ms frame per tick, tick k's decision in frame k.
	log.mu.Lock()
	kinds, depths := slices.Clone(log.kinds), slices.Clone(log.depth)
	log.mu.Unlock()
	out := ear.out
	if len(out) != 160*len(kinds) {
		t.Fatalf("%d samples played for %d ticks", len(out), len(kinds))
	}
	first := slices.Index(kinds, PlayFrame)
	last := len(kinds) - 1
	for last > 0 && kinds[last] != PlayFrame {
		last--
	}
	if first < 0 || last-first < frames/2 {
		t.Fatalf("played frames from tick %d to %d of %d", first, last, len(kinds))
	}
	ref := rmsFrames(speech)
	slices.Sort(ref)
	quiet := 0.01 * ref[len(ref)/2] // -40 dB under the median frame
	run0, longestConceal, silentMs, longestSilent, unexplained := 0, 0, 0, 0, 0
	for k := first; k <= last; k++ {
		// Idle after concealment is the buffer calling the stream paused.
		if kinds[k] == PlayConceal || kinds[k] == PlayStretch || (kinds[k] == PlayIdle && run0 > 0) {
			run0++
		} else {
			run0 = 0
		}
		longestConceal = max(longestConceal, run0)
		if d := depths[k]; d < 20*time.Millisecond || d > 80*time.Millisecond {
			t.Errorf("tick %d: jitter buffer depth %v outside 20-80 ms", k, d)
		}
		if rms(out[k*160:(k+1)*160]) < quiet {
			silentMs += 20
			longestSilent = max(longestSilent, silentMs)
			// Silence is allowed only once concealment has run 60 ms.
			if run0 < 3 {
				unexplained++
				t.Errorf("tick %d (%s): earpiece silent after only %d ms of concealment", k, kinds[k], 20*run0)
			}
		} else {
			silentMs = 0
		}
	}

	// Loss: what the relay dropped towards B is what B counted and reported.
	var rtpDrops []uint16
	for _, d := range relay.Drops() {
		if d.ToB && len(d.Head) >= 4 && d.Head[1]&0x7f < 64 {
			rtpDrops = append(rtpDrops, uint16(d.Head[2])<<8|uint16(d.Head[3]))
		}
	}
	burst := longestBurst(rtpDrops)
	sa, sb, js := a.Stats(), b.Stats(), jbB.Stats()
	toB, toA := relay.Stats()
	t.Logf("relay to B %+v, to A %+v; RTP dropped to B %d, longest burst %d", toB, toA, len(rtpDrops), burst)
	t.Logf("B jitter buffer: %+v", js)
	t.Logf("B: %+v", sb)
	t.Logf("A: %+v", sa)
	t.Logf("earpiece: %d ticks played, longest concealment %d ms, longest silence %d ms (%d frames unexplained)",
		last-first+1, 20*longestConceal, longestSilent, unexplained)
	if len(rtpDrops) < 10 {
		t.Fatalf("the relay dropped only %d RTP packets: no proof", len(rtpDrops))
	}
	if d := int64(len(rtpDrops)) - sb.Lost; d < 0 || d > 2 { // a dropped tail is not yet known lost
		t.Errorf("B counted %d lost, the relay dropped %d", sb.Lost, len(rtpDrops))
	}
	if js.Lost+js.Skipped < uint64(len(rtpDrops))-2 || js.Concealed < time.Duration(len(rtpDrops)-2)*20*time.Millisecond {
		t.Errorf("B concealed %v (%d lost at playout, %d skipped) for %d dropped", js.Concealed, js.Lost, js.Skipped, len(rtpDrops))
	}
	// A report's cumulative loss also counts packets still in flight behind
	// a later one (the relay reorders by up to 40 ms: two frames), RFC 3550
	// 6.4.1, so it may exceed the drops by that much.
	if !sa.PeerReport || sa.PeerLost <= 0 || sa.PeerLost > int64(len(rtpDrops))+2 || sb.Jitter <= 0 {
		t.Errorf("A's view from B's reports: %+v", sa)
	}
	// Every RTP packet forwarded to B counts as received, the replay and the
	// forgery do not; one of A's reports may still be in flight at the stop.
	rtpToB := uint64(toB.Forwarded - int(sb.ReportsReceived))
	if sb.ReplaysDropped != 1 || sb.AuthFailures != 1 || sb.PacketsReceived > rtpToB || sb.PacketsReceived+1 < rtpToB {
		t.Errorf("B took a replay or a forgery: %+v", sb)
	}
	if sb.JitterDepth < 20*time.Millisecond || sb.JitterDepth > 80*time.Millisecond {
		t.Errorf("B reports a depth of %v", sb.JitterDepth)
	}
}

func rms(x []int16) float64 {
	return math.Sqrt(energy(x) / float64(len(x)))
}

func rmsFrames(x []int16) []float64 {
	var r []float64
	for k := 0; (k+1)*160 <= len(x); k++ {
		r = append(r, rms(x[k*160:(k+1)*160]))
	}
	return r
}

// longestBurst is the longest run of consecutive sequence numbers in seqs.
func longestBurst(seqs []uint16) int {
	s := slices.Clone(seqs)
	slices.SortFunc(s, func(a, b uint16) int { return int(int16(a - b)) })
	best, run := 0, 0
	for i := range s {
		if i > 0 && s[i] == s[i-1]+1 {
			run++
		} else {
			run = 1
		}
		best = max(best, run)
	}
	return best
}
