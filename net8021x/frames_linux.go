//go:build linux

package net8021x

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/mdlayher/packet"
)

// RawFrames is an AF_PACKET socket bound to EAPOL on one interface, member
// of the PAE group address (PACKET_ADD_MEMBERSHIP, as wpa_supplicant's
// wired driver does: virtio-net drops the group's frames otherwise).
type RawFrames struct {
	c *packet.Conn
}

var _ Frames = (*RawFrames)(nil)

// ListenEAPOL opens the raw socket on ifname. It needs CAP_NET_RAW.
func ListenEAPOL(ifname string) (*RawFrames, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("open EAPOL on %s: %w", ifname, err)
	}
	c, err := packet.Listen(ifi, packet.Raw, EtherTypeEAPOL, nil)
	if err != nil {
		return nil, fmt.Errorf("open EAPOL on %s: %w", ifname, err)
	}
	// packet.Conn.JoinGroup is setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP,
	// PACKET_MR_MULTICAST) on the bound interface.
	if err := c.JoinGroup(PAEGroupAddr); err != nil {
		c.Close()
		return nil, fmt.Errorf("join PAE group on %s: %w", ifname, err)
	}
	return &RawFrames{c: c}, nil
}

// ReadFrame implements Frames. A done ctx interrupts a blocked read by
// moving the socket's read deadline.
func (r *RawFrames) ReadFrame(ctx context.Context, b []byte) (int, error) {
	stop := context.AfterFunc(ctx, func() { r.c.SetReadDeadline(time.Now()) })
	defer stop()
	for {
		n, _, err := r.c.ReadFrom(b)
		switch {
		case err == nil:
			return n, nil
		case ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded):
			r.c.SetReadDeadline(time.Time{})
			return 0, ctx.Err()
		case errors.Is(err, syscall.ENETDOWN):
			// The kernel reports its interface going down once to a bound
			// packet socket; the socket works again when the link
			// returns (the cable was pulled, found in the lab).
			continue
		}
		return 0, fmt.Errorf("read EAPOL: %w", err)
	}
}

// WriteFrame implements Frames: b is a whole Ethernet frame.
func (r *RawFrames) WriteFrame(b []byte) error {
	if len(b) < ethHeaderLen {
		return fmt.Errorf("write EAPOL: frame of %d bytes", len(b))
	}
	if _, err := r.c.WriteTo(b, &packet.Addr{HardwareAddr: net.HardwareAddr(b[0:6])}); err != nil {
		return fmt.Errorf("write EAPOL: %w", err)
	}
	return nil
}

// Close closes the socket (and leaves the group).
func (r *RawFrames) Close() error { return r.c.Close() }
