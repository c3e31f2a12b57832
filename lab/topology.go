package lab

import (
	"context"
	"fmt"
)

// makeTopology creates the four namespaces, the three veth cables and the
// addresses:
//
//	phone lan0 <-> switch port1;  phone pc0 <-> pc eth0;  switch up0 <-> services eth0
func (l *Lab) makeTopology(ctx context.Context) error {
	for _, ns := range []string{l.PhoneNS, l.PCNS, l.SwitchNS, l.ServicesNS} {
		if err := addNetns(ctx, ns); err != nil {
			return err
		}
	}
	// The switch is layer 2 only: no IPv6 autoconfiguration chatter from it.
	if err := run(ctx, "ip", "netns", "exec", l.SwitchNS, "sh", "-c",
		"echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6"); err != nil {
		return err
	}
	cables := []struct {
		ns1, if1, mac1, ns2, if2, mac2 string
	}{
		{l.PhoneNS, IfPhoneLAN, MACPhoneLAN.String(), l.SwitchNS, IfSwitchPort, MACSwitchPort.String()},
		{l.PhoneNS, IfPhonePC, MACPhonePC.String(), l.PCNS, IfPC, MACPC.String()},
		{l.SwitchNS, IfSwitchUp, MACSwitchUp.String(), l.ServicesNS, IfServices, MACServices.String()},
	}
	for _, c := range cables {
		if err := run(ctx, "ip", "link", "add", c.if1, "netns", c.ns1, "address", c.mac1, "type", "veth",
			"peer", "name", c.if2, "netns", c.ns2, "address", c.mac2); err != nil {
			return fmt.Errorf("cable %s/%s-%s/%s: %w", c.ns1, c.if1, c.ns2, c.if2, err)
		}
	}
	cmds := [][]string{
		{"-n", l.SwitchNS, "link", "set", IfSwitchPort, "up"},
		{"-n", l.SwitchNS, "link", "set", IfSwitchUp, "up"},
		{"-n", l.PhoneNS, "link", "set", IfPhoneLAN, "up"},
		{"-n", l.PhoneNS, "link", "set", IfPhonePC, "up"},
		{"-n", l.PCNS, "link", "set", IfPC, "up"},
		{"-n", l.ServicesNS, "link", "set", IfServices, "up"},
		{"-n", l.ServicesNS, "route", "add", "default", "dev", IfServices},
	}
	for _, a := range []string{AddrGateway, AddrPBX, AddrProv, AddrRemote} {
		cmds = append(cmds, []string{"-n", l.ServicesNS, "addr", "add", fmt.Sprintf("%s/%d", a, PrefixLen), "dev", IfServices})
	}
	if l.Opts.PhoneAddress {
		cmds = append(cmds,
			[]string{"-n", l.PhoneNS, "addr", "add", fmt.Sprintf("%s/%d", AddrPhone, PrefixLen), "dev", IfPhoneLAN},
			[]string{"-n", l.PCNS, "addr", "add", fmt.Sprintf("%s/%d", AddrPC, PrefixLen), "dev", IfPC})
	}
	for _, c := range cmds {
		if err := run(ctx, "ip", c...); err != nil {
			return err
		}
	}
	return nil
}
