package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"deskphone/lab"
	"deskphone/net8021x"
)

// fastRow times EAP-FAST resuming with a PAC, ours beside
// wpa_supplicant's, on a second lab with hostapd's own EAP server (the only
// one here that does EAP-FAST). Each side provisions its PAC first
// (server-authenticated, untimed); the n timed runs all resume with it.
func fastRow(n int) (row, error) {
	r := row{name: "FAST with PAC (hostapd server)"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	l, err := lab.Up(ctx, lab.Options{Dot1X: lab.HostapdEAP})
	if err != nil {
		return r, err
	}
	defer l.Close()
	cfg, err := config(l, net8021x.ModeTLS) // the CA and logger; the rest below
	if err != nil {
		return r, err
	}
	cfg.Mode, cfg.Certificate = net8021x.ModeFAST, nil
	cfg.Identity, cfg.Password, cfg.OuterIdentity = l.EAP.FAST.User, l.EAP.FAST.Password, l.EAP.Anonymous
	dir, err := os.MkdirTemp("", "bench-fast-pac")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	cfg.FASTPACDir = dir
	if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
		return r, err
	}
	if _, err := oursTimes(l, cfg, 1); err != nil { // provisioning
		return r, err
	}
	if r.ours, err = oursTimes(l, cfg, n); err != nil {
		return r, err
	}
	if r.wpa, err = wpaTimes(l, lab.MethodFASTProvisioning, n); err != nil {
		return r, fmt.Errorf("FAST: %w", err)
	}
	return r, nil
}
