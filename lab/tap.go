package lab

import (
	"fmt"
)

// AttachPhoneTap gives the phone's namespace a tap interface joined to the
// switch the way lan0 is, for a phone that runs in a virtual machine (the
// QEMU image): tc mirred redirects every frame arriving on lan0 to the tap
// and every frame from the tap out of lan0, so EAPOL, DHCP and SIP pass
// untouched (a Linux bridge would swallow EAPOL's group address). The
// u32 "match anything" classifier is used as it is built into more kernels
// than matchall. lan0
// itself goes quiet (no IPv6 of its own). The tap goes with the namespace
// when the lab closes.
func (l *Lab) AttachPhoneTap(name string) (Iface, error) {
	ns := l.PhoneNS
	steps := [][]string{
		{"ip", "tuntap", "add", "dev", name, "mode", "tap"},
		{"sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1"},
		{"sysctl", "-q", "-w", "net.ipv6.conf." + IfPhoneLAN + ".disable_ipv6=1"},
		{"ip", "link", "set", name, "up"},
		{"tc", "qdisc", "add", "dev", IfPhoneLAN, "handle", "ffff:", "ingress"},
		{"tc", "filter", "add", "dev", IfPhoneLAN, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0",
			"action", "mirred", "egress", "redirect", "dev", name},
		{"tc", "qdisc", "add", "dev", name, "handle", "ffff:", "ingress"},
		{"tc", "filter", "add", "dev", name, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0",
			"action", "mirred", "egress", "redirect", "dev", IfPhoneLAN},
	}
	for _, s := range steps {
		if _, err := l.Exec(ns, s...); err != nil {
			return Iface{}, fmt.Errorf("phone tap %s: %w", name, err)
		}
	}
	return Iface{NS: ns, Name: name}, nil
}
