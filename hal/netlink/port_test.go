package netlink

import (
	"context"
	"errors"
	"testing"

	"deskphone/hal"
)

// fakeSource hands out batches of link states, then blocks until ctx is done.
type fakeSource struct {
	batches chan []linkState
	err     error
	closed  int
}

func (f *fakeSource) receive(ctx context.Context) ([]linkState, error) {
	select {
	case b, ok := <-f.batches:
		if !ok {
			return nil, f.err
		}
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (f *fakeSource) close() error { f.closed++; return nil }

func newFakePort(src *fakeSource) *Port {
	return &Port{role: hal.LAN, iface: "eth0", index: 2, src: src}
}

func TestRunFollowsLink(t *testing.T) {
	src := &fakeSource{batches: make(chan []linkState)}
	p := newFakePort(src)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	// Another interface's messages do not move the port.
	src.batches <- []linkState{{index: 3, up: true}, {index: 2, up: true}}
	if up, err := p.WaitLink(ctx, false); err != nil || !up {
		t.Fatalf("WaitLink(false) = %v, %v", up, err)
	}
	src.batches <- []linkState{{index: 3, up: false}, {index: 2, up: true, deleted: true}}
	if up, err := p.WaitLink(ctx, true); err != nil || up {
		t.Fatalf("after deletion WaitLink(true) = %v, %v", up, err)
	}
	if p.Up() {
		t.Fatal("Up() after deletion")
	}

	wctx, wcancel := context.WithCancel(ctx)
	wcancel()
	if _, err := p.WaitLink(wctx, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitLink on a done context: %v", err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if src.closed != 1 {
		t.Fatalf("source closed %d times", src.closed)
	}
	if err := p.Close(); err != nil || src.closed != 1 {
		t.Fatalf("Close after Run: %v, closed %d times", err, src.closed)
	}
}

func TestRunSourceError(t *testing.T) {
	src := &fakeSource{batches: make(chan []linkState), err: errors.New("socket gone")}
	close(src.batches)
	p := newFakePort(src)
	if err := p.Run(context.Background()); err == nil || err.Error() != "socket gone" {
		t.Fatalf("Run = %v", err)
	}
	if p.Role() != hal.LAN || p.Interface() != "eth0" {
		t.Fatalf("role %s interface %s", p.Role(), p.Interface())
	}
}
