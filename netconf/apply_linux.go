package netconf

import (
	"errors"
	"fmt"
	"net"

	"github.com/jsimonetti/rtnetlink"
	"golang.org/x/sys/unix"
)

// Netlink applies addresses through rtnetlink in the process's network
// namespace (this needs CAP_NET_ADMIN).
type Netlink struct{}

var _ Applier = Netlink{}

// Apply adds the address and, when there is a gateway, the default route.
// Either already present is not an error: a renewal applies the same lease.
func (Netlink) Apply(iface string, a *Address) error {
	c, idx, err := dialLink(iface)
	if err != nil {
		return fmt.Errorf("apply %s to %s: %w", a, iface, err)
	}
	defer c.Close()
	err = c.Address.New(addrMessage(idx, a))
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("apply %s to %s: add address: %w", a, iface, err)
	}
	if a.Gateway.IsValid() {
		err = c.Route.Replace(routeMessage(idx, a))
		if err != nil {
			return fmt.Errorf("apply %s to %s: default route via %s: %w", a, iface, a.Gateway, err)
		}
	}
	return nil
}

// Remove deletes the default route and the address; what is already gone
// (the kernel drops the route with the address) is not an error.
func (Netlink) Remove(iface string, a *Address) error {
	c, idx, err := dialLink(iface)
	if err != nil {
		return fmt.Errorf("remove %s from %s: %w", a, iface, err)
	}
	defer c.Close()
	var errs []error
	if a.Gateway.IsValid() {
		if err := c.Route.Delete(routeMessage(idx, a)); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("remove default route via %s from %s: %w", a.Gateway, iface, err))
		}
	}
	if err := c.Address.Delete(addrMessage(idx, a)); err != nil && !gone(err) {
		errs = append(errs, fmt.Errorf("remove %s from %s: %w", a, iface, err))
	}
	return errors.Join(errs...)
}

func gone(err error) bool {
	return errors.Is(err, unix.ESRCH) || errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EADDRNOTAVAIL) || errors.Is(err, unix.ENODEV)
}

func dialLink(iface string) (*rtnetlink.Conn, uint32, error) {
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		return nil, 0, err
	}
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		return nil, 0, fmt.Errorf("rtnetlink: %w", err)
	}
	return c, uint32(ifi.Index), nil
}

func addrMessage(idx uint32, a *Address) *rtnetlink.AddressMessage {
	ip := net.IP(a.Prefix.Addr().AsSlice())
	bcast := make(net.IP, 4)
	mask := net.CIDRMask(a.Prefix.Bits(), 32)
	for i := range bcast {
		bcast[i] = ip[i] | ^mask[i]
	}
	return &rtnetlink.AddressMessage{
		Family: unix.AF_INET, PrefixLength: uint8(a.Prefix.Bits()), Scope: unix.RT_SCOPE_UNIVERSE, Index: idx,
		Attributes: &rtnetlink.AddressAttributes{Address: ip, Local: ip, Broadcast: bcast},
	}
}

func routeMessage(idx uint32, a *Address) *rtnetlink.RouteMessage {
	proto := uint8(unix.RTPROT_STATIC)
	if a.Source == SourceDHCP {
		proto = unix.RTPROT_DHCP
	}
	return &rtnetlink.RouteMessage{
		Family: unix.AF_INET, Table: unix.RT_TABLE_MAIN, Protocol: proto, Scope: unix.RT_SCOPE_UNIVERSE, Type: unix.RTN_UNICAST,
		Attributes: rtnetlink.RouteAttributes{Gateway: net.IP(a.Gateway.AsSlice()), OutIface: idx, Table: unix.RT_TABLE_MAIN},
	}
}
