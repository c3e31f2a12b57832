package boot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"deskphone/netconf"
	"deskphone/status"
)

// Link is the LAN port's link state (hal.Port has it).
type Link interface {
	Up() bool
	WaitLink(ctx context.Context, last bool) (bool, error)
}

// Flow is the boot flow as one component. The stages are functions, so
// the firmware wires the real parts and tests wire fakes.
type Flow struct {
	Hub  *status.Hub
	Link Link
	// LANIface is the LAN port's interface ("": the plain simulator, which
	// uses the host's network: no address stage). A voice VLAN interface
	// published as status.Network.Iface takes its place.
	LANIface string
	// Address keeps an address on iface until ctx ends (DHCP or static),
	// calling set at each change: an address, or nil and why there is none.
	// When it returns its address must be gone.
	Address func(ctx context.Context, iface string, set func(*netconf.Address, error)) error
	// Time asks for network time once, bounded (nil: no time stage).
	Time func(ctx context.Context, a *netconf.Address) error
	// HasServer says whether provisioning has a server to ask (from the
	// settings or this address's DHCP options); without one the stage is
	// skipped.
	HasServer func(a *netconf.Address) bool
	// Provision runs provisioning until ctx ends, with a pass at start whose
	// result it publishes as status.Phone.Provision.
	Provision func(ctx context.Context) error
	// Lines runs the SIP lines until ctx ends (they unregister then).
	Lines func(ctx context.Context) error
	// Dot1XOn says whether the settings turn 802.1X on: until the
	// supplicant publishes its first state the port counts as closed, so
	// no DHCP goes out before 802.1X (nil: follow the published state only).
	Dot1XOn func() bool
	// FirstPass caps the wait for provisioning's first pass (default 90 s):
	// the lines start on the last good configuration after it.
	FirstPass time.Duration
	Log       *slog.Logger

	linkUpAt atomic.Int64 // unix ns of the last link up, for the stage log
}

// Run follows the link, the 802.1X state and the voice VLAN interface,
// and runs the address and later stages while the port can carry them.
func (f *Flow) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if f.Log == nil {
		f.Log = slog.Default()
	}
	links := make(chan bool, 1)
	snaps := make(chan status.Phone, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		up := f.Link.Up()
		for {
			latest(links, up)
			var err error
			if up, err = f.Link.WaitLink(ctx, up); err != nil {
				return
			}
		}
	})
	wg.Go(func() {
		p, seq := f.Hub.Snapshot()
		for {
			latest(snaps, p)
			var err error
			if p, seq, err = f.Hub.Wait(ctx, seq); err != nil {
				return
			}
		}
	})

	var (
		up, authed bool
		p          status.Phone
		sess       *running
		sessIface  string
		linkUpAt   = time.Now()
	)
	// Start from the current state, not from zero values.
	p, _ = f.Hub.Snapshot()
	up = f.Link.Up()
	f.linkUpAt.Store(linkUpAt.UnixNano())
	stop := func() {
		if sess != nil {
			sess.stop()
			sess = nil
		}
	}
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case u := <-links:
			if u && !up {
				linkUpAt = time.Now()
				f.linkUpAt.Store(linkUpAt.UnixNano())
				f.Log.Info("boot: link up")
			} else if !u && up {
				f.Log.Info("boot: link down")
			}
			up = u
		case p = <-snaps:
		}
		var open bool
		open, authed = portOpen(p.Dot1X.State, authed)
		if !up {
			authed = false // the switch forgets the port: authenticate again
		}
		if f.LANIface != "" && f.Dot1XOn != nil && f.Dot1XOn() && (p.Dot1X.State == "" || p.Dot1X.State == status.Dot1XDisabled) {
			open = false // the supplicant has not started yet
		}
		iface := f.LANIface
		if p.Network.Iface != "" && iface != "" {
			iface = p.Network.Iface
		}
		want := up && open
		if sess != nil && (!want || iface != sessIface) {
			stop()
		}
		switch {
		case !up:
			f.publish(StageLink, "no link on the LAN port", "")
		case !open && (p.Dot1X.State == status.Dot1XFailed || p.Dot1X.State == status.Dot1XHeld):
			why := p.Dot1X.Reason
			if why == "" {
				why = p.Dot1X.State
			}
			f.publish(Stage8021X, "802.1X: "+why, "")
		case !open:
			f.publish(Stage8021X, "", "")
		case sess == nil:
			sessIface = iface
			sess = start(ctx, func(ctx context.Context) { f.session(ctx, iface, linkUpAt) })
		}
	}
}

// latest replaces what ch holds with v (a one-slot mailbox of the newest).
func latest[T any](ch chan T, v T) {
	for {
		select {
		case ch <- v:
			return
		default:
			select {
			case <-ch:
			default:
			}
		}
	}
}

// running is a goroutine with its own cancel.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func start(ctx context.Context, fn func(context.Context)) *running {
	ctx, cancel := context.WithCancel(ctx)
	r := &running{cancel: cancel, done: make(chan struct{})}
	go func() { defer close(r.done); fn(ctx) }()
	return r
}

func (r *running) stop() {
	r.cancel()
	<-r.done
}

// publish sets the stage, its problem and the address in the status.
func (f *Flow) publish(stage, problem, ip string) {
	if p, _ := f.Hub.Snapshot(); p.Network.Stage == stage && p.Network.Error == problem && p.Network.IP == ip {
		return // an update would wake every reader for nothing
	}
	f.Hub.Update(func(p *status.Phone) {
		if p.Network.Stage != stage {
			// One line per stage with its time from link up: make
			// bench-boot reads the stages' shares from it.
			since := time.Since(time.Unix(0, f.linkUpAt.Load()))
			f.Log.Info("boot stage", "stage", stage, "since_link_up", since, "error", problem)
		}
		p.Network.Stage, p.Network.Error, p.Network.IP = stage, problem, ip
	})
}

// session is everything from the address on, on one interface, while the
// port forwards.
func (f *Flow) session(ctx context.Context, iface string, linkUpAt time.Time) {
	type addrEvent struct {
		a   *netconf.Address
		err error
	}
	events := make(chan addrEvent, 1)
	// The address outlives the services on it: when the session ends the
	// lines unregister and provisioning stops before DHCP releases the
	// lease, or the unregistering would go out with no address.
	actx, stopAddress := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopAddress()
	if iface == "" || f.Address == nil {
		latest(events, addrEvent{}) // the host's network: nothing to configure
	} else {
		f.publish(StageAddress, "", "")
		wg.Go(func() {
			keep(actx, f.Log, "address", func(ctx context.Context) error {
				return f.Address(ctx, iface, func(a *netconf.Address, err error) { latest(events, addrEvent{a, err}) })
			})
		})
	}
	var svc *running
	var cur *netconf.Address
	defer func() {
		if svc != nil {
			svc.stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			hostNet := iface == "" || f.Address == nil
			switch {
			case ev.a == nil && !hostNet:
				if svc != nil {
					svc.stop()
					svc = nil
				}
				cur = nil
				problem := ""
				if ev.err != nil {
					problem = ev.err.Error()
				}
				f.publish(StageAddress, problem, "")
			case svc != nil && cur != nil && ev.a.Prefix == cur.Prefix:
				cur = ev.a // a renewal: the stages after it go on
			default:
				if svc != nil {
					svc.stop()
				}
				cur = ev.a
				f.Log.Info("boot: address", "iface", iface, "address", cur.String(), "since_link_up", time.Since(linkUpAt))
				a := cur
				svc = start(ctx, func(ctx context.Context) { f.services(ctx, a, linkUpAt) })
			}
		}
	}
}

// services runs time, provisioning and the lines on address a (nil: the
// host's network), publishing the stage as it goes.
func (f *Flow) services(ctx context.Context, a *netconf.Address, linkUpAt time.Time) {
	ip := ""
	if a != nil {
		ip = a.Prefix.Addr().String()
	}
	stageAt := func(stage string) { f.publish(stage, "", ip) }
	var wg sync.WaitGroup
	defer wg.Wait()

	if f.Time != nil {
		stageAt(StageTime)
		if err := f.Time(ctx, a); err != nil {
			f.Log.Warn("boot: no network time yet; the clock keeps its lower bound", "err", err)
		}
	}
	if ctx.Err() != nil {
		return
	}
	provProblem := ""
	if f.Provision != nil && (f.HasServer == nil || f.HasServer(a)) {
		stageAt(StageProvisioning)
		before, seq := f.Hub.Snapshot()
		wg.Go(func() { keep(ctx, f.Log, "provisioning", f.Provision) })
		limit := f.FirstPass
		if limit <= 0 {
			limit = 90 * time.Second
		}
		wctx, cancel := context.WithTimeout(ctx, limit)
		for {
			p, next, err := f.Hub.Wait(wctx, seq)
			if err != nil {
				if ctx.Err() == nil {
					provProblem = fmt.Sprintf("provisioning: no result after %s; running on the last good configuration", limit)
				}
				break
			}
			seq = next
			if !p.Provision.At.Equal(before.Provision.At) || p.Provision.Result != before.Provision.Result {
				break
			}
		}
		cancel()
	} else if f.Provision != nil {
		f.Log.Info("boot: no provisioning server (none configured, none from DHCP)")
	}
	if ctx.Err() != nil {
		return
	}
	if f.Lines == nil {
		stageAt(StageReady)
		<-ctx.Done()
		return
	}
	stageAt(StageRegistering)
	wg.Go(func() { keep(ctx, f.Log, "lines", f.Lines) })
	p, seq := f.Hub.Snapshot()
	last := ""
	for {
		stage, problem := StageRegistering, provProblem
		if p.Provision.Result == "failed" {
			problem = "provisioning failed; running on the last good configuration"
			for _, fr := range p.Provision.Files {
				if fr.Reason != "" {
					problem = "provisioning failed (" + fr.Reason + "); running on the last good configuration"
					break
				}
			}
		}
		registered, enabled, lineProblem := linesState(p.Lines)
		// No line at all is a SIP engine that has not published yet.
		if registered || !enabled && len(p.Lines) > 0 {
			stage = StageReady
		} else if lineProblem != "" {
			problem = lineProblem
		}
		if stage+problem != last {
			last = stage + problem
			f.publish(stage, problem, ip)
		}
		var err error
		if p, seq, err = f.Hub.Wait(ctx, seq); err != nil {
			return
		}
	}
}

// keep runs fn until ctx ends, starting it again after a growing pause
// when it returns early.
func keep(ctx context.Context, log *slog.Logger, name string, fn func(context.Context) error) {
	backoff := time.Second
	for {
		err := fn(ctx)
		if ctx.Err() != nil {
			return
		}
		log.Error("boot: stage part stopped; restarting", "part", name, "err", err, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}
