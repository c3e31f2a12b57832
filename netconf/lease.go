package netconf

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Address sources.
const (
	SourceDHCP   = "dhcp"
	SourceStatic = "static"
)

// Address is the phone's IPv4 configuration on its LAN interface: what a
// DHCP lease or the static settings give, and what the phone uses of it.
type Address struct {
	Source  string       // SourceDHCP or SourceStatic
	Prefix  netip.Prefix // the address and its mask, e.g. 10.99.0.150/24
	Gateway netip.Addr   // default router (zero: none)
	DNS     []netip.Addr // option 6 or net.dns1/net.dns2
	NTP     []netip.Addr // option 42
	Domain  string       // option 15

	// DHCP only.
	Server netip.Addr    // server identifier (option 54)
	Lease  time.Duration // option 51
	T1, T2 time.Duration // renewal and rebinding times (options 58, 59, or 1/2 and 7/8 of the lease)
	// Options is the raw options field of the ACK (no magic cookie), for
	// provisioning discovery (options 66, 150, 43, 160: provision.DiscoverServers).
	Options []byte
}

// String is the address as the status shows it.
func (a *Address) String() string {
	if a == nil {
		return ""
	}
	return a.Prefix.String()
}

// ParseLease reads a DHCP ACK (a whole DHCPv4 message, as received) into an
// Address. It refuses what the phone cannot use: not an ACK, no or a
// non-unicast address, a bad mask, a router outside the subnet.
func ParseLease(b []byte) (*Address, error) {
	m, err := dhcpv4.FromBytes(b)
	if err != nil {
		return nil, fmt.Errorf("parse dhcp lease: %w", err)
	}
	return leaseFromACK(m)
}

// leaseFromACK reads an ACK into an Address.
func leaseFromACK(m *dhcpv4.DHCPv4) (*Address, error) {
	if t := m.MessageType(); t != dhcpv4.MessageTypeAck {
		return nil, fmt.Errorf("dhcp lease: message type %s, want ACK", t)
	}
	ip, ok := addr4(m.YourIPAddr)
	if !ok || !ip.IsGlobalUnicast() && !ip.IsPrivate() {
		return nil, fmt.Errorf("dhcp lease: unusable address %v", m.YourIPAddr)
	}
	mask := m.SubnetMask()
	bits := 24 // RFC 2131 leaves it to the client; class C is what small LANs use
	if mask != nil {
		ones, size := net.IPMask(mask).Size()
		if size != 32 || ones == 0 || ones > 30 {
			return nil, fmt.Errorf("dhcp lease: bad subnet mask %v", net.IP(mask))
		}
		bits = ones
	}
	a := &Address{Source: SourceDHCP, Prefix: netip.PrefixFrom(ip, bits), Domain: m.DomainName()}
	for _, r := range m.Router() {
		if gw, ok := addr4(r); ok && a.Prefix.Masked().Contains(gw) && gw != ip {
			a.Gateway = gw
			break
		}
	}
	a.DNS = addrs4(m.DNS())
	a.NTP = addrs4(m.NTPServers())
	a.Server, _ = addr4(m.ServerIdentifier())
	a.Lease = m.IPAddressLeaseTime(0)
	if a.Lease <= 0 {
		return nil, errors.New("dhcp lease: no lease time")
	}
	a.T1 = m.IPAddressRenewalTime(a.Lease / 2)
	a.T2 = m.IPAddressRebindingTime(a.Lease * 7 / 8)
	// Times out of order are the server's mistake: fall back to RFC 2131's.
	if a.T1 <= 0 || a.T1 >= a.Lease {
		a.T1 = a.Lease / 2
	}
	if a.T2 <= a.T1 || a.T2 >= a.Lease {
		a.T2 = a.Lease * 7 / 8
	}
	a.Options = m.Options.ToBytes()
	return a, nil
}

func addr4(ip net.IP) (netip.Addr, bool) {
	ip4 := ip.To4()
	if ip4 == nil {
		return netip.Addr{}, false
	}
	a := netip.AddrFrom4([4]byte(ip4))
	if a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return netip.Addr{}, false
	}
	return a, true
}

func addrs4(ips []net.IP) []netip.Addr {
	var out []netip.Addr
	for _, ip := range ips {
		if a, ok := addr4(ip); ok {
			out = append(out, a)
		}
	}
	return out
}
