package net8021x

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/status"
)

// runSupplicant starts a Supplicant on a sim port (link up) and returns the
// authenticator's end, the states channel and a stop function that waits
// for Run to return.
func runSupplicant(t *testing.T, cfg Config, linkUp bool) (*sim.Port, *PipeEnd, *Supplicant, <-chan status.Dot1X, func() error) {
	t.Helper()
	port := sim.NewPort(hal.LAN, "", phoneMAC)
	port.SetLink(linkUp)
	supp, auth := Pipe()
	states := make(chan status.Dot1X, 100)
	s := New(port, supp, cfg, func(d status.Dot1X) { states <- d })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		err := <-done
		supp.Close()
		return err
	}
	t.Cleanup(func() { stop() })
	return port, auth, s, states, stop
}

// waitState reads states until one with the given state, returning the
// ones seen before it.
func waitState(t *testing.T, states <-chan status.Dot1X, want string) ([]string, status.Dot1X) {
	t.Helper()
	var seen []string
	timeout := time.After(10 * time.Second) // a hang guard, not a timing assertion
	for {
		select {
		case d := <-states:
			if d.State == want {
				return seen, d
			}
			seen = append(seen, d.State)
		case <-timeout:
			t.Fatalf("no %q state; saw %v", want, seen)
		}
	}
}

// md5Round runs Identity + MD5 with the server's password and ends it.
func md5Round(a *testAuth, serverPass string) error {
	if _, err := a.identity(); err != nil {
		return err
	}
	ok, err := a.serverMD5(serverPass)
	if err != nil {
		return err
	}
	if ok {
		a.success()
	} else {
		a.failure()
	}
	return nil
}

func TestSupplicantReauthentication(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	_, auth, _, states, stop := runSupplicant(t, cfg, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := newTestAuth(ctx, auth)
	errc := make(chan error, 1)
	go func() {
		errc <- func() error {
			if err := a.waitStart(); err != nil {
				return err
			}
			if err := md5Round(a, "s3cret-pw"); err != nil {
				return err
			}
			// Authenticator-initiated re-authentication (a new
			// Request/Identity while authorized), successful.
			if err := md5Round(a, "s3cret-pw"); err != nil {
				return err
			}
			// Then one that fails: the password changed on the server.
			if err := md5Round(a, "changed"); err != nil {
				return err
			}
			// After heldPeriod the supplicant starts again and succeeds.
			if err := a.waitStart(); err != nil {
				return err
			}
			return md5Round(a, "s3cret-pw")
		}()
	}()
	seen, _ := waitState(t, states, status.Dot1XAuthenticated)
	if fmt.Sprint(seen) != "[connecting authenticating]" {
		t.Errorf("states before authenticated: %v", seen)
	}
	// The successful re-authentication publishes nothing: the next state is
	// the failure of the second one.
	seen, failed := waitState(t, states, status.Dot1XFailed)
	if len(seen) != 0 {
		t.Errorf("states during a good re-authentication: %v", seen)
	}
	if !strings.Contains(failed.Reason, "rejected the MD5 credentials") || failed.Method != "MD5" {
		t.Errorf("failed state %+v", failed)
	}
	seen, back := waitState(t, states, status.Dot1XAuthenticated)
	if fmt.Sprint(seen) != "[held connecting authenticating]" {
		t.Errorf("states on the way back: %v", seen)
	}
	if back.Reason != "" {
		t.Errorf("authenticated with reason %q", back.Reason)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestSupplicantReauthTimeout(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	_, auth, _, states, _ := runSupplicant(t, cfg, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := newTestAuth(ctx, auth)
	go func() {
		a.waitStart()
		md5Round(a, "s3cret-pw")
		a.identity() // re-authentication, then the server goes silent
	}()
	waitState(t, states, status.Dot1XAuthenticated)
	_, failed := waitState(t, states, status.Dot1XFailed)
	if !strings.Contains(failed.Reason, "not answering") {
		t.Errorf("reason %q", failed.Reason)
	}
}

func TestSupplicantPeriodicReauth(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	cfg.ReauthPeriod = 30 * time.Millisecond
	_, auth, _, states, _ := runSupplicant(t, cfg, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := newTestAuth(ctx, auth)
	errc := make(chan error, 1)
	go func() {
		a.waitStart()
		md5Round(a, "s3cret-pw")
		// The phone's own period: an EAPOL-Start while authorized.
		if err := a.waitStart(); err != nil {
			errc <- err
			return
		}
		errc <- md5Round(a, "s3cret-pw")
	}()
	waitState(t, states, status.Dot1XAuthenticated)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-states:
		t.Errorf("state changed during periodic re-authentication: %+v", d)
	default:
	}
}

func TestSupplicantLogoffAndLiveReconfigure(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	_, auth, s, states, stop := runSupplicant(t, cfg, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := newTestAuth(ctx, auth)
	go func() {
		a.waitStart()
		md5Round(a, "s3cret-pw")
	}()
	waitState(t, states, status.Dot1XAuthenticated)

	// 802.1X disabled live: EAPOL-Logoff, state disabled.
	s.Reconfigure(Config{Mode: ModeDisabled, Logger: cfg.Logger})
	if p, err := a.next(); err != nil || p.Type != eapolLogoff {
		t.Fatalf("want Logoff, got type %d (%v)", p.Type, err)
	}
	if _, d := waitState(t, states, status.Dot1XDisabled); d.Method != "" {
		t.Errorf("disabled with method %q", d.Method)
	}

	// Enabled again with other credentials: EAPOL-Start at once.
	cfg.Identity = "bob"
	s.Reconfigure(cfg)
	go func() {
		a.waitStart()
		id, _ := a.identity()
		if id != "bob" {
			a.failure()
			return
		}
		ok, _ := a.serverMD5("s3cret-pw")
		if ok {
			a.success()
		}
	}()
	waitState(t, states, status.Dot1XAuthenticated)

	// The phone shuts down: EAPOL-Logoff.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if p, err := a.next(); err != nil || p.Type != eapolLogoff {
		t.Fatalf("want Logoff at shutdown, got type %d (%v)", p.Type, err)
	}
}

func TestSupplicantLink(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	port, auth, _, states, _ := runSupplicant(t, cfg, false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := newTestAuth(ctx, auth)
	// Nothing is sent while the link is down.
	select {
	case d := <-states:
		t.Fatalf("state %+v with the link down", d)
	default:
	}
	port.SetLink(true)
	if err := a.waitStart(); err != nil {
		t.Fatal(err)
	}
	go md5Round(a, "s3cret-pw")
	waitState(t, states, status.Dot1XAuthenticated)
	port.SetLink(false)
	if _, d := waitState(t, states, status.Dot1XConnecting); d.Reason != "link down" {
		t.Errorf("link down state %+v", d)
	}
	port.SetLink(true)
	if err := a.waitStart(); err != nil {
		t.Fatal(err)
	}
}

func TestSupplicantBadConfigAndHub(t *testing.T) {
	hub := status.NewHub(status.Phone{})
	port := sim.NewPort(hal.LAN, "", phoneMAC)
	port.SetLink(true)
	supp, _ := Pipe()
	s := New(port, supp, Config{Mode: ModeTLS, Identity: "x", Logger: slog.New(slog.DiscardHandler)}, PublishTo(hub))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	p, _, err := hub.Wait(ctx, 0)
	cancel()
	<-done
	if err != nil || p.Dot1X.State != status.Dot1XFailed || !strings.Contains(p.Dot1X.Reason, "client certificate") {
		t.Fatalf("hub state %+v (%v)", p.Dot1X, err)
	}
}
