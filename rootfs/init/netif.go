package main

import (
	"fmt"
	"sort"

	"github.com/jsimonetti/rtnetlink"
	"golang.org/x/sys/unix"
)

// link is an interface init brought up.
type link struct {
	index uint32
	name  string
}

// linksUp sets loopback and every Ethernet interface up, the way a boot
// brings the phone's ports up before the firmware follows their carrier.
// The Ethernet ones are returned in index order (the LAN port first).
func linksUp() ([]link, error) {
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	defer c.Close()
	msgs, err := c.Link.List()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].Index < msgs[j].Index })
	var eth []link
	for _, m := range msgs {
		if m.Attributes == nil {
			continue
		}
		isEth := m.Type == unix.ARPHRD_ETHER && len(m.Attributes.Address) == 6
		if m.Type != unix.ARPHRD_LOOPBACK && !isEth {
			continue
		}
		if err := c.Link.Set(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Type: m.Type, Index: m.Index,
			Flags: unix.IFF_UP, Change: unix.IFF_UP}); err != nil {
			return eth, fmt.Errorf("set %s up: %w", m.Attributes.Name, err)
		}
		if isEth {
			eth = append(eth, link{m.Index, m.Attributes.Name})
		}
	}
	return eth, nil
}

func (l link) String() string { return l.name }
