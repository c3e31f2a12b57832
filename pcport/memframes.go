package pcport

import (
	"context"
	"slices"
	"sync"
)

// MemFrames is an in-memory port for tests: Receive queues a frame as if it
// arrived on the wire; Sent returns what was written out.
type MemFrames struct {
	in chan []byte

	mu   sync.Mutex
	sent [][]byte
	wake chan struct{} // closed and replaced at each write
}

var _ Frames = (*MemFrames)(nil)

// NewMemFrames makes an in-memory port.
func NewMemFrames() *MemFrames {
	return &MemFrames{in: make(chan []byte, 64), wake: make(chan struct{})}
}

// Receive queues f to be read, as a frame arriving on the port.
func (m *MemFrames) Receive(f []byte) { m.in <- slices.Clone(f) }

// ReadFrame implements Frames.
func (m *MemFrames) ReadFrame(ctx context.Context, b []byte) (int, error) {
	select {
	case f := <-m.in:
		return copy(b, f), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// WriteFrame implements Frames.
func (m *MemFrames) WriteFrame(b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, slices.Clone(b))
	close(m.wake)
	m.wake = make(chan struct{})
	return nil
}

// Sent returns the frames written so far.
func (m *MemFrames) Sent() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// WaitSent blocks until at least n frames were written or ctx is done, and
// returns the frames written.
func (m *MemFrames) WaitSent(ctx context.Context, n int) ([][]byte, error) {
	for {
		m.mu.Lock()
		sent, wake := slices.Clone(m.sent), m.wake
		m.mu.Unlock()
		if len(sent) >= n {
			return sent, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return sent, ctx.Err()
		}
	}
}
