package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"deskphone/sipcore"
)

// cmdSIP is the field engineer's SIP check: it registers one line, prints
// one line per outcome and keeps answering check-sync NOTIFYs until it is
// stopped (SIGINT/SIGTERM unregister). Output, one event a line:
//
//	REGISTERED expires=N registrar=HOST:PORT
//	REGISTER-FAILED reason=CAUSE registrar=HOST:PORT retry=Ns detail="..."
//	CHECK-SYNC accepted reboot=BOOL
//	CHECK-SYNC rejected reason=CAUSE
//	UNREGISTERED registrar=HOST:PORT
//
// A failure before the first registration ends the command (exit 1); once
// registered, later failures are printed and the line keeps retrying
// (failover, backoff), as on the phone.
func cmdSIP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sip", stderr)
	acct := addAccountFlags(fs)
	authUser := fs.String("authuser", "", "authentication user (default the user)")
	challenge := fs.Bool("challenge-checksync", false, "challenge check-sync NOTIFYs with digest (the line's credentials)")
	backup := fs.String("backup", "", "backup registrar HOST[:PORT] (optional)")
	expiry := fs.Duration("expiry", sipcore.DefaultExpiry, "requested registration expiry")
	retryMin := fs.Duration("retry-min", 0, "first wait after a failed round (default 5s)")
	probe := fs.Duration("probe", 0, "OPTIONS interval to the primary while on the backup (default 60s)")
	timeout := fs.Duration("timeout", 0, "one REGISTER transaction's timeout (default 32s)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *acct.registrar == "" || *acct.user == "" {
		return fmt.Errorf("%w: -registrar and -user are required", errUsage)
	}
	line, err := acct.line()
	if err != nil {
		return err
	}
	line.AuthUser, line.BackupRegistrar, line.Expiry = *authUser, *backup, *expiry
	cfg, err := acct.config(sipcore.Config{
		Lines:              []sipcore.Line{line},
		ChecksyncChallenge: *challenge,
		Timing:             sipcore.Timing{RetryMin: *retryMin, ProbeInterval: *probe, RequestTimeout: *timeout},
	})
	if err != nil {
		return err
	}
	log := acct.logger(stderr)
	routeSIPLog(log)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &sipPrinter{w: stdout, stop: cancel}
	eng, err := sipcore.New(cfg, sipcore.Hooks{OnEvent: p.event, Log: log})
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := eng.Run(ctx); err != nil {
		return err
	}
	if p.failed() {
		return errSilent
	}
	return nil
}

// sipPrinter turns engine events into the command's output lines.
type sipPrinter struct {
	w    io.Writer
	stop context.CancelFunc

	mu         sync.Mutex
	registered bool // at least once
	fail       bool // failed before the first registration
}

func (p *sipPrinter) event(ev sipcore.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev.Kind {
	case sipcore.EventRegistered:
		p.registered = true
		fmt.Fprintf(p.w, "REGISTERED expires=%d registrar=%s\n", int(ev.Expires/time.Second), ev.Registrar)
	case sipcore.EventRegisterFailed:
		fmt.Fprintf(p.w, "REGISTER-FAILED reason=%s registrar=%s retry=%s detail=%q\n", ev.Cause, ev.Registrar, ev.RetryIn, ev.Reason)
		// Before the first success, a whole failed round (RetryIn > 0)
		// ends the check; a failover to the backup (RetryIn 0) goes on.
		if !p.registered && ev.RetryIn > 0 {
			p.fail = true
			p.stop()
		}
	case sipcore.EventUnregistered:
		if ev.Cause == "" && p.registered {
			fmt.Fprintf(p.w, "UNREGISTERED registrar=%s\n", ev.Registrar)
		}
	case sipcore.EventCheckSync:
		if ev.Accepted {
			fmt.Fprintf(p.w, "CHECK-SYNC accepted reboot=%t\n", ev.Reboot)
		} else {
			fmt.Fprintf(p.w, "CHECK-SYNC rejected reason=%s\n", ev.Cause)
		}
	}
}

func (p *sipPrinter) failed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fail
}

// splitRegistrar splits HOST[:PORT]; port 0 means the transport's default.
func splitRegistrar(s string) (string, int, error) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return s, 0, nil // no port (an IPv6 literal needs brackets and a port)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("%q: bad port", s)
	}
	return h, n, nil
}
