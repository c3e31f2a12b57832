package hal

import (
	"context"
	"testing"
)

func TestLinkWaiters(t *testing.T) {
	var l Link
	if l.Up() {
		t.Fatal("zero Link is up")
	}
	got := make(chan bool)
	go func() {
		up, _ := l.WaitLink(context.Background(), false)
		got <- up
	}()
	l.SetUp(false) // no change: no wake-up
	l.SetUp(true)
	if !<-got {
		t.Fatal("WaitLink did not return the new state")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if up, err := l.WaitLink(ctx, true); err == nil || !up {
		t.Fatalf("WaitLink on a cancelled context = %v, %v", up, err)
	}
}
