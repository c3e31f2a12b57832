//go:build !linux

package netconf

import "fmt"

// Netlink is the rtnetlink applier; elsewhere than Linux it refuses.
type Netlink struct{}

var _ Applier = Netlink{}

func (Netlink) Apply(iface string, a *Address) error {
	return fmt.Errorf("apply %s to %s: %w", a, iface, errNoNetlink)
}

func (Netlink) Remove(iface string, a *Address) error {
	return fmt.Errorf("remove %s from %s: %w", a, iface, errNoNetlink)
}
