package sipcore_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"os/signal"

	"deskphone/sipcore"
)

// The shape of `firmware sip`: one line, events printed as they come,
// exit 1 on the first registration failure.
func ExampleEngine() {
	roots := x509.NewCertPool() // from -ca FILE
	cfg := sipcore.Config{
		Listen: "0.0.0.0:5070", // -listen
		Lines: []sipcore.Line{{
			Index: 1, Enabled: true, User: "1001", AuthUser: "1001", Password: "pass1001",
			Registrar: "127.0.0.1", RegistrarPort: 25061, Transport: sipcore.TLS,
		}},
		TLS:                sipcore.TLSConfig{Roots: roots},
		ChecksyncChallenge: true, // -challenge-checksync
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	failed := false
	eng, err := sipcore.New(cfg, sipcore.Hooks{OnEvent: func(ev sipcore.Event) {
		switch {
		case ev.Kind == sipcore.EventRegistered:
			fmt.Printf("REGISTERED expires=%d\n", int(ev.Expires.Seconds()))
		case ev.Kind == sipcore.EventRegisterFailed:
			fmt.Printf("REGISTER-FAILED reason=%s\n", ev.Cause)
			failed = true
			stop()
		case ev.Kind == sipcore.EventCheckSync && ev.Accepted:
			fmt.Printf("CHECK-SYNC accepted reboot=%v\n", ev.Reboot)
		case ev.Kind == sipcore.EventCheckSync:
			fmt.Printf("CHECK-SYNC rejected reason=%s\n", ev.Cause)
		}
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := eng.Run(ctx); err != nil || failed {
		os.Exit(1)
	}
}
