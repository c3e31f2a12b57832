package lab

import (
	"context"
	"fmt"
)

// SetDHCP changes what dnsmasq hands out (e.g. the provisioning URL of
// option 160) and restarts it if it runs, so the next lease carries it.
func (l *Lab) SetDHCP(ctx context.Context, change func(*DHCP)) error {
	if !l.Opts.DHCP {
		return fmt.Errorf("set dhcp options: the lab runs no DHCP server")
	}
	change(&l.DHCP)
	if err := l.writeDnsmasq(); err != nil {
		return fmt.Errorf("set dhcp options: %w", err)
	}
	l.mu.Lock()
	running := len(l.services[SvcDHCP]) > 0
	l.mu.Unlock()
	if !running {
		return nil
	}
	return l.RestartService(ctx, SvcDHCP)
}
