//go:build !linux

package voicevlan

import (
	"context"
	"errors"
)

// RawLLDP is the raw LLDP socket; it exists on Linux only.
type RawLLDP struct{}

var _ Frames = (*RawLLDP)(nil)

var errNoRaw = errors.New("raw LLDP sockets need Linux")

// ListenLLDP fails outside Linux.
func ListenLLDP(ifname string) (*RawLLDP, error) { return nil, errNoRaw }

func (r *RawLLDP) ReadFrame(ctx context.Context, b []byte) (int, error) { return 0, errNoRaw }
func (r *RawLLDP) Close() error                                         { return nil }
