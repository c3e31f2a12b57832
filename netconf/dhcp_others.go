//go:build !linux

package netconf

import "errors"

func openRaw(iface string) (Exchanger, error) {
	return nil, errors.New("no raw DHCP socket on this platform")
}
