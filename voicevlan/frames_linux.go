//go:build linux

package voicevlan

import (
	"context"
	"fmt"

	"deskphone/rawether"
)

// RawLLDP is an AF_PACKET socket bound to LLDP on one interface, member of
// the nearest-bridge group address so that a NIC's filter lets it in.
type RawLLDP struct {
	c *rawether.Conn
}

var _ Frames = (*RawLLDP)(nil)

// ListenLLDP opens the raw LLDP socket on ifname. It needs CAP_NET_RAW.
func ListenLLDP(ifname string) (*RawLLDP, error) {
	c, err := rawether.Listen(ifname, EtherTypeLLDP, &rawether.Config{Group: NearestBridge})
	if err != nil {
		return nil, fmt.Errorf("open LLDP: %w", err)
	}
	return &RawLLDP{c: c}, nil
}

// ReadFrame implements Frames.
func (r *RawLLDP) ReadFrame(ctx context.Context, b []byte) (int, error) {
	n, err := r.c.ReadFrame(ctx, b)
	if err != nil && err != ctx.Err() {
		return 0, fmt.Errorf("read LLDP: %w", err)
	}
	return n, err
}

// Close closes the socket.
func (r *RawLLDP) Close() error { return r.c.Close() }
