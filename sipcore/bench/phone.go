package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/emiago/sipgo/sip"

	"deskphone/lab"
	"deskphone/sipcore"
)

// runPhone is the measured phone (-phone): the SIP engine with n lines of
// the lab's users on UDP, as `firmware sip` runs one, until SIGTERM. It
// prints "REGISTERED line=N" per registration.
func runPhone(n int, listen string) error {
	if n < 1 || n > 4 {
		return fmt.Errorf("-lines %d: 1 to 4", n)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sip.SetDefaultLogger(log)
	cfg := sipcore.Config{Listen: listen}
	for i := range n {
		u := lab.SIPUsers[i]
		cfg.Lines = append(cfg.Lines, sipcore.Line{Index: i + 1, Enabled: true, User: u.User, Password: u.Password,
			Registrar: lab.AddrPBX, Transport: sipcore.UDP})
	}
	eng, err := sipcore.New(cfg, sipcore.Hooks{Log: log, OnEvent: func(ev sipcore.Event) {
		switch ev.Kind {
		case sipcore.EventRegistered:
			fmt.Printf("REGISTERED line=%d\n", ev.Line)
		case sipcore.EventRegisterFailed:
			fmt.Printf("REGISTER-FAILED line=%d reason=%s\n", ev.Line, ev.Cause)
		}
	}})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return eng.Run(ctx)
}
