//go:build !linux

package voicevlan

import (
	"errors"
	"log/slog"
)

// NetlinkLinks is Links over rtnetlink; it exists on Linux only.
type NetlinkLinks struct{}

var _ Links = (*NetlinkLinks)(nil)

var errNoNetlink = errors.New("VLAN interfaces need Linux")

// DialLinks fails outside Linux.
func DialLinks(log *slog.Logger) (*NetlinkLinks, error) { return nil, errNoNetlink }

func (n *NetlinkLinks) AddVLAN(parent, name string, vid, priority int) error {
	return errNoNetlink
}
func (n *NetlinkLinks) Remove(name string) error { return errNoNetlink }
func (n *NetlinkLinks) Close() error             { return nil }
