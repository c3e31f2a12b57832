//go:build !linux

package net8021x

import (
	"context"
	"errors"
)

// RawFrames is the raw EAPOL socket; it exists on Linux only.
type RawFrames struct{}

var _ Frames = (*RawFrames)(nil)

var errNoRaw = errors.New("raw EAPOL sockets need Linux")

// ListenEAPOL fails outside Linux.
func ListenEAPOL(ifname string) (*RawFrames, error) { return nil, errNoRaw }

func (r *RawFrames) ReadFrame(ctx context.Context, b []byte) (int, error) { return 0, errNoRaw }
func (r *RawFrames) WriteFrame(b []byte) error                            { return errNoRaw }
func (r *RawFrames) Close() error                                         { return nil }
