package netconf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// DNS keeps the phone's name servers in memory (from DHCP option 6 or the
// static settings) so the simulator never touches the host's resolv.conf.
type DNS struct {
	mu      sync.Mutex
	servers []string // host:port
}

// SetServers replaces the name servers; plain IPs get port 53.
func (d *DNS) SetServers(servers []string) {
	out := make([]string, 0, len(servers))
	for _, s := range servers {
		if _, _, err := net.SplitHostPort(s); err != nil {
			s = net.JoinHostPort(s, "53")
		}
		out = append(out, s)
	}
	d.mu.Lock()
	d.servers = out
	d.mu.Unlock()
}

// Servers returns the current name servers.
func (d *DNS) Servers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.servers...)
}

// Resolver returns a Go resolver that asks only the phone's name servers,
// trying them in order.
func (d *DNS) Resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			servers := d.Servers()
			if len(servers) == 0 {
				return nil, errors.New("dns: no name servers configured")
			}
			var dialer net.Dialer
			var errs []error
			for _, s := range servers {
				c, err := dialer.DialContext(ctx, network, s)
				if err == nil {
					return c, nil
				}
				errs = append(errs, fmt.Errorf("dns dial %s: %w", s, err))
			}
			return nil, errors.Join(errs...)
		},
	}
}
