package sim

import (
	"context"
	"net"
	"sync"

	"deskphone/hal"
)

// Port is an Ethernet port whose link is switched by SetLink.
type Port struct {
	role  hal.PortRole
	iface string
	mac   net.HardwareAddr

	mu      sync.Mutex
	up      bool
	changed chan struct{}
}

// NewPort makes a port with its link down. iface may be "".
func NewPort(role hal.PortRole, iface string, mac net.HardwareAddr) *Port {
	return &Port{role: role, iface: iface, mac: mac, changed: make(chan struct{})}
}

func (p *Port) Role() hal.PortRole    { return p.role }
func (p *Port) Interface() string     { return p.iface }
func (p *Port) MAC() net.HardwareAddr { return p.mac }

// Up reports the link state.
func (p *Port) Up() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.up
}

// SetLink plugs (true) or unplugs (false) the cable.
func (p *Port) SetLink(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.up == up {
		return
	}
	p.up = up
	close(p.changed)
	p.changed = make(chan struct{})
}

// WaitLink returns once the link state differs from last.
func (p *Port) WaitLink(ctx context.Context, last bool) (bool, error) {
	for {
		p.mu.Lock()
		up, ch := p.up, p.changed
		p.mu.Unlock()
		if up != last {
			return up, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return up, ctx.Err()
		}
	}
}
