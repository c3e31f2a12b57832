package sim

import (
	"net"

	"deskphone/hal"
)

// Port is an Ethernet port whose link is switched by SetLink.
type Port struct {
	hal.Link
	role  hal.PortRole
	iface string
	mac   net.HardwareAddr
}

// NewPort makes a port with its link down. iface may be "".
func NewPort(role hal.PortRole, iface string, mac net.HardwareAddr) *Port {
	return &Port{role: role, iface: iface, mac: mac}
}

func (p *Port) Role() hal.PortRole    { return p.role }
func (p *Port) Interface() string     { return p.iface }
func (p *Port) MAC() net.HardwareAddr { return p.mac }

// SetLink plugs (true) or unplugs (false) the cable.
func (p *Port) SetLink(up bool) { p.SetUp(up) }
