package net8021x

import (
	"context"
	"errors"
	"sync"
)

// PipeEnd is one end of an in-memory Ethernet link carrying frames, the
// fake of the raw socket for tests and the simulator.
type PipeEnd struct {
	recv   <-chan []byte
	send   chan<- []byte
	closed chan struct{}
	once   *sync.Once // shared by both ends
}

var _ Frames = (*PipeEnd)(nil)

// ErrPipeClosed is returned after either end was closed.
var ErrPipeClosed = errors.New("frame pipe closed")

// Pipe makes a connected pair of ends. Frames queue (up to 64) so a writer
// never waits for a slow reader in tests.
func Pipe() (*PipeEnd, *PipeEnd) {
	ab, ba := make(chan []byte, 64), make(chan []byte, 64)
	closed, once := make(chan struct{}), new(sync.Once)
	return &PipeEnd{recv: ba, send: ab, closed: closed, once: once},
		&PipeEnd{recv: ab, send: ba, closed: closed, once: once}
}

// ReadFrame implements Frames.
// Frames queued before a Close are still delivered.
func (p *PipeEnd) ReadFrame(ctx context.Context, b []byte) (int, error) {
	select {
	case f := <-p.recv:
		return copy(b, f), nil
	default:
	}
	select {
	case f := <-p.recv:
		return copy(b, f), nil
	case <-p.closed:
		return 0, ErrPipeClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// WriteFrame implements Frames; the frame is copied.
func (p *PipeEnd) WriteFrame(b []byte) error {
	f := append([]byte(nil), b...)
	select {
	case <-p.closed:
		return ErrPipeClosed
	default:
	}
	select {
	case p.send <- f:
		return nil
	case <-p.closed:
		return ErrPipeClosed
	}
}

// Close closes both ends.
func (p *PipeEnd) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}
