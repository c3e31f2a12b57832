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

// Audio gives each endpoint a microphone fed from samples set by
// SetMicrophone and an earpiece whose output is recorded. It does not pace
// reads and writes in real time: the caller's clock does.
type Audio struct {
	mu  sync.Mutex
	mic map[hal.Endpoint][]int16
	rec map[hal.Endpoint][]int16
	// open counts streams per endpoint, so tests can check that a disabled
	// endpoint was never opened.
	opened map[hal.Endpoint]int
}

// NewAudio makes silent endpoints.
func NewAudio() *Audio {
	return &Audio{mic: map[hal.Endpoint][]int16{}, rec: map[hal.Endpoint][]int16{}, opened: map[hal.Endpoint]int{}}
}

// SetMicrophone sets what the endpoint's microphone will deliver; after it
// is used up the microphone reads silence.
func (a *Audio) SetMicrophone(ep hal.Endpoint, samples []int16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mic[ep] = append([]int16(nil), samples...)
}

// Recorded returns what was played on the endpoint so far.
func (a *Audio) Recorded(ep hal.Endpoint) []int16 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int16(nil), a.rec[ep]...)
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
	s.a.mic[s.ep] = src[n:]
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
	room := maxRecord - len(s.a.rec[s.ep])
	if room < len(p) {
		s.a.rec[s.ep] = append(s.a.rec[s.ep], p[:max(room, 0)]...)
		return max(room, 0), io.ErrShortWrite
	}
	s.a.rec[s.ep] = append(s.a.rec[s.ep], p...)
	return len(p), nil
}

func (s *stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
