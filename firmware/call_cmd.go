package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/sipcore"
)

// cmdCall is the field engineer's call check: it registers one line, dials
// a URI, plays a WAV file as the microphone and records the earpiece, and
// hangs up after -for. Output:
//
//	REGISTERED registrar=HOST:PORT
//	CALL-ESTABLISHED codec=PCMU srtp=AES_CM_128_HMAC_SHA1_80 (srtp=none without SRTP)
//	CALL-ENDED sent=N received=N
func cmdCall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("call", stderr)
	registrar := fs.String("registrar", "", "registrar HOST[:PORT]")
	transport := fs.String("transport", "udp", "udp, tcp or tls")
	user := fs.String("user", "", "SIP user")
	password := fs.String("password", "", "SIP password")
	security := fs.String("security", "", "nonsecure, authenticated or encrypted (default encrypted over tls, else nonsecure)")
	caFile := fs.String("ca", "", "PEM file of the CA(s) the registrar's TLS certificate must chain to")
	listen := fs.String("listen", sipcore.DefaultListen, "local UDP and TCP address for requests to the phone")
	dial := fs.String("dial", "", "SIP URI to call")
	play := fs.String("play", "", "16-bit mono WAV file sent as the microphone")
	record := fs.String("record", "", "WAV file the received audio is written to")
	dur := fs.Duration("for", 10*time.Second, "how long the call lasts once answered")
	verbose := fs.Bool("v", false, "log the engine's details to stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *registrar == "" || *user == "" || *dial == "" {
		return fmt.Errorf("%w: -registrar, -user and -dial are required", errUsage)
	}
	sec := sipcore.Security(*security)
	if sec == "" {
		sec = sipcore.Nonsecure
		if *transport == string(sipcore.TLS) {
			sec = sipcore.Encrypted
		}
	}
	host, port, err := splitRegistrar(*registrar)
	if err != nil {
		return fmt.Errorf("%w: -registrar: %v", errUsage, err)
	}
	cfg := sipcore.Config{Listen: *listen, Lines: []sipcore.Line{{
		Index: 1, Enabled: true, User: *user, Password: *password, Registrar: host, RegistrarPort: port,
		Transport: sipcore.Transport(*transport), Security: sec,
	}}}
	if *caFile != "" {
		if cfg.TLS.Roots, err = loadRoots(*caFile); err != nil {
			return err
		}
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	audio := sim.NewAudio()
	if *play != "" {
		pcm, _, err := readWAV(*play)
		if err != nil {
			return err
		}
		audio.SetMicrophone(hal.Handset, pcm)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	routeSIPLog(log)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	registered := make(chan sipcore.Event, 1)
	eng, err := sipcore.New(cfg, sipcore.Hooks{Log: log, Audio: audio, Endpoint: hal.Handset, OnEvent: func(ev sipcore.Event) {
		if ev.Kind == sipcore.EventRegistered || ev.Kind == sipcore.EventRegisterFailed && ev.RetryIn > 0 {
			select {
			case registered <- ev:
			default:
			}
		}
	}})
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- eng.Run(ctx) }()
	defer func() { cancel(); <-runErr }()

	select {
	case ev := <-registered:
		if ev.Kind != sipcore.EventRegistered {
			fmt.Fprintf(stdout, "REGISTER-FAILED reason=%s registrar=%s detail=%q\n", ev.Cause, ev.Registrar, ev.Reason)
			return errSilent
		}
		fmt.Fprintf(stdout, "REGISTERED registrar=%s\n", ev.Registrar)
	case err := <-runErr:
		runErr <- err
		return err
	case <-ctx.Done():
		return ctx.Err()
	}

	call, err := eng.Dial(ctx, 1, *dial)
	if err != nil {
		fmt.Fprintf(stdout, "CALL-FAILED detail=%q\n", err.Error())
		return errSilent
	}
	neg := call.Negotiated()
	suite := "none"
	if neg.SRTP {
		suite = string(neg.LocalCrypto.Suite)
	}
	fmt.Fprintf(stdout, "CALL-ESTABLISHED codec=%s srtp=%s\n", neg.Codec.Name, suite)

	t := time.NewTimer(*dur)
	select {
	case <-t.C:
	case <-call.Done(): // the remote party hung up
	case <-ctx.Done():
	}
	t.Stop()
	hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer hcancel()
	herr := call.Hangup(hctx)
	c := call.Counters()
	fmt.Fprintf(stdout, "CALL-ENDED sent=%d received=%d\n", c.PacketsSent, c.PacketsReceived)
	var werr error
	if *record != "" {
		if err := os.WriteFile(*record, encodeWAV(audio.Recorded(hal.Handset), neg.Codec.AudioRate), 0o644); err != nil {
			werr = fmt.Errorf("write recording: %w", err)
		}
	}
	return errors.Join(herr, werr)
}
