package sipcore

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"deskphone/status"
)

// lineRun is one running line: it registers, refreshes, fails over and
// back, and unregisters when stopped.
type lineRun struct {
	cfg       Line
	timing    Timing
	st        *stack
	userAgent string
	now       func() time.Time // the phone's clock, for reasons
	clockSrc  func() string    // where now comes from, for reasons
	log       *slog.Logger
	emit      func(Event)
	publish   func(status.Line)

	keep   atomic.Bool // stop without unregistering (suspend)
	why    atomic.Value
	cancel context.CancelFunc
	done   chan struct{}
}

// refreshDelay is when a binding granted for granted is renewed: at 80%,
// at least 5 s before it expires, never sooner than half-way.
func refreshDelay(granted time.Duration) time.Duration {
	d := granted - max(granted/5, 5*time.Second)
	return max(d, granted/2)
}

// backoff is the wait after the n-th failed round in a row (n >= 1).
func backoff(t Timing, n int) time.Duration {
	d := t.RetryMin
	for i := 1; i < n && d < t.RetryMax; i++ {
		d *= 2
	}
	return min(d, t.RetryMax)
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// start runs the line until stop.
func (l *lineRun) start(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	l.cancel, l.done = cancel, make(chan struct{})
	go func() {
		defer close(l.done)
		l.run(ctx)
	}()
}

// stop ends the line; with keep it does not unregister and reason says why.
func (l *lineRun) stop(keep bool, reason string) {
	l.keep.Store(keep)
	l.why.Store(reason)
	l.cancel()
	<-l.done
}

func (l *lineRun) line(state string, t target, expires time.Time, reason string) status.Line {
	return status.Line{
		Index: l.cfg.Index, Label: l.cfg.Label, State: state, Registrar: t.String(),
		Transport: string(l.cfg.Transport), Security: string(l.cfg.Security),
		Expires: expires, Reason: reason,
	}
}

func (l *lineRun) run(ctx context.Context) {
	cfg := l.cfg
	bindings := []*binding{newBinding(target{host: cfg.Registrar, port: cfg.RegistrarPort, proxy: cfg.OutboundProxy})}
	if cfg.BackupRegistrar != "" {
		h, p := hostPort(cfg.BackupRegistrar, defaultPort(cfg.Transport))
		bindings = append(bindings, newBinding(target{host: h, port: p}))
	}
	expiry := int(max(cfg.Expiry, minExpiry) / time.Second)
	var active *binding // registered binding
	cur, rounds := 0, 0
	ev := func(e Event) Event {
		e.Line, e.Transport = cfg.Index, cfg.Transport
		return e
	}
	defer func() { l.shutdown(active) }()

	for {
		b := bindings[cur]
		l.publish(l.line(status.LineRegistering, b.target, time.Time{}, ""))
		l.emit(ev(Event{Kind: EventRegistering, Registrar: b.target.String()}))
		granted, err := l.register(ctx, b, expiry)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			cause, reason := l.explain(err)
			l.log.Info("sip register failed", "line", cfg.Index, "registrar", b.target.String(), "cause", cause, "reason", reason)
			if active == b {
				active = nil
			}
			wait := time.Duration(0)
			if cur == 0 && len(bindings) > 1 {
				cur = 1 // fail over at once
			} else {
				rounds++
				wait = backoff(l.timing, rounds)
				cur = 0
			}
			l.publish(l.line(status.LineFailed, b.target, time.Time{}, reason))
			l.emit(ev(Event{Kind: EventRegisterFailed, Registrar: b.target.String(), Cause: cause, Reason: reason, RetryIn: wait}))
			if !sleep(ctx, wait) {
				return
			}
			continue
		}
		rounds = 0
		g := time.Duration(granted) * time.Second
		l.publish(l.line(status.LineRegistered, b.target, time.Now().Add(g), ""))
		l.emit(ev(Event{Kind: EventRegistered, Registrar: b.target.String(), Expires: g}))
		if active != nil && active != b {
			// Back on the primary: drop the binding on the backup.
			l.unregister(ctx, active)
		}
		active = b
		refresh := refreshDelay(g)
		if cur == 0 {
			if !sleep(ctx, refresh) {
				return
			}
			continue
		}
		// On the backup: probe the primary until the refresh is due.
		deadline := time.Now().Add(refresh)
		for {
			left := time.Until(deadline)
			if left <= 0 {
				break
			}
			if !sleep(ctx, min(l.timing.ProbeInterval, left)) {
				return
			}
			if time.Until(deadline) <= 0 {
				break
			}
			if l.probe(ctx, bindings[0].target) {
				l.log.Info("sip primary registrar answers again", "line", cfg.Index, "registrar", bindings[0].target.String())
				cur = 0
				break
			}
			if ctx.Err() != nil {
				return
			}
		}
	}
}

// unregister removes b's binding (Expires: 0) within UnregisterTimeout.
func (l *lineRun) unregister(ctx context.Context, b *binding) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.timing.UnregisterTimeout)
	defer cancel()
	_, err := l.register(ctx, b, 0)
	e := Event{Kind: EventUnregistered, Line: l.cfg.Index, Transport: l.cfg.Transport, Registrar: b.target.String()}
	if err != nil {
		e.Cause, e.Reason = l.explain(err)
		l.log.Warn("sip unregister failed", "line", l.cfg.Index, "registrar", e.Registrar, "cause", e.Cause, "reason", e.Reason)
	} else {
		l.log.Info("sip unregistered", "line", l.cfg.Index, "registrar", e.Registrar)
	}
	l.emit(e)
}

// shutdown runs when the line stops: unregister unless suspended.
func (l *lineRun) shutdown(active *binding) {
	reason, _ := l.why.Load().(string)
	if active != nil && !l.keep.Load() {
		l.unregister(context.Background(), active)
	}
	t := target{host: l.cfg.Registrar, port: l.cfg.RegistrarPort}
	if active != nil {
		t = active.target
	}
	l.publish(l.line(status.LineUnregistered, t, time.Time{}, reason))
	if active == nil || l.keep.Load() {
		e := Event{Kind: EventUnregistered, Line: l.cfg.Index, Transport: l.cfg.Transport, Registrar: t.String(), Reason: reason}
		if l.keep.Load() {
			e.Cause = CauseSuspended
		}
		l.emit(e)
	}
}
