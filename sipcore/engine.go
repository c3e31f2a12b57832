package sipcore

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"deskphone/hal"
	"deskphone/status"
)

// Hooks connect the engine to the rest of the firmware; every field is
// optional.
type Hooks struct {
	Status  *status.Hub       // lines are published with status.Phone.SetLine
	OnEvent func(Event)       // every event, in order per line; must not block long
	Resync  func(reboot bool) // check-sync accepted (after any call ended)
	Log     *slog.Logger
	// Audio carries call audio (see Dial); nil: calls have no audio path.
	Audio    hal.Audio
	Endpoint hal.Endpoint // the endpoint calls start on; "" = handset
	// Endpoints gives the endpoints calls may open now (the settings
	// disable the others: never opened); nil = handset, speaker and headset.
	Endpoints func() []hal.Endpoint
	// OnCall reports each call state change (and hold, resume, a re-INVITE
	// of the peer, as CallEstablished again); an incoming call arrives as
	// CallIncoming, to Answer or Reject. Must not block long.
	OnCall func(c *Call, s CallState)
	// OnDigit reports an RFC 4733 digit the peer sent.
	OnDigit func(c *Call, d rune)
}

// Engine runs all SIP lines of a Config on one stack.
type Engine struct {
	hooks  Hooks
	log    *slog.Logger
	nonces *nonceStore
	kick   chan struct{} // config, suspension changed
	resync chan struct{} // a resync may be due

	mu        sync.Mutex
	cfg       Config
	suspended string
	inCall    bool
	pending   bool // a check-sync is waiting for the call to end
	reboot    bool // ... and one of them asked for a reboot
	addr      net.Addr
	st        *stack           // the running stack, for calls
	calls     map[string]*Call // by Call-ID
	order     []*Call          // the same calls, oldest first
	evMu      sync.Mutex       // serializes OnEvent and status updates
}

// New checks cfg and returns an engine for it; Run starts it.
func New(cfg Config, h Hooks) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	return &Engine{
		hooks: h, log: log, cfg: cfg,
		nonces: newNonceStore(cfg.NonceLifetime, nil),
		kick:   make(chan struct{}, 1),
		resync: make(chan struct{}, 1),
	}, nil
}

// Reconfigure applies cfg live: changed lines re-register, unchanged ones
// are left alone. A bad cfg is refused whole and the old one stays.
func (e *Engine) Reconfigure(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg = cfg.withDefaults()
	e.mu.Lock()
	e.cfg = cfg
	e.mu.Unlock()
	e.nonces.mu.Lock()
	e.nonces.ttl = cfg.NonceLifetime
	e.nonces.mu.Unlock()
	e.poke(e.kick)
	return nil
}

// Suspend stops every line without unregistering (the network is gone,
// e.g. 802.1X made the port inoperable); reason is published.
func (e *Engine) Suspend(reason string) {
	if reason == "" {
		reason = "suspended"
	}
	e.mu.Lock()
	e.suspended = reason
	e.mu.Unlock()
	e.poke(e.kick)
}

// Resume starts the lines again after Suspend.
func (e *Engine) Resume() {
	e.mu.Lock()
	e.suspended = ""
	e.mu.Unlock()
	e.poke(e.kick)
}

// SetInCall tells the engine whether a call is up; check-sync waits for
// the end of the call.
func (e *Engine) SetInCall(in bool) {
	e.mu.Lock()
	e.inCall = in
	e.mu.Unlock()
	if !in {
		e.poke(e.resync)
	}
}

// LocalAddr is the UDP address the phone listens on (TCP uses the same
// port), or nil when the engine is not running.
func (e *Engine) LocalAddr() net.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addr
}

func (e *Engine) poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (e *Engine) emit(ev Event) {
	e.evMu.Lock()
	defer e.evMu.Unlock()
	if e.hooks.OnEvent != nil {
		e.hooks.OnEvent(ev)
	}
}

func (e *Engine) publish(l status.Line) {
	if e.hooks.Status == nil {
		return
	}
	e.evMu.Lock()
	defer e.evMu.Unlock()
	e.hooks.Status.Update(func(p *status.Phone) { p.SetLine(l) })
}

// sameStack reports whether a and b can share one stack.
func sameStack(a, b Config) bool {
	return a.Listen == b.Listen && a.UserAgent == b.UserAgent && sameTLS(a.TLS, b.TLS)
}

// Run runs the lines until ctx ends, then unregisters them. It returns an
// error only when the stack cannot start (the listen address is taken).
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wctx, stopWorker := context.WithCancel(ctx)
	wg.Add(1)
	go func() { defer wg.Done(); e.resyncWorker(wctx) }()
	defer wg.Wait()
	defer stopWorker()

	var (
		st      *stack
		stCfg   Config
		running = map[int]*lineRun{}
		known   = map[int]Line{} // every line published so far
	)
	stopAll := func(keep bool, reason string) {
		var sw sync.WaitGroup
		for idx, r := range running {
			sw.Add(1)
			go func() { defer sw.Done(); r.stop(keep, reason) }()
			delete(running, idx)
		}
		sw.Wait()
	}
	defer func() {
		e.mu.Lock()
		susp := e.suspended
		e.mu.Unlock()
		e.endCalls()
		stopAll(susp != "", susp)
		if st != nil {
			st.close()
		}
		e.mu.Lock()
		e.addr, e.st = nil, nil
		e.mu.Unlock()
	}()

	for {
		e.mu.Lock()
		cfg, susp := e.cfg, e.suspended
		e.mu.Unlock()

		if st != nil && !sameStack(stCfg, cfg) {
			stopAll(false, "reconfigured")
			e.mu.Lock()
			e.st = nil
			e.mu.Unlock()
			st.close()
			st = nil
		}
		if st == nil {
			var err error
			st, err = newStack(cfg, e.log, map[sip.RequestMethod]sipgo.RequestHandler{
				sip.NOTIFY:  e.onNotify,
				sip.OPTIONS: onOptions,
				sip.BYE:     e.onBye,
				sip.INVITE:  e.onInvite,
				sip.ACK:     e.onAck,
			})
			if err != nil {
				return fmt.Errorf("sip engine: %w", err)
			}
			stCfg = cfg
			e.mu.Lock()
			e.addr, e.st = st.udp.LocalAddr(), st
			e.mu.Unlock()
		}

		want := map[int]Line{}
		for _, l := range cfg.Lines {
			if l.Enabled {
				want[l.Index] = l
			}
		}
		for idx, r := range running {
			if nl, ok := want[idx]; susp != "" || !ok || nl != r.cfg {
				reason := "reconfigured"
				if susp != "" {
					reason = susp
				}
				r.stop(susp != "", reason)
				delete(running, idx)
			}
		}
		for _, l := range cfg.Lines {
			known[l.Index] = l
			if !l.Enabled {
				st := status.Line{Index: l.Index, Label: l.Label, State: status.LineDisabled,
					Transport: string(l.Transport), Security: string(l.Security)}
				if l.Problem != "" {
					st.State, st.Reason = status.LineFailed, l.Problem
				}
				e.publish(st)
			}
		}
		for idx, l := range known {
			if _, ok := want[idx]; !ok && !inConfig(cfg, idx) {
				e.publish(status.Line{Index: idx, Label: l.Label, State: status.LineDisabled})
				delete(known, idx)
			}
		}
		if susp == "" {
			for idx, l := range want {
				if _, ok := running[idx]; ok {
					continue
				}
				r := &lineRun{
					cfg: l, timing: cfg.Timing, st: st, userAgent: cfg.UserAgent, now: cfg.TLS.Time, clockSrc: cfg.TLS.ClockSource,
					log: e.log, emit: e.emit, publish: e.publish,
				}
				running[idx] = r
				// Only stop ends a line, so it knows whether to unregister.
				r.start(context.WithoutCancel(ctx))
			}
		}

		select {
		case <-ctx.Done():
			return nil
		case <-e.kick:
		}
	}
}

func inConfig(c Config, idx int) bool {
	for _, l := range c.Lines {
		if l.Index == idx {
			return true
		}
	}
	return false
}

// onOptions answers keep-alives and probes.
func onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	_ = tx.Respond(res)
}

// onNotify answers a NOTIFY and queues the resync it accepts.
func (e *Engine) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	e.mu.Lock()
	cfg := e.cfg
	e.mu.Unlock()
	st := checkSyncState{challenge: cfg.ChecksyncChallenge, realm: cfg.ChecksyncRealm}
	for _, l := range cfg.Lines {
		if l.Enabled {
			st.lines = append(st.lines, l)
		}
	}
	res, ev := handleNotify(req, st, e.nonces)
	if ev.Accepted {
		e.mu.Lock()
		e.pending = true
		e.reboot = e.reboot || ev.Reboot
		ev.Deferred = e.inCall
		e.mu.Unlock()
	}
	if err := tx.Respond(res); err != nil {
		e.log.Warn("sip notify: respond", "err", err)
	}
	e.log.Info("sip check-sync", "line", ev.Line, "accepted", ev.Accepted, "reboot", ev.Reboot, "deferred", ev.Deferred, "cause", ev.Cause)
	e.emit(ev)
	if ev.Accepted {
		e.poke(e.resync)
	}
}

// resyncWorker calls Hooks.Resync for accepted check-syncs once no call
// is up; several check-syncs in a row make one resync (a reboot if any
// asked for one).
func (e *Engine) resyncWorker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.resync:
		}
		e.mu.Lock()
		due := e.pending && !e.inCall
		reboot := e.reboot
		if due {
			e.pending, e.reboot = false, false
		}
		e.mu.Unlock()
		if !due {
			continue
		}
		e.emit(Event{Kind: EventResync, Accepted: true, Reboot: reboot})
		if e.hooks.Resync != nil {
			e.hooks.Resync(reboot)
		}
	}
}
