//go:build linux

package net8021x

import (
	"context"
	"fmt"

	"deskphone/rawether"
)

// RawFrames is an AF_PACKET socket bound to EAPOL on one interface, member
// of the PAE group address (PACKET_ADD_MEMBERSHIP, as wpa_supplicant's
// wired driver does: virtio-net drops the group's frames otherwise).
type RawFrames struct {
	c *rawether.Conn
}

var _ Frames = (*RawFrames)(nil)

// ListenEAPOL opens the raw socket on ifname. It needs CAP_NET_RAW.
func ListenEAPOL(ifname string) (*RawFrames, error) {
	c, err := rawether.Listen(ifname, EtherTypeEAPOL, &rawether.Config{Group: PAEGroupAddr})
	if err != nil {
		return nil, fmt.Errorf("open EAPOL: %w", err)
	}
	return &RawFrames{c: c}, nil
}

// ReadFrame implements Frames. A done ctx interrupts a blocked read; a
// link going down does not end it (rawether retries ENETDOWN).
func (r *RawFrames) ReadFrame(ctx context.Context, b []byte) (int, error) {
	n, err := r.c.ReadFrame(ctx, b)
	if err != nil && err != ctx.Err() {
		return 0, fmt.Errorf("read EAPOL: %w", err)
	}
	return n, err
}

// WriteFrame implements Frames: b is a whole Ethernet frame.
func (r *RawFrames) WriteFrame(b []byte) error {
	if err := r.c.WriteFrame(b); err != nil {
		return fmt.Errorf("write EAPOL: %w", err)
	}
	return nil
}

// Close closes the socket (and leaves the group).
func (r *RawFrames) Close() error { return r.c.Close() }
