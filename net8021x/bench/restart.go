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
	mode := strconv.Itoa(int(net8021x.ModeMD5))
	p, err := l.Spawn("bench-restart", l.PhoneNS, exe, "-child", "-mode", mode, "-lab", l.Dir)
	if err != nil {
		return r, err
	}
	for i := range k {
		ctx, cancel := context.WithTimeout(context.Background(), 70*time.Second)
		err = p.WaitOutput(ctx, reChildAuthenticated)
		cancel()
		if err != nil {
			p.Stop(time.Second)
			return r, fmt.Errorf("ours restart %d: %w", i, err)
		}
		p.Stop(time.Second)
		t0 := time.Now()
		if p, err = l.Spawn("bench-restart", l.PhoneNS, exe, "-child", "-mode", mode, "-lab", l.Dir); err != nil {
			return r, err
		}
		ts, err := hostapdAfter(l, reAuthenticated, t0, 70*time.Second)
		if err != nil {
			p.Stop(time.Second)
			return r, fmt.Errorf("ours restart %d: %w", i, err)
		}
		r.ours = append(r.ours, ts.Sub(t0))
	}
	p.Stop(time.Second)

	s, err := l.StartSupplicant("bench-restart", lab.MethodMD5, l.PhoneLAN)
	if err != nil {
		return r, err
	}
	for i := range k {
		ctx, cancel := context.WithTimeout(context.Background(), 70*time.Second)
		err = s.Result(ctx)
		cancel()
		if err != nil {
			s.Stop(time.Second)
			return r, fmt.Errorf("wpa_supplicant restart %d: %w", i, err)
		}
		if err := s.Stop(time.Second); err != nil {
			return r, err
		}
		t0 := time.Now()
		if s, err = l.RestartSupplicant(s); err != nil {
			return r, err
		}
		ts, err := hostapdAfter(l, reAuthenticated, t0, 70*time.Second)
		if err != nil {
			s.Stop(time.Second)
			return r, fmt.Errorf("wpa_supplicant restart %d: %w", i, err)
		}
		r.wpa = append(r.wpa, ts.Sub(t0))
	}
	s.Stop(time.Second)
	return r, nil
}
