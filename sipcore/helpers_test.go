package sipcore

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"deskphone/status"
)

// timeoutGuard keeps a broken test from hanging; it asserts nothing about
// speed.
func timeoutGuard() <-chan time.Time { return time.After(20 * time.Second) }

// harness runs an Engine for one test.
type harness struct {
	t       *testing.T
	e       *Engine
	hub     *status.Hub
	events  chan Event
	resyncs chan bool
	cancel  context.CancelFunc
	done    chan error
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func startEngine(t *testing.T, cfg Config) *harness {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	h := &harness{t: t, hub: status.NewHub(status.Phone{}), events: make(chan Event, 1024), resyncs: make(chan bool, 16), done: make(chan error, 1)}
	e, err := New(cfg, Hooks{
		Status:  h.hub,
		OnEvent: func(ev Event) { h.events <- ev },
		Resync:  func(reboot bool) { h.resyncs <- reboot },
		Log:     quietLog(),
	})
	if err != nil {
		t.Fatal(err)
	}
	h.e = e
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- e.Run(ctx) }()
	t.Cleanup(func() { h.stop() })
	for e.LocalAddr() == nil {
		select {
		case err := <-h.done:
			t.Fatalf("engine stopped: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	return h
}

// stop ends Run and returns its error (once).
func (h *harness) stop() error {
	if h.cancel == nil {
		return nil
	}
	h.cancel()
	h.cancel = nil
	return <-h.done
}

func (h *harness) port() int { return h.e.LocalAddr().(*net.UDPAddr).Port }

// wait returns the next event matching ok; it fails on a register-failed
// event when failOK is false.
func (h *harness) wait(ok func(Event) bool) Event {
	h.t.Helper()
	guard := timeoutGuard()
	for {
		select {
		case ev := <-h.events:
			if ok(ev) {
				return ev
			}
		case <-guard:
			h.t.Fatal("expected engine event not seen")
		}
	}
}

func kind(k EventKind) func(Event) bool { return func(e Event) bool { return e.Kind == k } }

func lineOn(r *testRegistrar, idx int, user string, tp Transport) Line {
	host, port := r.hostPort()
	return Line{Index: idx, Enabled: true, User: user, Password: r.users[user], DisplayName: "Line " + user,
		Registrar: host, RegistrarPort: port, Transport: tp, Expiry: time.Hour}
}

func fastTiming() Timing {
	return Timing{RetryMin: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		ProbeInterval: 100 * time.Millisecond, RequestTimeout: time.Second, UnregisterTimeout: 2 * time.Second}
}

func itoa(n int) string { return strconv.Itoa(n) }
