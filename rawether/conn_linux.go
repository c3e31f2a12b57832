//go:build linux

package rawether

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
)

// Config is what a socket needs beyond its interface and EtherType.
type Config struct {
	// Group is a multicast address to receive (PACKET_ADD_MEMBERSHIP, as
	// wpa_supplicant's wired driver does): virtio-net drops a group's
	// frames unless a socket joined it. Nil joins nothing.
	Group net.HardwareAddr
	// Filter is a socket filter (classic BPF) applied before the frames
	// reach the socket's queue; nil takes every frame of the EtherType.
	Filter []bpf.RawInstruction
}

// Conn is an AF_PACKET socket bound to one EtherType on one interface.
type Conn struct {
	c      *packet.Conn
	ifname string
}

// Listen opens the socket on ifname for etherType (AllTypes for every
// frame). cfg may be nil. It needs CAP_NET_RAW.
func Listen(ifname string, etherType uint16, cfg *Config) (*Conn, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("open raw socket on %s: %w", ifname, err)
	}
	c, err := packet.Listen(ifi, packet.Raw, int(etherType), &packet.Config{Filter: cfg.Filter})
	if err != nil {
		return nil, fmt.Errorf("open raw socket on %s: %w", ifname, err)
	}
	if cfg.Group != nil {
		// packet.Conn.JoinGroup is setsockopt(SOL_PACKET,
		// PACKET_ADD_MEMBERSHIP, PACKET_MR_MULTICAST) on the bound interface.
		if err := c.JoinGroup(cfg.Group); err != nil {
			c.Close()
			return nil, fmt.Errorf("join group %s on %s: %w", cfg.Group, ifname, err)
		}
	}
	return &Conn{c: c, ifname: ifname}, nil
}

// ReadFrame blocks for the next frame, copies it into b and returns its
// length; it returns ctx's error, unwrapped, once ctx is done. A done ctx
// interrupts a blocked read by moving the socket's read deadline.
func (r *Conn) ReadFrame(ctx context.Context, b []byte) (int, error) {
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
			// packet socket; the socket works again when the link returns
			// (a cable pulled and plugged, found in the lab).
			continue
		}
		return 0, fmt.Errorf("read frame on %s: %w", r.ifname, err)
	}
}

// WriteFrame sends b, a whole Ethernet frame, to the destination in its
// header.
func (r *Conn) WriteFrame(b []byte) error {
	if len(b) < headerLen {
		return fmt.Errorf("write frame on %s: %d bytes, shorter than an Ethernet header", r.ifname, len(b))
	}
	if _, err := r.c.WriteTo(b, &packet.Addr{HardwareAddr: net.HardwareAddr(b[0:6])}); err != nil {
		return fmt.Errorf("write frame on %s: %w", r.ifname, err)
	}
	return nil
}

// SetPromiscuous turns the interface's promiscuous mode on or off for as
// long as the socket is open.
func (r *Conn) SetPromiscuous(on bool) error {
	if err := r.c.SetPromiscuous(on); err != nil {
		return fmt.Errorf("promiscuous mode on %s: %w", r.ifname, err)
	}
	return nil
}

// SyscallConn gives the socket's descriptor, for options this package
// does not set.
func (r *Conn) SyscallConn() (syscall.RawConn, error) { return r.c.SyscallConn() }

// Close closes the socket, which leaves its group and ends promiscuous mode.
func (r *Conn) Close() error { return r.c.Close() }
