package provision

import (
	"context"
	"fmt"
	"sync"
	"time"

	"deskphone/status"
)

// Engine keeps the phone provisioned: a pass at start, then every
// provision.resync_minutes (0 = never), and whenever CheckSync asks (a
// check-sync NOTIFY, the menu, the web page). It publishes each pass to
// the hub as status.Phone.Provision.
type Engine struct {
	Prov *Provisioner
	Hub  *status.Hub // may be nil
	// DHCP gives the options field of the current lease (nil or empty when
	// there is none); it is read at every pass, for discovery.
	DHCP func() []byte

	kick chan struct{}
	once sync.Once
	mu   sync.Mutex
	last status.Provision
}

func (e *Engine) init() { e.kick = make(chan struct{}, 1) }

// CheckSync asks for a pass now; it does not wait for it. Requests made
// while a pass runs are folded into one more pass.
func (e *Engine) CheckSync() {
	e.once.Do(e.init)
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// Last is the last pass's result (zero before the first).
func (e *Engine) Last() status.Provision {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

// Servers is the list of servers to try, in order: the configured
// provision.server_url, otherwise the servers the DHCP options name.
func (e *Engine) Servers() []string {
	if u := e.Prov.Store.String("provision.server_url"); u != "" {
		return []string{u}
	}
	if e.DHCP == nil {
		return nil
	}
	urls, err := DiscoverServers(e.DHCP())
	if err != nil {
		return nil
	}
	return urls
}

// Once runs one pass: each server in turn until one gives a result that is
// not "failed". It publishes and returns the result.
func (e *Engine) Once(ctx context.Context) status.Provision {
	var res status.Provision
	servers := e.Servers()
	if len(servers) == 0 {
		// A phone set up by hand has nothing to fetch: that is reported to
		// the caller but not published, so the status keeps what the last
		// real pass (or a configuration file at start) said.
		return status.Provision{Result: ResultFailed, At: time.Now().UTC(),
			Files: []status.FileResult{{Name: "-", Outcome: Skipped, Reason: "no provisioning server: none configured, none from DHCP"}}}
	}
	for _, s := range servers {
		res = e.Prov.Pass(ctx, s)
		if res.Result != ResultFailed {
			break
		}
	}
	e.mu.Lock()
	e.last = res
	e.mu.Unlock()
	if e.Hub != nil {
		e.Hub.Update(func(p *status.Phone) {
			p.Provision = res
			if e.Prov.Trust != nil {
				p.Security.TrustList = e.Prov.Trust.Versions()
			}
		})
	}
	return res
}

// Run passes at start, periodically and on CheckSync until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	e.once.Do(e.init)
	changed, cancel := e.Prov.Store.Watch("provision.resync_minutes")
	defer cancel()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	// arm restarts the period from now; a period of 0 disarms it.
	arm := func() <-chan time.Time {
		timer.Stop()
		m := e.Prov.Store.Int("provision.resync_minutes")
		if m <= 0 {
			return nil
		}
		timer.Reset(time.Duration(m) * time.Minute)
		return timer.C
	}
	for {
		e.Once(ctx)
		tick := arm()
		for again := false; !again; {
			select {
			case <-ctx.Done():
				return fmt.Errorf("provision: %w", ctx.Err())
			case <-e.kick:
				again = true
			case <-tick:
				again = true
			case <-changed:
				tick = arm() // a new period, counted from now
			}
		}
	}
}
