package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"deskphone/boot"
	"deskphone/netconf"
	"deskphone/provision"
	"deskphone/provision/settings"
	"deskphone/status"
)

// netState is what the address stage hands the rest of the phone: the
// address in effect (its DNS servers feed the resolver, its options the
// provisioning discovery, its NTP servers the clock).
type netState struct {
	cur atomic.Pointer[netconf.Address]
	dns netconf.DNS
}

func (n *netState) set(a *netconf.Address) {
	n.cur.Store(a)
	var servers []string
	if a != nil {
		for _, d := range a.DNS {
			servers = append(servers, d.String())
		}
	}
	n.dns.SetServers(servers)
}

// dhcpOptions is the current lease's options field (nil: no lease).
func (n *netState) dhcpOptions() []byte {
	if a := n.cur.Load(); a != nil {
		return a.Options
	}
	return nil
}

// sntpServer is net.sntp_server, or the lease's first NTP server (option 42).
func (n *netState) sntpServer(store *settings.Store) string {
	if s := store.String("net.sntp_server"); s != "" {
		return s
	}
	if a := n.cur.Load(); a != nil && len(a.NTP) > 0 {
		return a.NTP[0].String()
	}
	return ""
}

// addressStage keeps the address the settings ask for on iface: DHCP
// (net.dhcp = on) or the static net.ip, net.mask, net.gateway, net.dns1,
// net.dns2. A change of a net.* address setting starts it over.
func addressStage(store *settings.Store, ns *netState, apply netconf.Applier, log *slog.Logger) func(ctx context.Context, iface string, set func(*netconf.Address, error)) error {
	return func(ctx context.Context, iface string, set func(*netconf.Address, error)) error {
		changed, cancel := store.Watch("net.dhcp", "net.ip", "net.mask", "net.gateway", "net.dns1", "net.dns2")
		defer cancel()
		report := func(a *netconf.Address, err error) {
			ns.set(a)
			set(a, err)
		}
		for {
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- runAddress(runCtx, store, iface, apply, report, log) }()
			select {
			case <-changed:
				log.Info("address settings changed; configuring again")
				stop()
				<-done
			case err := <-done:
				stop()
				return err
			}
		}
	}
}

// runAddress runs one configuration until ctx ends; the address is gone
// when it returns.
func runAddress(ctx context.Context, store *settings.Store, iface string, apply netconf.Applier, report func(*netconf.Address, error), log *slog.Logger) error {
	defer report(nil, nil)
	if store.Bool("net.dhcp") {
		c := &netconf.DHCPClient{Iface: iface, Apply: apply, Vendor: "deskphone-" + phoneModel, Log: log,
			Report: func(e netconf.DHCPEvent) {
				err := e.Err
				if err != nil && e.Attempt > 0 {
					err = fmt.Errorf("%w (attempt %d, still trying)", err, e.Attempt)
				}
				report(e.Address, err)
			}}
		return c.Run(ctx)
	}
	a, err := netconf.Static(netconf.StaticSettings{IP: store.String("net.ip"), Mask: store.String("net.mask"),
		Gateway: store.String("net.gateway"), DNS1: store.String("net.dns1"), DNS2: store.String("net.dns2")})
	if err != nil {
		report(nil, err)
		<-ctx.Done()
		return nil
	}
	if err := apply.Apply(iface, a); err != nil {
		report(nil, err)
		<-ctx.Done()
		return nil
	}
	report(a, nil)
	<-ctx.Done()
	if err := apply.Remove(iface, a); err != nil {
		log.Warn("remove static address", "iface", iface, "err", err)
	}
	return nil
}

// timeStage asks the SNTP server once (a few seconds at most): a phone
// whose server does not answer goes on with its lower-bound clock, and the
// clock's own loop keeps asking.
func timeStage(store *settings.Store, ns *netState, clock *netconf.Clock) func(ctx context.Context, a *netconf.Address) error {
	return func(ctx context.Context, _ *netconf.Address) error {
		srv := ns.sntpServer(store)
		if srv == "" {
			return errors.New("no SNTP server: none configured, none from DHCP")
		}
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		r, err := netconf.QuerySNTP(ctx, srv, time.Now)
		if err != nil {
			return fmt.Errorf("sntp %s: %w", srv, err)
		}
		clock.SetSNTP(r)
		if err := clock.Save(); err != nil {
			return err
		}
		return nil
	}
}

// newBootFlow wires the boot flow of a phone whose LAN port is lanIface
// ("" on the plain simulator: no address stage, the host's network).
func newBootFlow(hub *status.Hub, store *settings.Store, link boot.Link, lanIface string, addr func(context.Context, string, func(*netconf.Address, error)) error,
	tm func(context.Context, *netconf.Address) error, eng *provision.Engine, lines func(context.Context) error, log *slog.Logger) *boot.Flow {
	return &boot.Flow{
		Hub: hub, Link: link, LANIface: lanIface, Address: addr, Time: tm,
		HasServer: func(*netconf.Address) bool { return eng.Prov != nil && len(eng.Servers()) > 0 },
		Provision: func(ctx context.Context) error {
			if eng.Prov == nil {
				<-ctx.Done()
				return nil
			}
			return eng.Run(ctx)
		},
		Lines:   lines,
		Dot1XOn: func() bool { return store.Int("dot1x.mode") != 0 },
		Log:     log,
	}
}

// useResolver makes the phone's own name servers (from DHCP or the
// settings) the process's resolver: provisioning and SIP look host names
// up there, never in the host's resolv.conf.
func useResolver(dns *netconf.DNS) {
	net.DefaultResolver = dns.Resolver()
}

// rebooter restarts the phone the way the simulator board can: every
// component is stopped (the root context is cancelled; the lines
// unregister), then the process replaces itself with a fresh copy of the
// same binary and arguments (execve), which boots through the whole flow.
type rebooter struct {
	cancel context.CancelFunc
	why    atomic.Pointer[string]
	log    *slog.Logger
	execve func(path string, argv, env []string) error // nil: syscall.Exec; tests fake it
}

// Request asks for a reboot; the first reason wins.
func (r *rebooter) Request(why string) {
	if r.why.CompareAndSwap(nil, &why) {
		r.log.Warn("rebooting", "why", why)
		r.cancel()
	}
}

// Requested says whether a reboot was asked for.
func (r *rebooter) Requested() bool { return r.why.Load() != nil }

// finish ends `firmware run` once every component has stopped, or stopErr
// says which did not: a reboot that was asked for happens either way, as
// a stuck part must not keep the phone down (the new process replaces it).
// Under the image's init (byInit) the firmware just exits; init starts it
// again and picks the slot.
func (r *rebooter) finish(stopErr error, byInit bool) error {
	if !r.Requested() || byInit {
		return stopErr
	}
	if stopErr != nil {
		r.log.Warn("reboot: starting again although a part did not stop", "err", stopErr)
	}
	return r.exec()
}

// exec replaces the process with the same binary; it returns only on error.
func (r *rebooter) exec() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("reboot: %w", err)
	}
	r.log.Info("reboot: starting again", "exe", exe)
	execve := r.execve
	if execve == nil {
		execve = syscall.Exec
	}
	if err := execve(exe, os.Args, os.Environ()); err != nil {
		return fmt.Errorf("reboot: exec %s: %w", exe, err)
	}
	return nil
}

// rebootForNewImage reboots once provisioning has put a new firmware image
// on trial in the other slot: that change needs a reboot to take effect.
// Other settings apply live.
func rebootForNewImage(ctx context.Context, hub *status.Hub, slots *provision.Slots, r *rebooter) error {
	st0, err := slots.State()
	if err != nil {
		<-ctx.Done()
		return nil
	}
	p, seq := hub.Snapshot()
	lastPass := p.Provision.At
	for {
		if p, seq, err = hub.Wait(ctx, seq); err != nil {
			return nil
		}
		if p.Provision.At.Equal(lastPass) {
			continue
		}
		lastPass = p.Provision.At
		if st, err := slots.State(); err == nil && st.Trying != "" && st.Trying != st0.Trying {
			r.Request("new firmware image in slot " + st.Trying)
			return nil
		}
	}
}
