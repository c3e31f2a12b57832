package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"deskphone/hal"
)

// FrameSink takes encoded frames and telephone events to the network (a *Session).
type FrameSink interface {
	SendFrame(payload []byte) error
	SkipFrame()
	Timestamp() uint32
	SendEvent(pt uint8, ts uint32, marker bool, payload []byte) error
}

// FrameSource gives the frame due at each playout tick (a *JitterBuffer).
type FrameSource interface {
	Pop(now time.Time) Playout
}

// concealAware is a codec whose decoder keeps state across frames and wants
// to hear what concealment played for a lost frame (G.722).
type concealAware interface {
	Concealed(pcm []int16)
}

var (
	_ concealAware = (*g722Codec)(nil)
	_ FrameSink    = (*Session)(nil)
	_ FrameSource  = (*JitterBuffer)(nil)
)

// AudioPathConfig wires one call's audio.
type AudioPathConfig struct {
	Audio    hal.Audio
	Enabled  []hal.Endpoint // endpoints this phone may open
	Endpoint hal.Endpoint   // the one to start on
	Codec    Codec
	Send     FrameSink   // nil: nothing is sent
	Receive  FrameSource // nil: nothing is played but tones
	// DTMFType is the peer's telephone-event payload type; 0 = no RFC 4733.
	DTMFType uint8
	// Ticks paces the path; nil uses a 20 ms ticker.
	Ticks <-chan time.Time
	Log   *slog.Logger
}

// AudioPath moves PCM between an audio endpoint and the codec every 20 ms:
// microphone -> encoder -> FrameSink, FrameSource -> decoder or concealment
// (or a tone) -> earpiece/loudspeaker. The endpoint can change mid-call.
type AudioPath struct {
	cfg     AudioPathConfig
	enabled map[hal.Endpoint]bool
	plc     *Concealer

	mu   sync.Mutex
	ep   hal.Endpoint
	dir  Direction
	mute bool
	tone *ToneGenerator
	// digits waiting to be sent as RFC 4733 events, and the one in progress
	digits  []rune
	event   []EventPacket
	eventTS uint32
}

// DTMF timing: 100 ms tones (RFC 4733 suggests at least 40 ms), at -10 dBm0.
const (
	dtmfTicks  = 800
	dtmfVolume = 10
)

// SendDigit queues a DTMF digit to be sent as RFC 4733 telephone events.
func (p *AudioPath) SendDigit(d rune) error {
	if p.cfg.DTMFType == 0 {
		return fmt.Errorf("audio path: send digit: peer did not negotiate telephone-event")
	}
	if _, err := DTMFEvent(d); err != nil {
		return fmt.Errorf("audio path: send digit: %w", err)
	}
	p.mu.Lock()
	p.digits = append(p.digits, d)
	p.mu.Unlock()
	return nil
}

// nextEvent returns this tick's event packets, if a digit is being sent.
func (p *AudioPath) nextEvent(sink FrameSink) (pkts []EventPacket, ts uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.event) == 0 {
		if len(p.digits) == 0 {
			return nil, 0
		}
		d := p.digits[0]
		p.digits = p.digits[1:]
		p.event, _ = DTMFPackets(d, dtmfTicks, p.cfg.Codec.ClockRate()*FrameDurationMs/1000, dtmfVolume)
		p.eventTS = sink.Timestamp()
	}
	n := 1
	if len(p.event) == 3 { // the three end packets go together
		n = 3
	}
	pkts, p.event = p.event[:n], p.event[n:]
	return pkts, p.eventTS
}

// NewAudioPath checks the configuration; Run does the work.
func NewAudioPath(cfg AudioPathConfig) (*AudioPath, error) {
	if cfg.Audio == nil || cfg.Codec == nil {
		return nil, errors.New("new audio path: audio and codec are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	p := &AudioPath{cfg: cfg, enabled: map[hal.Endpoint]bool{}, dir: SendRecv,
		plc: NewConcealer(cfg.Codec.SampleRate(), cfg.Codec.FrameSamples())}
	for _, e := range cfg.Enabled {
		p.enabled[e] = true
	}
	if !p.enabled[cfg.Endpoint] {
		return nil, fmt.Errorf("new audio path: endpoint %q is not enabled", cfg.Endpoint)
	}
	p.ep = cfg.Endpoint
	return p, nil
}

// SetEndpoint switches to ep at the next tick; a disabled endpoint is refused.
func (p *AudioPath) SetEndpoint(ep hal.Endpoint) error {
	if !p.enabled[ep] {
		return fmt.Errorf("audio path: endpoint %q is not enabled", ep)
	}
	p.mu.Lock()
	p.ep = ep
	p.mu.Unlock()
	return nil
}

// Endpoint is the endpoint in use (or about to be).
func (p *AudioPath) Endpoint() hal.Endpoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ep
}

// SetMute stops sending the microphone (silence is sent instead).
func (p *AudioPath) SetMute(m bool) { p.mu.Lock(); p.mute = m; p.mu.Unlock() }

// SetDirection follows the negotiated direction (hold).
func (p *AudioPath) SetDirection(d Direction) { p.mu.Lock(); p.dir = d; p.mu.Unlock() }

// PlayTone plays t at the endpoint instead of received audio; nil stops it.
// A one-shot tone stops by itself.
func (p *AudioPath) PlayTone(t *Tone) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t == nil {
		p.tone = nil
		return
	}
	p.tone = NewToneGenerator(*t, p.cfg.Codec.SampleRate())
}

// Run drives the path until ctx ends; the stream is closed on return.
func (p *AudioPath) Run(ctx context.Context) error {
	ticks := p.cfg.Ticks
	if ticks == nil {
		t := time.NewTicker(FrameDurationMs * time.Millisecond)
		defer t.Stop()
		ticks = t.C
	}
	// Read the session's packets at this clock rather than on a wakeup of
	// their own (session_poll.go).
	var rx receivePoller
	if r, ok := p.cfg.Send.(receivePoller); ok && p.cfg.Receive != nil && r.takeReceive() {
		rx = r
		defer rx.releaseReceive()
	}
	var (
		stream hal.AudioStream
		open   hal.Endpoint
	)
	defer func() {
		if stream != nil {
			stream.Close()
		}
	}()
	n := p.cfg.Codec.FrameSamples()
	mic := make([]int16, n)
	var enc []byte
	var dec []int16
	silence := make([]int16, n)
	toneBuf := make([]int16, n)
	hint, _ := p.cfg.Receive.(quietHint)
	for {
		var now time.Time
		select {
		case <-ctx.Done():
			return nil
		case now = <-ticks:
		}
		p.mu.Lock()
		ep, dir, mute, tone := p.ep, p.dir, p.mute, p.tone
		if tone != nil && tone.Done() {
			p.tone, tone = nil, nil
		}
		p.mu.Unlock()

		if stream == nil || ep != open {
			if stream != nil {
				stream.Close()
				stream = nil
			}
			if !p.enabled[ep] { // unreachable through SetEndpoint; kept as the invariant
				return fmt.Errorf("audio path: endpoint %q is not enabled", ep)
			}
			s, err := p.cfg.Audio.Open(ep, hal.AudioFormat{SampleRate: p.cfg.Codec.SampleRate()})
			if err != nil {
				return fmt.Errorf("audio path: open %s: %w", ep, err)
			}
			stream, open = s, ep
			p.cfg.Log.Debug("audio endpoint opened", "endpoint", ep)
		}

		if err := readFull(stream, mic); err != nil {
			return fmt.Errorf("audio path: read %s: %w", open, err)
		}
		if p.cfg.Send != nil {
			if ev, ts := p.nextEvent(p.cfg.Send); len(ev) > 0 && dir.sends() {
				for _, e := range ev {
					if err := p.cfg.Send.SendEvent(p.cfg.DTMFType, ts, e.Marker, e.Payload); err != nil {
						p.cfg.Log.Debug("audio path: send event", "err", err)
					}
				}
				p.cfg.Send.SkipFrame()
			} else if dir.sends() {
				frame := mic
				if mute {
					frame = silence
				}
				var err error
				if enc, err = p.cfg.Codec.Encode(enc[:0], frame); err != nil {
					return fmt.Errorf("audio path: %w", err)
				}
				if err := p.cfg.Send.SendFrame(enc); err != nil {
					// A send error (ICMP unreachable, say) must not end the call.
					p.cfg.Log.Debug("audio path: send", "err", err)
				}
			} else {
				p.cfg.Send.SkipFrame()
			}
		}

		out := silence
		if rx != nil {
			rx.pollReceive()
		}
		if p.cfg.Receive != nil {
			quiet := false
			switch po := p.cfg.Receive.Pop(now); po.Kind {
			case PlayFrame:
				var err error
				dec, err = p.cfg.Codec.Decode(dec[:0], po.Frame.Payload)
				if err != nil || len(dec) != n {
					out = p.conceal()
				} else {
					out = p.plc.Good(dec)
					quiet = hint != nil && isQuiet(out)
				}
			case PlayConceal, PlayStretch:
				out = p.conceal()
			}
			if hint != nil {
				hint.SetQuiet(quiet)
			}
		}
		if !dir.receives() {
			out = silence
		}
		if tone != nil {
			clear(toneBuf)
			tone.Read(toneBuf)
			out = toneBuf
		}
		if _, err := stream.Write(out); err != nil {
			return fmt.Errorf("audio path: write %s: %w", open, err)
		}
	}
}

// quietHint is a jitter buffer that shrinks in pauses of speech.
type quietHint interface{ SetQuiet(quiet bool) }

var _ quietHint = (*JitterBuffer)(nil)

// quietLevel is the mean square of a frame at -45 dBFS: below it a frame is
// a pause in speech (line noise sits lower), where a dropped frame is not
// heard.
const quietLevel = 184 * 184

func isQuiet(pcm []int16) bool {
	var sum int64
	for _, v := range pcm {
		sum += int64(v) * int64(v)
	}
	return len(pcm) > 0 && sum < quietLevel*int64(len(pcm))
}

// conceal makes up one frame and keeps a stateful decoder in step with it.
func (p *AudioPath) conceal() []int16 {
	out := p.plc.Conceal()
	if c, ok := p.cfg.Codec.(concealAware); ok {
		c.Concealed(p.plc.Synthetic())
	}
	return out
}

func readFull(s hal.AudioStream, buf []int16) error {
	for got := 0; got < len(buf); {
		n, err := s.Read(buf[got:])
		got += n
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrNoProgress
		}
	}
	return nil
}
