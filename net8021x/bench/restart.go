package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"deskphone/lab"
	"deskphone/net8021x"
)

// restartRow measures a quick restart with MD5: a supplicant process that
// holds the port is stopped with SIGTERM and started again at once, as the
// phone does on a check-sync reboot; the time is from the new start to
// hostapd's "authenticated" for the station. Ours logs off when it stops
// (the port closes at once), and hostapd ignores EAPOL-Start from a
// station it is dropping for about 5 s after a Logoff: this shows how the
// Start schedule copes. wpa_supplicant sends no Logoff on SIGTERM, so its
// port stays authorized and its new start is a re-authentication.
func restartRow(l *lab.Lab, k int) (row, error) {
	r := row{name: "MD5, stopped and started again at once"}
	exe, err := os.Executable()
	if err != nil {
		return r, err
	}
	if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
		return r, err
	}
	child := []string{exe, "-child", "-mode", strconv.Itoa(int(net8021x.ModeMD5)), "-lab", l.Dir}
	p, err := l.Spawn("bench-restart", l.PhoneNS, child...)
	if err != nil {
		return r, err
	}
	r.ours, err = restartTimes(l, k, restartable{
		authenticated: func(ctx context.Context) error { return p.WaitOutput(ctx, reChildAuthenticated) },
		stop:          func() { p.Stop(time.Second) },
		start: func() error {
			np, err := l.Spawn("bench-restart", l.PhoneNS, child...)
			if err == nil {
				p = np
			}
			return err
		},
	})
	if err != nil {
		return r, fmt.Errorf("ours: %w", err)
	}

	s, err := l.StartSupplicant("bench-restart", lab.MethodMD5, l.PhoneLAN)
	if err != nil {
		return r, err
	}
	r.wpa, err = restartTimes(l, k, restartable{
		authenticated: func(ctx context.Context) error { return s.Result(ctx) },
		stop:          func() { s.Stop(time.Second) },
		start: func() error {
			ns, err := l.RestartSupplicant(s)
			if err == nil {
				s = ns
			}
			return err
		},
	})
	if err != nil {
		return r, fmt.Errorf("wpa_supplicant: %w", err)
	}
	return r, nil
}

// restartable is a running supplicant process.
type restartable struct {
	authenticated func(context.Context) error // waits for this run's success
	stop          func()
	start         func() error // a new run
}

// restartTimes restarts p k times once it is authenticated and returns the
// times from each new start to hostapd's "authenticated"; p is stopped
// when it returns.
func restartTimes(l *lab.Lab, k int, p restartable) ([]time.Duration, error) {
	defer func() { p.stop() }()
	var out []time.Duration
	for i := range k {
		ctx, cancel := context.WithTimeout(context.Background(), 70*time.Second)
		err := p.authenticated(ctx)
		cancel()
		if err != nil {
			return out, fmt.Errorf("restart %d: %w", i, err)
		}
		p.stop()
		t0 := time.Now()
		if err := p.start(); err != nil {
			return out, err
		}
		ts, err := hostapdAfter(l, reAuthenticated, t0, 70*time.Second)
		if err != nil {
			return out, fmt.Errorf("restart %d: %w", i, err)
		}
		out = append(out, ts.Sub(t0))
	}
	return out, nil
}
