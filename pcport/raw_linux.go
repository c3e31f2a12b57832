//go:build linux

package pcport

import (
	"context"
	"fmt"

	"deskphone/rawether"
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
	c *rawether.Conn
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
	c, err := rawether.Listen(ifname, rawether.AllTypes, &rawether.Config{Filter: untaggedOnly})
	if err != nil {
		return nil, fmt.Errorf("open raw port: %w", err)
	}
	if err := ignoreOutgoing(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("open raw port %s: ignore outgoing frames: %w", ifname, err)
	}
	if err := c.SetPromiscuous(true); err != nil {
		c.Close()
		return nil, fmt.Errorf("open raw port: %w", err)
	}
	return &RawFrames{c: c}, nil
}

func ignoreOutgoing(c *rawether.Conn) error {
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

// ReadFrame implements Frames. A done ctx interrupts a blocked read; a PC
// unplugged and plugged again does not end it (rawether retries ENETDOWN).
func (r *RawFrames) ReadFrame(ctx context.Context, b []byte) (int, error) {
	return r.c.ReadFrame(ctx, b)
}

// WriteFrame implements Frames.
func (r *RawFrames) WriteFrame(b []byte) error { return r.c.WriteFrame(b) }

// Close closes the socket (which ends promiscuous mode).
func (r *RawFrames) Close() error { return r.c.Close() }
