package netconf

import (
	"fmt"
	"net"
	"net/netip"
)

// StaticSettings are the settings of a phone configured by hand
// (net.dhcp = off): net.ip, net.mask, net.gateway, net.dns1, net.dns2.
type StaticSettings struct {
	IP, Mask, Gateway, DNS1, DNS2 string
}

// Static makes the Address the static settings describe, naming the
// setting that is wrong.
func Static(s StaticSettings) (*Address, error) {
	ip, err := netip.ParseAddr(s.IP)
	if err != nil || !ip.Is4() || ip.IsUnspecified() || ip.IsMulticast() {
		return nil, fmt.Errorf("static address: net.ip %q is not an IPv4 host address", s.IP)
	}
	mask := net.ParseIP(s.Mask).To4()
	if mask == nil {
		return nil, fmt.Errorf("static address: net.mask %q is not a network mask", s.Mask)
	}
	ones, bits := net.IPMask(mask).Size()
	if bits != 32 || ones == 0 || ones > 30 {
		return nil, fmt.Errorf("static address: net.mask %q is not a usable network mask", s.Mask)
	}
	a := &Address{Source: SourceStatic, Prefix: netip.PrefixFrom(ip, ones)}
	if s.Gateway != "" {
		gw, err := netip.ParseAddr(s.Gateway)
		if err != nil || !gw.Is4() || !a.Prefix.Masked().Contains(gw) || gw == ip {
			return nil, fmt.Errorf("static address: net.gateway %q is not a router in %s", s.Gateway, a.Prefix.Masked())
		}
		a.Gateway = gw
	}
	for _, d := range []struct{ name, v string }{{"net.dns1", s.DNS1}, {"net.dns2", s.DNS2}} {
		if d.v == "" {
			continue
		}
		dns, err := netip.ParseAddr(d.v)
		if err != nil || !dns.Is4() {
			return nil, fmt.Errorf("static address: %s %q is not an IPv4 address", d.name, d.v)
		}
		a.DNS = append(a.DNS, dns)
	}
	return a, nil
}
