package netconf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
)

// Exchanger is one interface's DHCP conversation: a full DORA, a renewal
// (or, past T2, a rebinding: the request is broadcast either way) and a
// release. The Linux one is nclient4 on a raw socket; tests give nclient4
// an in-memory server.
type Exchanger interface {
	Request(ctx context.Context, mods ...dhcpv4.Modifier) (*nclient4.Lease, error)
	Renew(ctx context.Context, l *nclient4.Lease, mods ...dhcpv4.Modifier) (*nclient4.Lease, error)
	Release(l *nclient4.Lease, mods ...dhcpv4.Modifier) error
	Close() error
}

var _ Exchanger = (*nclient4.Client)(nil)

// DHCPEvent is what the client reports: an address bound (or renewed), the
// address lost, or a failed attempt with its cause.
type DHCPEvent struct {
	Address *Address // the address in effect (nil: none)
	Renewed bool     // Address is a renewal of the one before
	Err     error    // why there is no address (nil when Address is set)
	Attempt int      // failed attempts in a row
}

// RequestedOptions are the options the phone asks for: its own IP
// configuration and the provisioning discovery options.
var RequestedOptions = []dhcpv4.OptionCode{
	dhcpv4.OptionSubnetMask, dhcpv4.OptionRouter, dhcpv4.OptionDomainNameServer, dhcpv4.OptionDomainName,
	dhcpv4.OptionNTPServers, dhcpv4.OptionVendorSpecificInformation, dhcpv4.OptionTFTPServerName,
	dhcpv4.OptionBootfileName, dhcpv4.OptionTFTPServerAddress, dhcpv4.GenericOptionCode(160),
}

// DHCPClient keeps an address on one interface: DISCOVER/REQUEST with
// retries and a growing pause, renewal at T1, rebinding at T2, a new
// DISCOVER when the lease runs out or is refused, and a RELEASE when
// stopped. Every change goes to Report; the address goes to Apply.
type DHCPClient struct {
	Iface string
	// Open starts the conversation on Iface (nil: nclient4 on a raw socket).
	Open  func(iface string) (Exchanger, error)
	Apply Applier
	// Report is called from Run's goroutine at each change.
	Report func(DHCPEvent)
	// Vendor is sent as the vendor class identifier (option 60).
	Vendor string
	// MinBackoff and MaxBackoff bound the pause between failed attempts
	// (defaults 1 s and 30 s).
	MinBackoff, MaxBackoff time.Duration
	Log                    *slog.Logger
}

// Run keeps the address until ctx ends; then it releases the lease and
// removes the address. An interface that cannot be opened is an error.
func (c *DHCPClient) Run(ctx context.Context) error {
	open := c.Open
	if open == nil {
		open = openRaw
	}
	// The socket is open only for an exchange: a raw socket bound to IPv4
	// receives every packet of the interface (a call's RTP included) and
	// the client would copy each one, between renewals an hour apart.
	// The first one is opened here, so an unusable interface is an error.
	first, err := open(c.Iface)
	if err != nil {
		return fmt.Errorf("dhcp on %s: %w", c.Iface, err)
	}
	defer func() {
		if first != nil {
			first.Close()
		}
	}()
	exchange := func(fn func(Exchanger) error) error {
		x := first
		first = nil
		if x == nil {
			var err error
			if x, err = open(c.Iface); err != nil {
				return fmt.Errorf("dhcp on %s: %w", c.Iface, err)
			}
		}
		defer x.Close()
		return fn(x)
	}
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	minB, maxB := c.MinBackoff, c.MaxBackoff
	if minB <= 0 {
		minB = time.Second
	}
	if maxB < minB {
		maxB = max(30*time.Second, minB)
	}
	mods := []dhcpv4.Modifier{dhcpv4.WithRequestedOptions(RequestedOptions...)}
	if c.Vendor != "" {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptClassIdentifier(c.Vendor)))
	}

	var (
		lease   *nclient4.Lease
		bound   *Address
		fails   int
		backoff = minB
	)
	unbind := func() {
		if bound == nil {
			return
		}
		if err := c.Apply.Remove(c.Iface, bound); err != nil {
			log.Warn("dhcp: remove address", "iface", c.Iface, "err", err)
		}
		bound, lease = nil, nil
	}
	defer func() {
		if lease != nil {
			if err := exchange(func(x Exchanger) error { return x.Release(lease) }); err != nil {
				log.Warn("dhcp: release", "iface", c.Iface, "err", err)
			} else {
				log.Info("dhcp: released", "iface", c.Iface, "address", bound)
			}
		}
		unbind()
	}()
	// bind puts a fresh or renewed lease into effect.
	bind := func(l *nclient4.Lease, renewed bool) error {
		a, err := leaseFromACK(l.ACK)
		if err != nil {
			return err
		}
		if bound != nil && bound.Prefix != a.Prefix {
			unbind() // a renewal with another address: the old one goes
			renewed = false
		}
		if err := c.Apply.Apply(c.Iface, a); err != nil {
			return err
		}
		lease, bound, fails, backoff = l, a, 0, minB
		c.report(DHCPEvent{Address: a, Renewed: renewed})
		return nil
	}
	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}

	for ctx.Err() == nil {
		// INIT/SELECTING/REQUESTING.
		var l *nclient4.Lease
		err := exchange(func(x Exchanger) (err error) {
			l, err = x.Request(ctx, mods...)
			return err
		})
		if err == nil {
			err = bind(l, false)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			fails++
			c.report(DHCPEvent{Err: noAnswer(err), Attempt: fails})
			log.Warn("dhcp: no lease", "iface", c.Iface, "attempt", fails, "err", err, "retry_in", backoff)
			if !wait(backoff) {
				return nil
			}
			backoff = min(2*backoff, maxB)
			continue
		}
		log.Info("dhcp: bound", "iface", c.Iface, "address", bound, "lease", bound.Lease, "server", bound.Server)

		// BOUND -> RENEWING -> REBINDING, until the lease runs out.
		for lease != nil {
			got := time.Now()
			a := bound
			if !wait(a.T1) {
				return nil
			}
			renewed := false
			for !renewed {
				left := a.Lease - time.Since(got)
				if left <= 0 {
					break
				}
				var nl *nclient4.Lease
				err := exchange(func(x Exchanger) (err error) {
					nl, err = x.Renew(ctx, lease, mods...)
					return err
				})
				if err == nil {
					if err = bind(nl, true); err == nil {
						renewed = true
						break
					}
				}
				if ctx.Err() != nil {
					return nil
				}
				var nak *nclient4.ErrNak
				if errors.As(err, &nak) {
					log.Warn("dhcp: renewal refused", "iface", c.Iface, "err", err)
					break
				}
				// RFC 2131 4.4.5: try again after half the time left.
				pause := max(left/2, time.Second)
				log.Warn("dhcp: renewal failed", "iface", c.Iface, "err", err, "retry_in", pause)
				if !wait(min(pause, left)) {
					return nil
				}
			}
			if !renewed {
				log.Warn("dhcp: lease lost", "iface", c.Iface, "address", a)
				lease = nil // nothing to release
				unbind()
				c.report(DHCPEvent{Err: errors.New("lease expired or refused; asking again")})
			}
		}
	}
	return nil
}

func (c *DHCPClient) report(e DHCPEvent) {
	if c.Report != nil {
		c.Report(e)
	}
}

// noAnswer words a failed DORA for the LCD and the status.
func noAnswer(err error) error {
	var nak *nclient4.ErrNak
	if errors.As(err, &nak) {
		return fmt.Errorf("DHCP server refused the request: %w", err)
	}
	if errors.Is(err, nclient4.ErrNoResponse) || errors.Is(err, context.DeadlineExceeded) {
		return errors.New("no DHCP answer")
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("no DHCP answer")
	}
	return fmt.Errorf("DHCP: %w", err)
}
