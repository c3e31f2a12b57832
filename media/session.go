package media

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// PacketConn is the datagram socket a session owns (a *net.UDPConn, or an
// in-memory pipe in tests).
type PacketConn interface {
	ReadFrom(p []byte) (int, net.Addr, error)
	WriteTo(p []byte, addr net.Addr) (int, error)
	Close() error
}

var _ PacketConn = (*net.UDPConn)(nil)

// Counters are a session's packet statistics.
type Counters struct {
	PacketsSent, BytesSent         uint64
	PacketsReceived, BytesReceived uint64
	Lost                           int64 // expected - received (RFC 3550 A.3)
	AuthFailures                   uint64
	ReplaysDropped                 uint64
	Malformed                      uint64
}

// SessionConfig sets up one RTP/SRTP session.
type SessionConfig struct {
	Conn        PacketConn
	Remote      net.Addr
	PayloadType uint8
	ClockRate   int // RTP clock, 8000
	FrameTicks  int // RTP timestamp step per frame: 160 at 8000 Hz / 20 ms
	SRTP        bool
	Local       Crypto // protects what we send (our SDES key)
	RemoteKey   Crypto // unprotects what we receive (the peer's SDES key)
	SSRC        uint32 // 0 = random
	// Deliver receives each authentic RTP packet (payload valid only during the call).
	Deliver func(p *rtp.Packet, arrival time.Time)
	Now     func() time.Time
	Log     *slog.Logger

	// RTCP. With RTCPConn, reports go out of that socket to RTCPRemote
	// (default: Remote's port + 1, RFC 3550 11) and are read from it. Without
	// it and with RTCPMux, they share Conn and Remote (RFC 5761). With neither,
	// no reports are sent; muxed ones received on Conn are still read.
	RTCPConn   PacketConn
	RTCPRemote net.Addr
	RTCPMux    bool
	// RTCPInterval is the minimum report interval (RFC 3550 Tmin); 0 = 5 s.
	RTCPInterval time.Duration
	// Bandwidth is the session bandwidth in bit/s the RTCP share is taken
	// from (5%); 0 = 64000.
	Bandwidth int
	// CNAME names us in SDES; "" = random.
	CNAME string
	// Jitter is the buffer Deliver feeds, for Stats; nil leaves its fields zero.
	Jitter *JitterBuffer
}

// Session sends and receives RTP (or SRTP) for one call leg.
type Session struct {
	cfg SessionConfig
	now func() time.Time

	mu      sync.Mutex // guards the sender state
	tx      *srtp.Context
	ssrc    uint32
	seq     uint16
	ts      uint32
	talking bool
	out     []byte
	enc     []byte
	txHdr   rtp.Header // reused: a header handed to SRTP escapes to the heap
	sent    Counters

	rxCrypt   sync.Mutex // guards rx: RTP and RTCP may be read by different goroutines
	rx        *srtp.Context
	stats     ReceptionStats
	rxMu      sync.Mutex
	recvCount Counters
	closed    atomic.Bool
	// kernelTime: arrival times may come from the kernel (cfg.Now is the
	// real clock, not a test's).
	kernelTime bool

	poll pollState // an audio path reading the RTP socket at its tick
	rtcp rtcpState
}

// NewSession prepares a session; Run receives, Send* transmit.
func NewSession(cfg SessionConfig) (*Session, error) {
	if cfg.Conn == nil || cfg.Remote == nil {
		return nil, errors.New("new session: conn and remote address are required")
	}
	if cfg.ClockRate == 0 {
		cfg.ClockRate = 8000
	}
	if cfg.FrameTicks == 0 {
		cfg.FrameTicks = cfg.ClockRate * FrameDurationMs / 1000
	}
	kernelTime := cfg.Now == nil
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Session{cfg: cfg, now: cfg.Now, ssrc: cfg.SSRC, kernelTime: kernelTime}
	var r [10]byte
	if _, err := rand.Read(r[:]); err != nil {
		return nil, fmt.Errorf("new session: random: %w", err)
	}
	if s.ssrc == 0 {
		s.ssrc = binary.BigEndian.Uint32(r[:4]) | 1
	}
	// Random initial sequence and timestamp (RFC 3550 5.1).
	s.seq = binary.BigEndian.Uint16(r[4:6])
	s.ts = binary.BigEndian.Uint32(r[6:10])
	if cfg.SRTP {
		var err error
		if s.tx, err = newSRTPContext(cfg.Local); err != nil {
			return nil, fmt.Errorf("new session: local key: %w", err)
		}
		if s.rx, err = newSRTPContext(cfg.RemoteKey); err != nil {
			return nil, fmt.Errorf("new session: remote key: %w", err)
		}
	}
	s.stats.ClockRate = cfg.ClockRate
	if err := s.rtcp.init(&s.cfg); err != nil {
		return nil, fmt.Errorf("new session: %w", err)
	}
	return s, nil
}

// SSRC is our synchronisation source.
func (s *Session) SSRC() uint32 { return s.ssrc }

// SendFrame sends one audio frame at the current timestamp, then advances
// the timestamp by one frame. The first frame of a talkspurt carries the marker.
func (s *Session) SendFrame(payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	marker := !s.talking
	s.talking = true
	err := s.sendLocked(s.cfg.PayloadType, s.ts, marker, payload)
	s.ts += uint32(s.cfg.FrameTicks)
	return err
}

// SkipFrame advances the timestamp without sending (silence, DTMF, hold); the
// next audio frame starts a new talkspurt.
func (s *Session) SkipFrame() {
	s.mu.Lock()
	s.ts += uint32(s.cfg.FrameTicks)
	s.talking = false
	s.mu.Unlock()
}

// Timestamp is the RTP timestamp the next frame will carry.
func (s *Session) Timestamp() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ts
}

// SendEvent sends a telephone-event packet with an explicit timestamp (the
// event's start) and payload type; it does not advance the audio clock.
func (s *Session) SendEvent(pt uint8, ts uint32, marker bool, payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.talking = false
	return s.sendLocked(pt, ts, marker, payload)
}

func (s *Session) sendLocked(pt uint8, ts uint32, marker bool, payload []byte) error {
	s.txHdr = rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: s.seq, Timestamp: ts, SSRC: s.ssrc, Marker: marker}
	h := &s.txHdr
	s.seq++
	hs := h.MarshalSize()
	s.out = slices.Grow(s.out[:0], hs+len(payload))[:hs]
	if _, err := h.MarshalTo(s.out); err != nil {
		return fmt.Errorf("send rtp: %w", err)
	}
	s.out = append(s.out, payload...)
	wire := s.out
	if s.tx != nil {
		var err error
		if s.enc, err = s.tx.EncryptRTP(s.enc[:0], s.out, h); err != nil {
			return fmt.Errorf("send rtp: protect: %w", err)
		}
		wire = s.enc
	}
	if err := s.writeRTP(wire, nil); err != nil {
		return fmt.Errorf("send rtp to %s: %w", s.cfg.Remote, err)
	}
	s.sent.PacketsSent++
	s.sent.BytesSent += uint64(len(payload))
	return nil
}

// Counters returns a snapshot of the statistics.
func (s *Session) Counters() Counters {
	s.mu.Lock()
	c := s.sent
	s.mu.Unlock()
	s.rxMu.Lock()
	r := s.recvCount
	s.rxMu.Unlock()
	r.Lost = s.stats.Lost()
	c.PacketsReceived, c.BytesReceived, c.Lost = r.PacketsReceived, r.BytesReceived, r.Lost
	c.AuthFailures, c.ReplaysDropped, c.Malformed = r.AuthFailures, r.ReplaysDropped, r.Malformed
	return c
}

// ReceptionStats are the RFC 3550 statistics of the stream we receive.
func (s *Session) ReceptionStats() *ReceptionStats { return &s.stats }

// Run receives packets and sends RTCP reports until ctx ends, then says
// goodbye in RTCP and closes the sockets. While an audio path reads the RTP
// socket at its tick (see pollReceive), Run's own RTP reader waits.
func (s *Session) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		if s.rtcp.on {
			if err := s.sendRTCP(s.now(), true); err != nil {
				s.cfg.Log.Debug("rtcp bye", "err", err)
			}
		}
		s.closed.Store(true)
		s.cfg.Conn.Close()
		s.poll.closeRaw()
		if s.cfg.RTCPConn != nil {
			s.cfg.RTCPConn.Close()
		}
	}()
	defer wg.Wait()
	defer cancel()
	if s.rtcp.on {
		wg.Add(1)
		go func() { defer wg.Done(); s.reportLoop(ctx) }()
	}
	errs := make(chan error, 2)
	if s.cfg.RTCPConn != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.readLoop(ctx, s.cfg.RTCPConn, "rtcp", func(b []byte, _ *rxScratch) { s.receiveRTCP(b) })
		}()
	}
	go func() {
		errs <- s.readLoop(ctx, s.cfg.Conn, "rtp", func(b []byte, sc *rxScratch) { s.receive(b, s.now(), sc) })
	}()
	err := <-errs
	cancel()
	if s.cfg.RTCPConn != nil {
		err = errors.Join(err, <-errs)
	}
	return err
}

// readLoop hands each datagram of conn to handle until the socket closes.
func (s *Session) readLoop(ctx context.Context, conn PacketConn, what string, handle func([]byte, *rxScratch)) error {
	buf := make([]byte, 1500)
	sc := new(rxScratch)
	rtp := conn == s.cfg.Conn
	for {
		if rtp && s.poll.taken() {
			return s.waitPolled(ctx, sc)
		}
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			if s.closed.Load() || ctx.Err() != nil {
				return nil
			}
			if rtp && s.poll.taken() {
				continue
			}
			return fmt.Errorf("%s receive: %w", what, err)
		}
		handle(buf[:n], sc)
	}
}

// rxScratch is one reader's reusable packet: Receive may run on two
// goroutines (RTP and muxed RTCP), each with its own.
type rxScratch struct {
	h   rtp.Header
	p   rtp.Packet
	dec []byte
}

// Receive handles one datagram: unprotect, count, deliver. Run calls it; it
// is exported for callers that own their own socket loop.
func (s *Session) Receive(b []byte) { s.receive(b, s.now(), new(rxScratch)) }

// receive is Receive with the arrival time and the caller's scratch, so a
// packet costs no allocation.
func (s *Session) receive(b []byte, arrival time.Time, sc *rxScratch) {
	h := &sc.h
	_, err := h.Unmarshal(b)
	if len(b) >= 2 && b[0]>>6 == 2 && b[1]&0x7f >= 64 && b[1]&0x7f <= 95 {
		// RTCP multiplexed on the RTP port (RFC 5761 4): packet types 192-223.
		s.receiveRTCPAt(b, arrival)
		return
	}
	if err != nil || h.Version != 2 {
		s.count(func(c *Counters) { c.Malformed++ })
		return
	}
	plain := b
	if s.rx != nil {
		s.rxCrypt.Lock()
		plain, err = s.rx.DecryptRTP(sc.dec[:0], b, h)
		s.rxCrypt.Unlock()
		if err != nil {
			s.countUnprotectError(err)
			return
		}
		sc.dec = plain
	}
	p := &sc.p
	if err := p.Unmarshal(plain); err != nil {
		s.count(func(c *Counters) { c.Malformed++ })
		return
	}
	s.rxMu.Lock()
	s.recvCount.PacketsReceived++
	s.recvCount.BytesReceived += uint64(len(p.Payload))
	s.rxMu.Unlock()
	s.stats.Update(p.SSRC, p.SequenceNumber, p.Timestamp, arrival, p.PayloadType == s.cfg.PayloadType)
	if s.cfg.Deliver != nil {
		s.cfg.Deliver(p, arrival)
	}
}

// countUnprotectError files an SRTP or SRTCP failure under its cause.
func (s *Session) countUnprotectError(err error) {
	switch {
	case errors.Is(err, srtp.ErrFailedToVerifyAuthTag):
		s.count(func(c *Counters) { c.AuthFailures++ })
	// pion does not export its duplicate error; its text is stable.
	case strings.Contains(err.Error(), "duplicated"):
		s.count(func(c *Counters) { c.ReplaysDropped++ })
	default:
		s.count(func(c *Counters) { c.Malformed++ })
	}
}

func (s *Session) count(f func(*Counters)) {
	s.rxMu.Lock()
	f(&s.recvCount)
	s.rxMu.Unlock()
}
