//go:build linux

package pcport

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
	"golang.org/x/sys/unix"
)

// RawFrames is an AF_PACKET socket taking every frame (ETH_P_ALL) received
// on one interface, in promiscuous mode (a PC's unicast is not addressed to
// the phone). It skips the frames the host sends (PACKET_IGNORE_OUTGOING),
// so the phone's own traffic is never taken for the PC's, and a filter
// drops frames whose VLAN tag the kernel has already stripped into the
// packet's metadata: only untagged frames pass through.
type RawFrames struct {
	c *packet.Conn
}

var _ Frames = (*RawFrames)(nil)

// untaggedOnly is the socket filter: accept a frame with no VLAN tag in
// its metadata, drop the others.
var untaggedOnly = func() []bpf.RawInstruction {
	raw, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtVLANTagPresent},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipFalse: 1},
		bpf.RetConstant{Val: maxFrame},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		panic(err) // a constant program
	}
	return raw
}()

// Listen opens the raw socket on ifname. It needs CAP_NET_RAW.
func Listen(ifname string) (*RawFrames, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("open raw port %s: %w", ifname, err)
	}
	c, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_ALL, &packet.Config{Filter: untaggedOnly})
	if err != nil {
		return nil, fmt.Errorf("open raw port %s: %w", ifname, err)
	}
	if err := ignoreOutgoing(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("open raw port %s: ignore outgoing frames: %w", ifname, err)
	}
	if err := c.SetPromiscuous(true); err != nil {
		c.Close()
		return nil, fmt.Errorf("open raw port %s: promiscuous mode: %w", ifname, err)
	}
	return &RawFrames{c: c}, nil
}

func ignoreOutgoing(c *packet.Conn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
	}); err != nil {
		return err
	}
	return serr
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
			// Reported once when the interface goes down; the socket works
			// again when the link returns (a PC unplugged and plugged).
			continue
		}
		return 0, fmt.Errorf("read frame: %w", err)
	}
}

// WriteFrame implements Frames.
func (r *RawFrames) WriteFrame(b []byte) error {
	if len(b) < ethHeaderLen {
		return fmt.Errorf("write frame: %d bytes", len(b))
	}
	if _, err := r.c.WriteTo(b, &packet.Addr{HardwareAddr: net.HardwareAddr(b[0:6])}); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	return nil
}

// Close closes the socket (which ends promiscuous mode).
func (r *RawFrames) Close() error { return r.c.Close() }
