package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// VLANCapture sees the frames tagged with one VLAN id (and 802.1p
// priority) that arrive at the services' interface. The kernel moves a received tag into the packet's
// metadata before sockets see the frame, so a socket filter on that
// metadata does the matching: a frame read here carried the tag.
type VLANCapture struct {
	c *packet.Conn
}

// CaptureVLAN starts capturing frames tagged vid with 802.1p priority pcp
// (any priority when pcp < 0) on the services' eth0.
func (l *Lab) CaptureVLAN(vid, pcp int) (*VLANCapture, error) {
	mask, want := uint32(0x0fff), uint32(vid)
	if pcp >= 0 {
		mask, want = 0xefff, uint32(pcp)<<13|uint32(vid) // all but the DEI bit
	}
	filter, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtVLANTagPresent},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipFalse: 3},
		bpf.LoadExtension{Num: bpf.ExtVLANTag},
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mask},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: want, SkipTrue: 1},
		bpf.RetConstant{Val: 0},
		bpf.RetConstant{Val: 0xffff},
	})
	if err != nil {
		return nil, fmt.Errorf("capture VLAN %d: %w", vid, err)
	}
	var c *packet.Conn
	err = InNetns(l.ServicesNS, func() error {
		ifi, err := net.InterfaceByName(IfServices)
		if err != nil {
			return err
		}
		c, err = packet.Listen(ifi, packet.Raw, unix.ETH_P_ALL, &packet.Config{Filter: filter})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("capture VLAN %d: %w", vid, err)
	}
	return &VLANCapture{c: c}, nil
}

// Next returns the next captured frame, its tag removed.
func (v *VLANCapture) Next(ctx context.Context) ([]byte, error) {
	stop := context.AfterFunc(ctx, func() { v.c.SetReadDeadline(time.Now()) })
	defer stop()
	b := make([]byte, 65536)
	n, _, err := v.c.ReadFrom(b)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("capture: %w", err)
	}
	return b[:n], nil
}

// Close ends the capture.
func (v *VLANCapture) Close() error { return v.c.Close() }
