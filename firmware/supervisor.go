package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// component is one subsystem of the running phone.
type component struct {
	name string
	run  func(ctx context.Context) error
	// after names components that must have returned before this one's
	// context ends at shutdown: the network parts outlive the services on
	// them, so the lines unregister before 802.1X logs off and closes the
	// port.
	after []string
}

// supervisor runs components until its context is done, restarting one that
// fails after a growing pause, as a phone must keep serving when one part
// breaks. Backoff is 1 s doubling to 30 s, reset after a minute of health.
type supervisor struct {
	log        *slog.Logger
	minBackoff time.Duration
	maxBackoff time.Duration
	healthy    time.Duration
}

func newSupervisor(log *slog.Logger) *supervisor {
	return &supervisor{log: log, minBackoff: time.Second, maxBackoff: 30 * time.Second, healthy: time.Minute}
}

// run starts every component and returns when ctx is done and all have
// returned, or when grace has passed since ctx was done (it then reports the
// components that did not stop).
func (s *supervisor) run(ctx context.Context, grace time.Duration, comps ...component) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	running := map[string]bool{}
	returned := map[string]chan struct{}{}
	for _, c := range comps {
		running[c.name] = true
		returned[c.name] = make(chan struct{})
	}
	for _, c := range comps {
		cctx := ctx
		if len(c.after) > 0 {
			var stop context.CancelFunc
			cctx, stop = context.WithCancel(context.WithoutCancel(ctx))
			wg.Go(func() {
				defer stop()
				<-ctx.Done()
				for _, name := range c.after {
					if ch, ok := returned[name]; ok {
						<-ch
					}
				}
			})
		}
		wg.Go(func() {
			s.keep(cctx, c)
			close(returned[c.name])
			mu.Lock()
			delete(running, c.name)
			mu.Unlock()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	<-ctx.Done()
	select {
	case <-done:
		return nil
	case <-time.After(grace):
		mu.Lock()
		defer mu.Unlock()
		for name := range running {
			s.log.Error("component did not stop", "component", name, "grace", grace)
		}
		return errors.New("shutdown: components did not stop in time")
	}
}

func (s *supervisor) keep(ctx context.Context, c component) {
	backoff := s.minBackoff
	for {
		start := time.Now()
		err := runGuarded(ctx, c)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > s.healthy {
			backoff = s.minBackoff
		}
		if err == nil {
			err = errors.New("returned")
		}
		s.log.Error("component stopped; restarting", "component", c.name, "err", err, "in", backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, s.maxBackoff)
	}
}

// runGuarded turns a component's panic into an error, so one broken part is
// restarted instead of taking the phone down.
func runGuarded(ctx context.Context, c component) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.run(ctx)
}
