package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/media"
	"deskphone/sipcore"
)

// cmdCall is the field engineer's call check: it registers one line,
// dials a URI (or with -answer waits for a call and answers it), plays a
// WAV file as the microphone and records the earpiece, and hangs up after
// -for (unless the other party hangs up first). Output:
//
//	REGISTERED registrar=HOST:PORT
//	CALL-INCOMING from="..." precedence=flash (with -answer)
//	CALL-REFUSED reason="..." (an incoming call the line's security mode refused)
//	CALL-ESTABLISHED codec=PCMU srtp=AES_CM_128_HMAC_SHA1_80 security=encrypted (srtp=none without SRTP)
//	DTMF-SENT digits=123 (with -dtmf)
//	CALL-HELD peer=recvonly / CALL-RESUMED peer=sendrecv (with -hold: the peer's answer)
//	CALL-CANCELLED after=DUR (with -give-up: unanswered, CANCEL sent)
//	CALL-ENDED by=local|remote sent=N received=N (by=remote reason="..." for a caller's CANCEL while -ring)
//	CALL-STATS lost=N jitter=D concealed=D late=N skipped=N auth-failures=N
func cmdCall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("call", stderr)
	acct := addAccountFlags(fs)
	security := fs.String("security", "", "nonsecure, authenticated or encrypted (default encrypted over tls, else nonsecure)")
	dial := fs.String("dial", "", "SIP URI to call")
	answer := fs.Bool("answer", false, "wait for one incoming call and answer it (instead of -dial)")
	ring := fs.Duration("ring", 0, "with -answer: let the call ring this long before answering")
	giveUp := fs.Duration("give-up", 0, "with -dial: cancel the call if it is not answered within this time (0: wait)")
	codecs := fs.String("codecs", "", "audio codecs in preference order, e.g. G722,PCMU (default PCMU,PCMA,G722)")
	precedence := fs.String("precedence", "", "MLPP precedence of the call: routine, priority, immediate, flash, flash-override")
	play := fs.String("play", "", "16-bit mono WAV file sent as the microphone (at the codec's rate)")
	record := fs.String("record", "", "WAV file the received audio is written to")
	dur := fs.Duration("for", 10*time.Second, "how long the call lasts once answered")
	dtmf := fs.String("dtmf", "", "digits sent as RFC 4733 telephone events one second into the call")
	hold := fs.Bool("hold", false, "hold the call at half of -for and resume it at three quarters")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *acct.registrar == "" || *acct.user == "" || (*dial == "") == !*answer {
		return fmt.Errorf("%w: -registrar, -user and one of -dial or -answer are required", errUsage)
	}
	sec := sipcore.Security(*security)
	if sec == "" {
		sec = sipcore.Nonsecure
		if *acct.transport == string(sipcore.TLS) {
			sec = sipcore.Encrypted
		}
	}
	line, err := acct.line()
	if err != nil {
		return err
	}
	line.Security = sec
	cfg := sipcore.Config{Lines: []sipcore.Line{line}}
	if *codecs != "" {
		cfg.Codecs = strings.Split(strings.ToUpper(*codecs), ",")
	}
	if cfg, err = acct.config(cfg); err != nil {
		return err
	}
	if p := sipcore.Precedence(*precedence); !p.Valid() {
		return fmt.Errorf("%w: -precedence %q: not routine, priority, immediate, flash or flash-override", errUsage, *precedence)
	}
	for _, d := range *dtmf {
		if _, err := media.DTMFEvent(d); err != nil {
			return fmt.Errorf("%w: -dtmf: %v", errUsage, err)
		}
	}
	audio := sim.NewAudio()
	if *record == "" {
		audio.SetRecording(false) // nothing to write: keep no copy of the call
	}
	if *play != "" {
		pcm, _, err := readWAV(*play)
		if err != nil {
			return err
		}
		audio.SetMicrophone(hal.Handset, pcm)
	}
	log := acct.logger(stderr)
	routeSIPLog(log)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	registered := make(chan sipcore.Event, 1)
	incoming := make(chan *sipcore.Call, 4)
	eng, err := sipcore.New(cfg, sipcore.Hooks{Log: log, Audio: audio, Endpoint: hal.Handset,
		OnEvent: func(ev sipcore.Event) {
			if ev.Kind == sipcore.EventRegistered || ev.Kind == sipcore.EventRegisterFailed && ev.RetryIn > 0 {
				select {
				case registered <- ev:
				default:
				}
			}
		},
		OnCall: func(c *sipcore.Call, s sipcore.CallState) {
			if c.Direction == sipcore.Incoming && (s == sipcore.CallIncoming || s == sipcore.CallRefused) {
				select {
				case incoming <- c:
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

	var call *sipcore.Call
	if *answer {
		select {
		case call = <-incoming:
		case <-ctx.Done():
			return ctx.Err()
		}
		if call.State() == sipcore.CallRefused {
			fmt.Fprintf(stdout, "CALL-REFUSED reason=%q\n", call.Reason())
			return errSilent
		}
		fmt.Fprintf(stdout, "CALL-INCOMING from=%q precedence=%s\n", call.URI, orNone(string(call.Precedence)))
		if *ring > 0 {
			t := time.NewTimer(*ring)
			select {
			case <-t.C:
			case <-call.Done(): // the caller gave up (CANCEL)
				t.Stop()
				fmt.Fprintf(stdout, "CALL-ENDED by=remote reason=%q\n", call.Reason())
				return nil
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
		if err := call.Answer(); err != nil {
			fmt.Fprintf(stdout, "CALL-FAILED detail=%q\n", err.Error())
			return errSilent
		}
	} else {
		dctx, dcancel := ctx, context.CancelFunc(func() {})
		if *giveUp > 0 {
			dctx, dcancel = context.WithTimeout(ctx, *giveUp)
		}
		call, err = eng.DialWith(dctx, 1, *dial, sipcore.DialOptions{Precedence: sipcore.Precedence(*precedence)})
		dcancel()
		if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			fmt.Fprintf(stdout, "CALL-CANCELLED after=%s\n", *giveUp)
			return nil
		}
		if err != nil {
			fmt.Fprintf(stdout, "CALL-FAILED detail=%q\n", err.Error())
			return errSilent
		}
	}
	neg := call.Negotiated()
	suite := "none"
	if neg.SRTP {
		suite = string(neg.LocalCrypto.Suite)
	}
	fmt.Fprintf(stdout, "CALL-ESTABLISHED codec=%s srtp=%s security=%s\n", neg.Codec.Name, suite, call.Level())

	by := callScript(ctx, call, stdout, *dur, *dtmf, *hold)
	hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer hcancel()
	herr := call.Hangup(hctx)
	c := call.Counters()
	fmt.Fprintf(stdout, "CALL-ENDED by=%s sent=%d received=%d\n", by, c.PacketsSent, c.PacketsReceived)
	ms := call.MediaStats()
	fmt.Fprintf(stdout, "CALL-STATS lost=%d jitter=%s concealed=%s late=%d skipped=%d auth-failures=%d\n",
		ms.Lost, ms.Jitter.Round(time.Microsecond), ms.Concealed, ms.Late, ms.Skipped, c.AuthFailures)
	var werr error
	if *record != "" {
		if err := os.WriteFile(*record, encodeWAV(audio.Recorded(hal.Handset), neg.Codec.AudioRate), 0o644); err != nil {
			werr = fmt.Errorf("write recording: %w", err)
		}
	}
	return errors.Join(herr, werr)
}

// callScript runs the established call for dur: digits a second in, hold
// and resume at half and three quarters of it. It returns who ended the
// call: "remote" when the other party hung up, else "local".
func callScript(ctx context.Context, call *sipcore.Call, stdout io.Writer, dur time.Duration, digits string, hold bool) string {
	start := time.Now()
	type step struct {
		at time.Duration
		do func()
	}
	var steps []step
	if digits != "" {
		steps = append(steps, step{time.Second, func() {
			for _, d := range digits {
				if err := call.SendDigit(d); err != nil {
					fmt.Fprintf(stdout, "DTMF-FAILED detail=%q\n", err.Error())
					return
				}
			}
			fmt.Fprintf(stdout, "DTMF-SENT digits=%s\n", digits)
		}})
	}
	if hold {
		steps = append(steps, step{dur / 2, func() {
			if err := call.Hold(ctx); err != nil {
				fmt.Fprintf(stdout, "HOLD-FAILED detail=%q\n", err.Error())
				return
			}
			fmt.Fprintf(stdout, "CALL-HELD peer=%s\n", call.PeerDirection())
		}}, step{dur * 3 / 4, func() {
			if err := call.Resume(ctx); err != nil {
				fmt.Fprintf(stdout, "RESUME-FAILED detail=%q\n", err.Error())
				return
			}
			fmt.Fprintf(stdout, "CALL-RESUMED peer=%s\n", call.PeerDirection())
		}})
	}
	slices.SortFunc(steps, func(a, b step) int { return int(a.at - b.at) })
	for _, s := range append(steps, step{dur, nil}) {
		t := time.NewTimer(time.Until(start.Add(s.at)))
		select {
		case <-t.C:
		case <-call.Done():
			t.Stop()
			return "remote"
		case <-ctx.Done():
			t.Stop()
			return "local"
		}
		if s.do != nil {
			s.do()
		}
	}
	return "local"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
