// Package netlink is a hal.Port on a Linux network interface whose link
// state comes from the kernel through rtnetlink: Open reads the interface's
// current state and subscribes to link messages (RTMGRP_LINK); Run follows
// them, so WaitLink returns when a cable is plugged or pulled.
//
// The link is up when the interface is administratively up and running
// (IFF_UP and IFF_RUNNING: operstate up, or unknown for drivers that report
// none), so a pulled cable, a peer gone down and "ip link set down" all read
// as down.
package netlink

import (
	"context"
	"net"
	"sync"

	"deskphone/hal"
)

// Port is one Ethernet port backed by a kernel interface.
type Port struct {
	role  hal.PortRole
	iface string
	index uint32
	mac   net.HardwareAddr

	hal.Link

	src       linkSource
	closeOnce sync.Once
	closeErr  error
}

var _ hal.Port = (*Port)(nil)

// linkSource delivers the kernel's link messages: rtnetlink on Linux.
type linkSource interface {
	// receive blocks for the next batch of link messages or until ctx is done.
	receive(ctx context.Context) ([]linkState, error)
	close() error
}

// linkState is what one link message says about one interface.
type linkState struct {
	index   uint32
	up      bool
	deleted bool
}

func (p *Port) Role() hal.PortRole    { return p.role }
func (p *Port) Interface() string     { return p.iface }
func (p *Port) MAC() net.HardwareAddr { return p.mac }

// Run follows the kernel's link messages until ctx is done, then closes the
// subscription. Without Run the port keeps the state Open read.
func (p *Port) Run(ctx context.Context) error {
	defer p.Close()
	for {
		states, err := p.src.receive(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, s := range states {
			if s.index != p.index {
				continue
			}
			p.SetUp(s.up && !s.deleted)
		}
	}
}

// Close ends the subscription; Run closes it too when it returns.
func (p *Port) Close() error {
	p.closeOnce.Do(func() { p.closeErr = p.src.close() })
	return p.closeErr
}
