package media

import (
	"context"
	"net"
	"sync"
	"time"
)

// A call's audio path and its RTP session both wake every 20 ms: one for the
// clock, one for the packet. Under a hypervisor each wakeup of a thread is
// the dominant cost of a call, far above the media work. So while an audio
// path runs, it takes the RTP socket from the session and reads whatever is
// queued at its own tick, just before the jitter buffer's playout: one
// wakeup per frame instead of two or more. Arrival times come from the
// kernel, so jitter is still measured at arrival, and a packet that came
// before the tick is buffered before that tick's playout, so this adds no
// delay.

// receivePoller is a FrameSink whose receive side an audio path can drive
// (a *Session).
type receivePoller interface {
	takeReceive() bool
	pollReceive()
	releaseReceive()
}

var _ receivePoller = (*Session)(nil)

// pollState is the session's side of the hand-over.
type pollState struct {
	mu       sync.Mutex
	raw      *rawSocket    // the RTP socket, out of the runtime's poller; nil until taken
	polled   bool          // an audio path reads raw at its tick
	released chan struct{} // closed when the path gives it back
	closed   bool
	scratch  rxScratch // the polling path's packet
}

func (p *pollState) taken() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.raw != nil
}

func (p *pollState) closeRaw() {
	p.mu.Lock()
	raw := p.raw
	p.closed = true
	p.mu.Unlock()
	if raw != nil {
		raw.close()
	}
}

// takeReceive hands the RTP socket to the caller's clock; false when it
// cannot be (not a kernel UDP socket, not Linux, session over): the
// session's own reader goes on.
func (s *Session) takeReceive() bool {
	p := &s.poll
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.polled {
		return false
	}
	if p.raw == nil {
		raw, err := takeRawSocket(s.cfg.Conn, s.cfg.Remote)
		if err != nil {
			s.cfg.Log.Debug("rtp socket stays with the session", "err", err)
			return false
		}
		p.raw = raw
	}
	p.polled, p.released = true, make(chan struct{})
	return true
}

// pollReceive reads every RTP packet queued since the last call.
func (s *Session) pollReceive() {
	p := &s.poll
	p.mu.Lock()
	raw := p.raw
	p.mu.Unlock()
	if raw == nil {
		return
	}
	if _, err := raw.drain(s.pollHandle); err != nil && !s.closed.Load() {
		s.cfg.Log.Debug("rtp receive", "err", err)
	}
}

// pollHandle is drain's callback, made once per session (a method value
// would be a new closure at each tick).
func (s *Session) pollHandle(b []byte, arrival time.Time) {
	if !s.kernelTime {
		arrival = s.now()
	}
	s.receive(b, arrival, &s.poll.scratch)
}

// releaseReceive gives the socket back: the session reads it on a timer of
// its own until it ends.
func (s *Session) releaseReceive() {
	p := &s.poll
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.polled {
		p.polled = false
		close(p.released)
	}
}

// waitPolled is the session's RTP reader once the socket was taken: idle
// while a path polls, polling on its own clock after the path let go.
func (s *Session) waitPolled(ctx context.Context, sc *rxScratch) error {
	for {
		s.poll.mu.Lock()
		polled, released := s.poll.polled, s.poll.released
		s.poll.mu.Unlock()
		if !polled {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-released:
		}
	}
	t := time.NewTicker(FrameDurationMs * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		s.poll.mu.Lock()
		polled := s.poll.polled
		s.poll.mu.Unlock()
		if polled { // a new path took it
			if err := s.waitPolled(ctx, sc); err != nil || ctx.Err() != nil {
				return err
			}
			continue
		}
		if _, err := s.poll.raw.drain(func(b []byte, at time.Time) {
			if !s.kernelTime {
				at = s.now()
			}
			s.receive(b, at, sc)
		}); err != nil {
			if s.closed.Load() || ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// writeRTP sends on the RTP socket, wherever it is now; to nil is the
// session's remote.
func (s *Session) writeRTP(b []byte, to net.Addr) error {
	s.poll.mu.Lock()
	raw := s.poll.raw
	s.poll.mu.Unlock()
	if raw != nil {
		if err := raw.send(b, to); err != nil {
			return err
		}
		return nil
	}
	if to == nil {
		to = s.cfg.Remote
	}
	_, err := s.cfg.Conn.WriteTo(b, to)
	return err
}
