//go:build cgo

package malgo

import (
	"errors"
	"fmt"
	"sync"

	"deskphone/hal"

	ma "github.com/gen2brain/malgo"
)

// NullBackend is miniaudio's null device, which runs in real time with no
// hardware. malgo.BackendNull is not it: malgo's backend list lacks
// miniaudio's "custom" entry, so BackendNull names custom and fails with
// "No backend"; the null device is the next one.
const NullBackend = ma.BackendNull + 1

// bufferMillis is how much audio each direction queues between the caller
// and the device: enough to ride over scheduling jitter, little enough to
// keep the call's latency low.
const bufferMillis = 200

// Audio opens endpoints on a miniaudio backend.
type Audio struct {
	backends []ma.Backend
}

var _ hal.Audio = (*Audio)(nil)

// New makes an audio driver on the given backends, tried in order (nil:
// miniaudio's default order for the platform, ALSA first on Linux).
func New(backends ...ma.Backend) *Audio { return &Audio{backends: backends} }

// Open starts a duplex device for the endpoint in format f.
func (a *Audio) Open(ep hal.Endpoint, f hal.AudioFormat) (hal.AudioStream, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("open audio %s: %w", ep, err)
	}
	ctx, err := ma.InitContext(a.backends, ma.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("open audio %s: init context: %w", ep, err)
	}
	capacity := f.SampleRate * bufferMillis / 1000
	s := &stream{
		ep:   ep,
		ctx:  ctx,
		play: newRing(capacity),
		mic:  newRing(capacity),
	}
	s.cond = sync.NewCond(&s.mu)

	cfg := ma.DefaultDeviceConfig(ma.Duplex)
	cfg.SampleRate = uint32(f.SampleRate)
	cfg.Playback.Format, cfg.Playback.Channels = ma.FormatS16, 1
	cfg.Capture.Format, cfg.Capture.Channels = ma.FormatS16, 1
	dev, err := ma.InitDevice(ctx.Context, cfg, ma.DeviceCallbacks{Data: s.callback})
	if err != nil {
		ctx.Uninit()
		ctx.Free()
		return nil, fmt.Errorf("open audio %s: init device: %w", ep, err)
	}
	s.dev = dev
	if err := dev.Start(); err != nil {
		s.Close()
		return nil, fmt.Errorf("open audio %s: start device: %w", ep, err)
	}
	return s, nil
}

var errClosed = errors.New("stream closed")

// stream is one open endpoint.
type stream struct {
	ep  hal.Endpoint
	ctx *ma.AllocatedContext
	dev *ma.Device

	mu     sync.Mutex
	cond   *sync.Cond // signalled by the callback and Close
	play   *ring      // written by Write, drained by the device
	mic    *ring      // filled by the device, drained by Read
	closed bool
}

// callback runs on miniaudio's thread: out and in are little-endian S16
// mono frames.
func (s *stream) callback(out, in []byte, frames uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i+1 < len(out); i += 2 {
		v, ok := s.play.pop()
		if !ok {
			v = 0 // underrun: silence
		}
		out[i], out[i+1] = byte(v), byte(uint16(v)>>8)
	}
	for i := 0; i+1 < len(in); i += 2 {
		s.mic.pushDropOldest(int16(uint16(in[i]) | uint16(in[i+1])<<8))
	}
	s.cond.Broadcast()
}

// Read fills samples with microphone audio, waiting for the device.
func (s *stream) Read(samples []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for n < len(samples) {
		if s.closed {
			return n, fmt.Errorf("read audio %s: %w", s.ep, errClosed)
		}
		for n < len(samples) {
			v, ok := s.mic.pop()
			if !ok {
				break
			}
			samples[n] = v
			n++
		}
		if n < len(samples) {
			s.cond.Wait()
		}
	}
	return n, nil
}

// Write queues samples for the earpiece or loudspeaker, waiting while the
// queue is full.
func (s *stream) Write(samples []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for n < len(samples) {
		if s.closed {
			return n, fmt.Errorf("write audio %s: %w", s.ep, errClosed)
		}
		for n < len(samples) && s.play.push(samples[n]) {
			n++
		}
		if n < len(samples) {
			s.cond.Wait()
		}
	}
	return n, nil
}

// Close stops the device; blocked Read and Write return.
func (s *stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
	// Uninit waits for the callback to finish, so it runs without s.mu.
	s.dev.Uninit()
	err := s.ctx.Uninit()
	s.ctx.Free()
	if err != nil {
		return fmt.Errorf("close audio %s: %w", s.ep, err)
	}
	return nil
}
