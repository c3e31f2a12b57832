package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"deskphone/board"
	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/status"
)

// TestPCPortFollowsSettingWithoutInterfaces: on a board whose ports have no
// interfaces nothing is forwarded, and the status follows net.pc_port.
func TestPCPortFollowsSettingWithoutInterfaces(t *testing.T) {
	store := newTestStore(t, t.TempDir(), map[string]string{"net.pc_port": "off"})
	hub := status.NewHub(status.Phone{PCPort: status.PCPort{Enabled: true}})
	b := &board.Board{LAN: sim.NewPort(hal.LAN, "", testLANMAC), PC: sim.NewPort(hal.PC, "", nil)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runPCPort(ctx, store, hub, b, slog.New(slog.DiscardHandler)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runPCPort: %v", err)
		}
	}()
	waitHub(t, hub, func(p status.Phone) bool { return !p.PCPort.Enabled })
	if err := store.Set("net.pc_port", "on"); err != nil {
		t.Fatal(err)
	}
	waitHub(t, hub, func(p status.Phone) bool { return p.PCPort.Enabled })
}

func TestPortAuthorized(t *testing.T) {
	cases := []struct {
		mode  string
		state string
		want  bool
	}{
		{"0", status.Dot1XDisabled, true},
		{"0", status.Dot1XConnecting, true},
		{"1", status.Dot1XDisabled, false}, // the supplicant has not started yet
		{"1", status.Dot1XAuthenticating, false},
		{"1", status.Dot1XHeld, false},
		{"3", status.Dot1XAuthenticated, true},
	}
	for _, c := range cases {
		store := newTestStore(t, t.TempDir(), map[string]string{"dot1x.mode": c.mode})
		if got := portAuthorized(store, status.Phone{Dot1X: status.Dot1X{State: c.state}}); got != c.want {
			t.Errorf("mode %s state %s: %v, want %v", c.mode, c.state, got, c.want)
		}
	}
}

// waitHub waits until the hub's state satisfies ok.
func waitHub(t *testing.T, hub *status.Hub, ok func(status.Phone) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, seq := hub.Snapshot()
	for !ok(p) {
		var err error
		if p, seq, err = hub.Wait(ctx, seq); err != nil {
			t.Fatalf("hub never reached the state; last %+v", p)
		}
	}
}
