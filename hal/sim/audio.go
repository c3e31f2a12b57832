package sim

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"deskphone/hal"
)

// maxRecord caps what an endpoint records (10 minutes at 16 kHz), so a
// forgotten simulator cannot grow without bound.
const maxRecord = 16000 * 600

// recordChunk is the recording's unit of allocation (one second at 16 kHz):
// a growing recording takes what it holds and no more, where one slice
// grown by append would hold up to twice that and copy itself as it grows.
const recordChunk = 16000

// recording is what an endpoint played, in chunks.
type recording struct {
	chunks [][]int16
	n      int
}

func (r *recording) append(p []int16) {
	for len(p) > 0 {
		if len(r.chunks) == 0 || len(r.chunks[len(r.chunks)-1]) == recordChunk {
			r.chunks = append(r.chunks, make([]int16, 0, recordChunk))
		}
		last := &r.chunks[len(r.chunks)-1]
		k := min(len(p), recordChunk-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
		r.n += k
	}
}

func (r *recording) samples() []int16 {
	out := make([]int16, 0, r.n)
	for _, c := range r.chunks {
		out = append(out, c...)
	}
	return out
}

// Audio gives each endpoint a microphone fed from samples set by
// SetMicrophone and an earpiece whose output is recorded. It does not pace
// reads and writes in real time: the caller's clock does (the media's
// audio path reads and writes one frame per tick), so the simulator adds no
// timer and no wakeup of its own to a call.
type Audio struct {
	mu  sync.Mutex
	mic map[hal.Endpoint][]int16
	rec map[hal.Endpoint]*recording
	// open counts streams per endpoint, so tests can check that a disabled
	// endpoint was never opened.
	opened map[hal.Endpoint]int
	norec  bool
}

// NewAudio makes silent endpoints.
func NewAudio() *Audio {
	return &Audio{mic: map[hal.Endpoint][]int16{}, rec: map[hal.Endpoint]*recording{}, opened: map[hal.Endpoint]int{}}
}

// SetMicrophone sets what the endpoint's microphone will deliver; after it
// is used up the microphone reads silence. The samples are not copied (a
// call's worth is large; a copy would double it): the caller must not
// change them afterwards.
func (a *Audio) SetMicrophone(ep hal.Endpoint, samples []int16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mic[ep] = samples
}

// Recorded returns what was played on the endpoint so far.
func (a *Audio) Recorded(ep hal.Endpoint) []int16 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r := a.rec[ep]; r != nil {
		return r.samples()
	}
	return nil
}

// SetRecording turns the recording of what endpoints play on (the default)
// or off: a call that nobody will listen back to need not hold its audio in
// memory, which would count against the firmware's footprint in a call.
func (a *Audio) SetRecording(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.norec = !on
}

// Opened reports how many times the endpoint was opened.
func (a *Audio) Opened(ep hal.Endpoint) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.opened[ep]
}

// Open opens an endpoint in format f.
func (a *Audio) Open(ep hal.Endpoint, f hal.AudioFormat) (hal.AudioStream, error) {
	switch ep {
	case hal.Handset, hal.Speaker, hal.Headset:
	default:
		return nil, fmt.Errorf("open audio %q: no such endpoint", ep)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("open audio %s: %w", ep, err)
	}
	a.mu.Lock()
	a.opened[ep]++
	a.mu.Unlock()
	return &stream{a: a, ep: ep}, nil
}

type stream struct {
	a      *Audio
	ep     hal.Endpoint
	mu     sync.Mutex
	closed bool
}

var errClosed = errors.New("audio stream closed")

func (s *stream) Read(p []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errClosed
	}
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	src := s.a.mic[s.ep]
	n := copy(p, src)
	if n == len(src) {
		delete(s.a.mic, s.ep) // used up: let the samples go
	} else {
		s.a.mic[s.ep] = src[n:]
	}
	clear(p[n:])
	return len(p), nil
}

func (s *stream) Write(p []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errClosed
	}
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	if s.a.norec {
		return len(p), nil
	}
	r := s.a.rec[s.ep]
	if r == nil {
		r = &recording{}
		s.a.rec[s.ep] = r
	}
	room := maxRecord - r.n
	if room < len(p) {
		r.append(p[:max(room, 0)])
		return max(room, 0), io.ErrShortWrite
	}
	r.append(p)
	return len(p), nil
}

func (s *stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
