package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func quietSupervisor() *supervisor {
	s := newSupervisor(slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.minBackoff, s.maxBackoff = time.Millisecond, 4*time.Millisecond
	return s
}

func TestSupervisorRestartsFailedAndPanickedComponents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var fails, panics atomic.Int32
	flaky := func(ctx context.Context) error {
		if fails.Add(1) < 3 {
			return errors.New("broken")
		}
		<-ctx.Done()
		return nil
	}
	panicky := func(ctx context.Context) error {
		if panics.Add(1) < 3 {
			panic("boom")
		}
		cancel() // both have recovered: stop the phone
		<-ctx.Done()
		return nil
	}
	err := quietSupervisor().run(ctx, 5*time.Second, component{name: "flaky", run: flaky}, component{name: "panicky", run: panicky})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if panics.Load() != 3 {
		t.Errorf("panicky ran %d times, want 3", panics.Load())
	}
	if fails.Load() < 1 {
		t.Errorf("flaky never ran")
	}
}

func TestSupervisorReportsComponentThatWillNotStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	defer close(release)
	stubborn := func(context.Context) error { <-release; return nil }
	cancel()
	if err := quietSupervisor().run(ctx, 10*time.Millisecond, component{name: "stubborn", run: stubborn}); err == nil {
		t.Fatal("run returned nil although a component ignored its context")
	}
}

// A component with after keeps its context until those have returned: the
// order the lines' unregistering and 802.1X's Logoff need at shutdown.
func TestSupervisorStopsInOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var order []string
	var mu sync.Mutex
	note := func(name string) {
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
	}
	started := make(chan struct{}, 2)
	slow := func(ctx context.Context) error {
		started <- struct{}{}
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // unregistering
		note("services")
		return nil
	}
	network := func(ctx context.Context) error {
		started <- struct{}{}
		<-ctx.Done()
		note("network")
		return nil
	}
	go func() { <-started; <-started; cancel() }()
	err := quietSupervisor().run(ctx, 5*time.Second,
		component{name: "network", run: network, after: []string{"services"}},
		component{name: "services", run: slow})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if len(order) != 2 || order[0] != "services" || order[1] != "network" {
		t.Errorf("stopped in the order %v, want [services network]", order)
	}
}
