package netlink

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"deskphone/hal"

	"github.com/jsimonetti/rtnetlink"
	mdnetlink "github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Open opens the named interface as a port: it subscribes to link messages,
// then reads the interface's address and current state, so no change
// between the two is missed. An interface that is administratively down is
// brought up, as carrier is only seen on an interface that is up (this needs
// CAP_NET_ADMIN). Run the port to follow the link.
func Open(role hal.PortRole, iface string) (*Port, error) {
	sub, err := mdnetlink.Dial(unix.NETLINK_ROUTE, &mdnetlink.Config{Groups: unix.RTMGRP_LINK})
	if err != nil {
		return nil, fmt.Errorf("open port %s: subscribe to link messages: %w", iface, err)
	}
	query, err := rtnetlink.Dial(nil)
	if err != nil {
		sub.Close()
		return nil, fmt.Errorf("open port %s: %w", iface, err)
	}
	link, err := findLink(query, iface)
	if err != nil {
		sub.Close()
		query.Close()
		return nil, fmt.Errorf("open port %s: %w", iface, err)
	}
	if link.Flags&unix.IFF_UP == 0 {
		err := query.Link.Set(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Index: link.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP})
		if err != nil {
			sub.Close()
			query.Close()
			return nil, fmt.Errorf("open port %s: bring interface up: %w", iface, err)
		}
		// The kernel sends the new state to the subscription; the
		// interface is not running yet, so it is down until then.
	}
	p := &Port{
		role:  role,
		iface: iface,
		index: link.Index,
		mac:   link.Attributes.Address,
		src:   &rtSource{conn: sub, query: query, name: iface},
	}
	p.SetUp(linkUp(link.Flags))
	return p, nil
}

// findLink lists the interfaces on the query socket, apart from the
// subscription so that one carries only multicast messages. Both sockets
// are made by Open, so both live in the network namespace of Open's thread.
func findLink(c *rtnetlink.Conn, name string) (rtnetlink.LinkMessage, error) {
	links, err := c.Link.List()
	if err != nil {
		return rtnetlink.LinkMessage{}, fmt.Errorf("list interfaces: %w", err)
	}
	var names []string
	for _, l := range links {
		if l.Attributes == nil {
			continue
		}
		if l.Attributes.Name == name {
			return l, nil
		}
		names = append(names, l.Attributes.Name)
	}
	return rtnetlink.LinkMessage{}, fmt.Errorf("no interface %q (have %v)", name, names)
}

// linkUp reads the state from the interface flags: up and running.
func linkUp(flags uint32) bool {
	return flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING != 0
}

type rtSource struct {
	conn  *mdnetlink.Conn
	query *rtnetlink.Conn
	name  string
}

func (s *rtSource) receive(ctx context.Context) ([]linkState, error) {
	// A cancelled ctx moves the read deadline to now, waking Receive.
	stop := context.AfterFunc(ctx, func() { s.conn.SetReadDeadline(time.Now()) })
	defer stop()
	msgs, err := s.conn.Receive()
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, unix.ENOBUFS):
		// The kernel dropped messages: read the state afresh.
		l, err := findLink(s.query, s.name)
		if err != nil {
			return nil, fmt.Errorf("reread link after overrun: %w", err)
		}
		return []linkState{{index: l.Index, up: linkUp(l.Flags)}}, nil
	case err != nil:
		return nil, fmt.Errorf("receive link messages: %w", err)
	}
	var states []linkState
	for _, m := range msgs {
		if st, ok := decodeLink(m); ok {
			states = append(states, st)
		}
	}
	return states, nil
}

// decodeLink reads a link message; others and undecodable ones are skipped,
// as the next message about the interface will tell its state again.
func decodeLink(m mdnetlink.Message) (linkState, bool) {
	if m.Header.Type != unix.RTM_NEWLINK && m.Header.Type != unix.RTM_DELLINK {
		return linkState{}, false
	}
	var l rtnetlink.LinkMessage
	if err := l.UnmarshalBinary(m.Data); err != nil {
		return linkState{}, false
	}
	return linkState{index: l.Index, up: linkUp(l.Flags), deleted: m.Header.Type == unix.RTM_DELLINK}, true
}

func (s *rtSource) close() error {
	err := s.conn.Close()
	if qerr := s.query.Close(); err == nil {
		err = qerr
	}
	return err
}
