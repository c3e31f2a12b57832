//go:build linux

package voicevlan

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

// RawLLDP is an AF_PACKET socket bound to LLDP on one interface, member of
// the nearest-bridge group address so that a NIC's filter lets it in.
type RawLLDP struct {
	c *packet.Conn
}

var _ Frames = (*RawLLDP)(nil)

// ListenLLDP opens the raw LLDP socket on ifname. It needs CAP_NET_RAW.
func ListenLLDP(ifname string) (*RawLLDP, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("open LLDP on %s: %w", ifname, err)
	}
	c, err := packet.Listen(ifi, packet.Raw, EtherTypeLLDP, nil)
	if err != nil {
		return nil, fmt.Errorf("open LLDP on %s: %w", ifname, err)
	}
	if err := c.JoinGroup(NearestBridge); err != nil {
		c.Close()
		return nil, fmt.Errorf("join LLDP group on %s: %w", ifname, err)
	}
	return &RawLLDP{c: c}, nil
}

// ReadFrame implements Frames.
func (r *RawLLDP) ReadFrame(ctx context.Context, b []byte) (int, error) {
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
			continue // the link went down; the socket works again when it returns
		}
		return 0, fmt.Errorf("read LLDP: %w", err)
	}
}

// Close closes the socket.
func (r *RawLLDP) Close() error { return r.c.Close() }
