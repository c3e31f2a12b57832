//go:build linux

package voicevlan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"

	"github.com/jsimonetti/rtnetlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// NetlinkLinks is Links over rtnetlink, in the network namespace of the
// thread that dialed it. On a kernel without 802.1Q it falls back to a
// user-space VLAN interface (a TAP whose frames it tags itself).
type NetlinkLinks struct {
	c   *rtnetlink.Conn
	ns  *netns
	log *slog.Logger

	mu   sync.Mutex
	taps map[string]*tapVLAN
}

var _ Links = (*NetlinkLinks)(nil)

// DialLinks opens the rtnetlink socket. Making interfaces needs
// CAP_NET_ADMIN. log may be nil.
func DialLinks(log *slog.Logger) (*NetlinkLinks, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ns, err := currentNetns()
	if err != nil {
		return nil, err
	}
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		ns.close()
		return nil, fmt.Errorf("open rtnetlink: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &NetlinkLinks{c: c, ns: ns, log: log, taps: map[string]*tapVLAN{}}, nil
}

// From linux/if_link.h.
const (
	iflaVLANID         = 1 // IFLA_VLAN_ID
	iflaVLANEgressQoS  = 3 // IFLA_VLAN_EGRESS_QOS
	iflaVLANQoSMapping = 1 // IFLA_VLAN_QOS_MAPPING
)

// AddVLAN implements Links.
func (n *NetlinkLinks) AddVLAN(parent, name string, vid, priority int) error {
	p, err := n.byName(parent)
	if err != nil {
		return fmt.Errorf("add VLAN %s: %w", name, err)
	}
	data, err := vlanInfo(vid, priority)
	if err != nil {
		return fmt.Errorf("add VLAN %s: %w", name, err)
	}
	req := &rtnetlink.LinkMessage{
		Family: unix.AF_UNSPEC,
		Attributes: &rtnetlink.LinkAttributes{
			Name: name,
			Type: p.Index, // IFLA_LINK: the parent
			Info: &rtnetlink.LinkInfo{Kind: "vlan", Data: data},
		},
	}
	err = n.c.Link.New(req)
	if errors.Is(err, unix.EEXIST) {
		// Left by an earlier run, perhaps with another id: start afresh.
		if err := n.Remove(name); err != nil {
			return err
		}
		err = n.c.Link.New(req)
	}
	if errors.Is(err, unix.EOPNOTSUPP) {
		return n.addTap(parent, name, vid, priority)
	}
	if err != nil {
		return fmt.Errorf("add VLAN %s (id %d on %s): %w", name, vid, parent, err)
	}
	l, err := n.byName(name)
	if err != nil {
		return fmt.Errorf("add VLAN %s: %w", name, err)
	}
	if err := n.c.Link.Set(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Index: l.Index,
		Flags: unix.IFF_UP, Change: unix.IFF_UP}); err != nil {
		return fmt.Errorf("bring VLAN %s up: %w", name, err)
	}
	return nil
}

// vlanInfo is the VLAN driver's link data: the id, and an egress map that
// sends every socket priority (0-7) with the given 802.1p priority.
func vlanInfo(vid, priority int) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint16(iflaVLANID, uint16(vid))
	ae.Nested(iflaVLANEgressQoS, func(nae *netlink.AttributeEncoder) error {
		for from := range 8 {
			m := make([]byte, 8) // struct ifla_vlan_qos_mapping { __u32 from, to; }
			binary.NativeEndian.PutUint32(m[0:4], uint32(from))
			binary.NativeEndian.PutUint32(m[4:8], uint32(priority))
			nae.Bytes(iflaVLANQoSMapping, m)
		}
		return nil
	})
	return ae.Encode()
}

// addTap makes the user-space VLAN interface (no 802.1Q in the kernel).
func (n *NetlinkLinks) addTap(parent, name string, vid, priority int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.taps[name]; ok {
		return nil
	}
	var t *tapVLAN
	err := n.ns.do(func() error {
		ifi, err := net.InterfaceByName(parent)
		if err != nil {
			return err
		}
		t, err = openTapVLAN(n.c, ifi, name, vid, priority, n.log)
		return err
	})
	if err != nil {
		return fmt.Errorf("add VLAN %s (user space, the kernel has no 802.1Q): %w", name, err)
	}
	n.log.Info("voice VLAN: the kernel has no 802.1Q; tagging in user space", "iface", name, "vlan", vid)
	n.taps[name] = t
	return nil
}

// Remove implements Links.
func (n *NetlinkLinks) Remove(name string) error {
	n.mu.Lock()
	t, ok := n.taps[name]
	delete(n.taps, name)
	n.mu.Unlock()
	if ok {
		if err := t.close(); err != nil {
			return fmt.Errorf("remove VLAN %s: %w", name, err)
		}
		return nil
	}
	l, err := n.byName(name)
	if errors.Is(err, errNoLink) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove VLAN %s: %w", name, err)
	}
	if err := n.c.Link.Delete(l.Index); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("remove VLAN %s: %w", name, err)
	}
	return nil
}

var errNoLink = errors.New("no such interface")

func (n *NetlinkLinks) byName(name string) (rtnetlink.LinkMessage, error) {
	links, err := n.c.Link.List()
	if err != nil {
		return rtnetlink.LinkMessage{}, fmt.Errorf("list interfaces: %w", err)
	}
	for _, l := range links {
		if l.Attributes != nil && l.Attributes.Name == name {
			return l, nil
		}
	}
	return rtnetlink.LinkMessage{}, fmt.Errorf("%q: %w", name, errNoLink)
}

// Close removes the user-space VLAN interfaces still open and closes the
// socket.
func (n *NetlinkLinks) Close() error {
	n.mu.Lock()
	taps := n.taps
	n.taps = map[string]*tapVLAN{}
	n.mu.Unlock()
	var errs []error
	for _, t := range taps {
		errs = append(errs, t.close())
	}
	return errors.Join(append(errs, n.c.Close(), n.ns.close())...)
}
