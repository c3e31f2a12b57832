//go:build !linux

package pcport

import (
	"context"
	"errors"
)

// RawFrames is the raw port socket; it exists on Linux only.
type RawFrames struct{}

var _ Frames = (*RawFrames)(nil)

var errNoRaw = errors.New("raw port sockets need Linux")

// Listen fails outside Linux.
func Listen(ifname string) (*RawFrames, error) { return nil, errNoRaw }

func (r *RawFrames) ReadFrame(ctx context.Context, b []byte) (int, error) { return 0, errNoRaw }
func (r *RawFrames) WriteFrame(b []byte) error                            { return errNoRaw }
func (r *RawFrames) Close() error                                         { return nil }
