package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"deskphone/status"
)

func TestRunWhileOperable(t *testing.T) {
	hub := status.NewHub(status.Phone{})
	var running atomic.Int32
	var starts atomic.Int32
	fn := func(ctx context.Context) error {
		starts.Add(1)
		running.Add(1)
		<-ctx.Done()
		running.Add(-1)
		return ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- runWhileOperable(ctx, hub, fn) }()

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("never: %s", what)
			}
		}
	}
	waitFor("started while operable", func() bool { return running.Load() == 1 })
	hub.Update(func(p *status.Phone) { p.Inoperable = "802.1X: wrong credentials" })
	waitFor("stopped when inoperable", func() bool { return running.Load() == 0 })
	hub.Update(func(p *status.Phone) { p.Inoperable = "" })
	waitFor("started again", func() bool { return running.Load() == 1 && starts.Load() == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runWhileOperable: %v", err)
	}
	if running.Load() != 0 {
		t.Fatal("fn still running after stop")
	}
}
