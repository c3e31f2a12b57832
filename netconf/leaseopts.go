package netconf

import (
	"fmt"
	"net/netip"

	"deskphone/provision"
)

// DHCP options the phone reads for its own IP configuration (RFC 2132).
const (
	optDNS = 6
	optNTP = 42
)

// LeaseServers holds the name and time servers a lease's options name.
type LeaseServers struct {
	DNS []netip.Addr
	NTP []netip.Addr
}

// ParseLeaseServers reads options 6 (DNS) and 42 (NTP) from the raw options
// field of a DHCP lease (the same bytes provision.DiscoverServers takes).
func ParseLeaseServers(raw []byte) (LeaseServers, error) {
	opts, err := provision.ParseDHCPOptions(raw)
	if err != nil {
		return LeaseServers{}, fmt.Errorf("lease options: %w", err)
	}
	var s LeaseServers
	if s.DNS, err = ipv4List(opts, optDNS); err != nil {
		return LeaseServers{}, err
	}
	if s.NTP, err = ipv4List(opts, optNTP); err != nil {
		return LeaseServers{}, err
	}
	return s, nil
}

// ipv4List decodes an option that is a list of IPv4 addresses; absent is empty.
func ipv4List(opts map[uint8][]byte, code uint8) ([]netip.Addr, error) {
	v, ok := opts[code]
	if !ok {
		return nil, nil
	}
	if len(v) == 0 || len(v)%4 != 0 {
		return nil, fmt.Errorf("lease option %d: length %d is not a list of IPv4 addresses", code, len(v))
	}
	out := make([]netip.Addr, 0, len(v)/4)
	for i := 0; i < len(v); i += 4 {
		out = append(out, netip.AddrFrom4([4]byte(v[i:i+4])))
	}
	return out, nil
}
