// Command bench measures the phone's media engine beside baresip on one lab
// (Kamailio and a baresip remote party in network namespaces), in one run:
//
//   - the whole phone (`firmware run -board sim` on the lab's LAN port:
//     802.1X, DHCP, provisioning, the LCD and web pages) dialling the
//     remote baresip from its keypad, its line on TLS with encryption
//     required: CPU and resident memory of the whole firmware in the call;
//   - an SRTP call (PCMU, AES_CM_128_HMAC_SHA1_80, TLS signalling through
//     Kamailio) from `firmware call -for D` to the remote baresip, and a
//     baresip-to-baresip call of the same length, codec and suite to the
//     same remote party: CPU (user+sys from /proc/PID/stat, per minute of
//     call) and resident memory of the calling process of each, and of the
//     remote baresip in each call;
//   - the delay the phone adds between network and network (jitter buffer +
//     concealment + audio path), timed on the wire with the media engine
//     made an echo, as the reference lab timed baresip's.
//
// The firmware is built from this tree. It needs root and the lab's
// packages (make lab-deps). Run: make bench-media.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"deskphone/lab"
)

// The calling UAs' SIP ports in the phone namespace.
const (
	phoneListen = lab.AddrPhone + ":5090"
	uaPort      = 5080 // baresip caller (TLS on 5081)
)

func main() {
	dur := flag.Duration("for", 30*time.Second, "length of each call")
	probes := flag.Int("probes", 20, "tone bursts timed through the echoing media engine")
	flag.StringVar(&cgo, "cgo", "0", "CGO_ENABLED for the firmware build: 0 as the boards' build, 1 as the host's")
	flag.IntVar(&rounds, "rounds", 3, "calls per caller, taking turns; CPU is their median, memory their maximum")
	flag.StringVar(&phoneEnv, "phone-env", "", "environment for the phone, e.g. GOMAXPROCS=1,GOGC=50 (to try runtime settings)")
	flag.Parse()
	if err := run(*dur, *probes); err != nil {
		fmt.Fprintln(os.Stderr, "bench-media:", err)
		os.Exit(1)
	}
}

// phoneEnv is -phone-env: comma-separated VAR=value for `firmware call`.
var phoneEnv string

// cgo is -cgo, CGO_ENABLED for the firmware build.
var cgo string

// rounds is -rounds: how many calls each caller makes.
var rounds int

type callResult struct {
	caller, remote usage
	detail         string
	each           []time.Duration // CPU per minute of each call, in turn (combine)
}

func run(dur time.Duration, probes int) error {
	if dur < 5*time.Second {
		return fmt.Errorf("-for %v: at least 5s", dur)
	}
	if rounds < 1 {
		return fmt.Errorf("-rounds %d: at least 1", rounds)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+time.Duration(4*rounds)*(dur+20*time.Second))
	defer cancel()

	// The delay first: no lab needed, and nothing else runs beside it.
	fmt.Fprintf(os.Stderr, "bench-media: timing %d echoes through the media engine\n", probes)
	echoes, err := measureTurnaround(ctx, probes)
	if err != nil {
		return err
	}

	// 802.1X, DHCP and a provisioning server for the whole phone; the
	// others use the fixed address beside its leased one.
	opts := lab.Options{Dot1X: lab.FreeRADIUS, DHCP: true, Web: true, SIP: true, Remote: true, PhoneAddress: true}
	if err := lab.Check(opts); err != nil {
		return err
	}
	l, err := lab.Up(ctx, opts)
	if err != nil {
		return err
	}
	defer l.Close()
	fw := filepath.Join(l.Dir, "firmware")
	fmt.Fprintln(os.Stderr, "bench-media: building the firmware")
	// As the Makefile builds the boards' firmware: stripped, pure Go. The
	// host build links libc for malgo, which `firmware call` (simulated
	// audio) does not use and a board does not ship.
	build := exec.CommandContext(ctx, goTool(), "build", "-trimpath", "-ldflags", "-s -w", "-o", fw, "deskphone/firmware")
	build.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build firmware: %w: %s", err, out)
	}

	// Both callers play the lab's pattern cut to the call's length: each
	// loads its whole file into memory, and a real phone plays a microphone.
	audio := filepath.Join(l.Dir, "bench-pattern.wav")
	if err := cutWAV(l.AudioFile, audio, dur+5*time.Second); err != nil {
		return err
	}
	// The whole phone first: the switch port opens when it authenticates,
	// and it stays up (idle) while the others call through that port.
	fmt.Fprintln(os.Stderr, "bench-media: starting the whole phone (802.1X, DHCP, registration over TLS)")
	wp, err := startWholePhone(ctx, l, fw)
	if err != nil {
		return err
	}
	defer wp.stop()

	// The callers take turns, round after round: the machine's load drifts
	// over minutes, and each caller's median then comes from the same
	// stretches of time as the others'.
	var whole, ours, tuned, theirs []callResult
	for r := 1; r <= rounds; r++ {
		fmt.Fprintf(os.Stderr, "bench-media: round %d of %d: the whole phone calls baresip from its keypad for %v\n", r, rounds, dur)
		c, err := wholePhoneCall(ctx, l, wp, dur)
		if err != nil {
			return err
		}
		whole = append(whole, c)
		if err := remoteIdle(ctx, l, "the whole phone's call"); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench-media: round %d: firmware call calls baresip for %v\n", r, dur)
		if c, err = phoneCall(ctx, l, fw, audio, dur, ""); err != nil {
			return err
		}
		ours = append(ours, c)
		if err := remoteIdle(ctx, l, "the firmware call"); err != nil {
			return err
		}
		// With -phone-env, another firmware call under those settings,
		// measured beside the same baresip run.
		if phoneEnv != "" {
			fmt.Fprintf(os.Stderr, "bench-media: round %d: firmware call with %s for %v\n", r, phoneEnv, dur)
			if c, err = phoneCall(ctx, l, fw, audio, dur, phoneEnv); err != nil {
				return err
			}
			tuned = append(tuned, c)
			if err := remoteIdle(ctx, l, "the firmware call with "+phoneEnv); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "bench-media: round %d: baresip calls baresip for %v\n", r, dur)
		if c, err = baresipCall(ctx, l, audio, dur); err != nil {
			return err
		}
		theirs = append(theirs, c)
		if err := remoteIdle(ctx, l, "the baresip call"); err != nil {
			return err
		}
	}
	var t *callResult
	if len(tuned) > 0 {
		m := combine(tuned)
		t = &m
	}
	report(os.Stdout, dur, combine(whole), combine(ours), t, combine(theirs), echoes)
	return nil
}

// remoteIdle waits until the remote baresip has no call left, so that one
// measured call never overlaps the next.
func remoteIdle(ctx context.Context, l *lab.Lab, after string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := l.RemoteUA.Command(ctx, "listcalls", "")
		if err == nil && strings.Contains(out, "Active calls (0)") {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("after %s the remote baresip still has a call (err %v): %s", after, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

var (
	reEstablished = regexp.MustCompile(`(?m)^CALL-ESTABLISHED codec=(\S+) srtp=(\S+)`)
	reEnded       = regexp.MustCompile(`(?m)^CALL-ENDED `)

	reUAEstablished = regexp.MustCompile(`Call established`)
	reUASRTP        = regexp.MustCompile(`SRTP is Enabled \(cryptosuite=AES_CM_128_HMAC_SHA1_80\)`)
	reUAPCMU        = regexp.MustCompile(`Set audio encoder: PCMU 8000Hz`)
)

// phoneCall runs `firmware call` in the phone namespace against the remote
// baresip and samples both processes while the call is up.
func phoneCall(ctx context.Context, l *lab.Lab, fw, audio string, dur time.Duration, env string) (callResult, error) {
	u := lab.SIPUsers[4]
	var args []string
	if env != "" {
		args = append([]string{"env"}, strings.Split(env, ",")...) // env execs: the pid stays the phone's
	}
	args = append(args, fw, "call", "-registrar", lab.AddrPBX+":5061", "-transport", "tls", "-user", u.User, "-password", u.Password,
		"-ca", l.PKI.CA.Cert, "-listen", phoneListen, "-dial", l.Remote.URI,
		"-play", audio, "-for", dur.String())
	p, err := l.Spawn("bench-phone-call", l.PhoneNS, args...)
	if err != nil {
		return callResult{}, err
	}
	defer p.Stop(3 * time.Second)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = p.WaitOutput(wctx, reEstablished)
	cancel()
	if err != nil {
		return callResult{}, fmt.Errorf("phone call: %w: %s", err, p.Output())
	}
	m := reEstablished.FindStringSubmatch(p.Output())
	if m[1] != "PCMU" || m[2] != "AES_CM_128_HMAC_SHA1_80" {
		return callResult{}, fmt.Errorf("phone call: negotiated %s %s, want PCMU AES_CM_128_HMAC_SHA1_80", m[1], m[2])
	}
	// Stop sampling just before the hang-up, so the window is all call.
	r, err := sampleCall(ctx, "phone call", p.Pid(), l.RemoteUA.Pid(), dur-500*time.Millisecond)
	if err != nil {
		return r, err
	}
	r.detail = m[1] + " " + m[2]
	wctx, cancel = context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := p.WaitOutput(wctx, reEnded); err != nil {
		return r, fmt.Errorf("phone call did not end: %w: %s", err, p.Output())
	}
	return r, nil
}

// baresipCall has a second baresip in the phone namespace call the remote
// party the same way: TLS to Kamailio, SRTP, PCMU.
func baresipCall(ctx context.Context, l *lab.Lab, audio string, dur time.Duration) (callResult, error) {
	ua, err := l.StartUA(ctx, lab.UAOptions{Name: "bench-caller", NS: l.PhoneNS, Addr: lab.AddrPhone, Port: uaPort,
		User: lab.SIPUsers[3], Transport: "tls", Audio: audio})
	if err != nil {
		return callResult{}, err
	}
	defer ua.Stop(2 * time.Second)
	if _, err := ua.Command(ctx, "dial", l.Remote.URI); err != nil {
		return callResult{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = ua.WaitOutput(wctx, reUAEstablished)
	cancel()
	if err != nil {
		return callResult{}, fmt.Errorf("baresip call not established: %w", err)
	}
	out := ua.Output()
	if !reUASRTP.MatchString(out) || !reUAPCMU.MatchString(out) {
		return callResult{}, errors.New("baresip call: not PCMU with AES_CM_128_HMAC_SHA1_80 (see its log)")
	}
	r, err := sampleCall(ctx, "baresip call", ua.Pid(), l.RemoteUA.Pid(), dur-500*time.Millisecond)
	if err != nil {
		return r, err
	}
	r.detail = "PCMU AES_CM_128_HMAC_SHA1_80"
	if _, err := ua.Command(ctx, "hangup", ""); err != nil {
		return r, err
	}
	return r, nil
}

func report(w0 *os.File, dur time.Duration, whole, ours callResult, tuned *callResult, theirs callResult, echoes []turnaround) {
	w := tabwriter.NewWriter(w0, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "SRTP calls of %v, %d per caller taking turns (CPU rows: the median call; memory rows: the call with the most).\n", dur, rounds)
	fmt.Fprintln(w, "whole phone = firmware run -board sim -lan (802.1X, DHCP, provisioning, LCD, web; dialled on the keypad;")
	fmt.Fprintf(w, "its simulated microphone is silent); phone = firmware call playing speech; both built CGO_ENABLED=%s, -trimpath -ldflags=-s -w.\n", cgo)
	fmt.Fprintln(w, "baresip = baresip 1.0.0 playing the same speech; each calls the same remote baresip (PCMU, AES_CM_128_HMAC_SHA1_80, TLS).")
	cols := []callResult{whole, ours}
	head := "measure\twhole phone\tphone (firmware call)"
	if tuned != nil {
		cols = append(cols, *tuned)
		head += "\tphone with " + phoneEnv
	}
	cols = append(cols, theirs)
	fmt.Fprintln(w, head+"\tbaresip caller\tremote baresip (in each call, same order)")
	row := func(name string, f func(u usage) string) {
		line := name
		for _, c := range cols {
			line += "\t" + f(c.caller)
		}
		var rs []string
		for _, c := range cols {
			rs = append(rs, f(c.remote))
		}
		fmt.Fprintln(w, line+"\t"+strings.Join(rs, " / "))
	}
	row("CPU user+sys per minute of call", func(u usage) string { return u.PerMinute.Round(time.Millisecond).String() })
	line := "  each call, in turn"
	for _, c := range cols {
		var es []string
		for _, e := range c.each {
			es = append(es, e.Round(time.Millisecond).String())
		}
		line += "\t" + strings.Join(es, " ")
	}
	fmt.Fprintln(w, line+"\t")
	row("CPU, share of one core", func(u usage) string { return fmt.Sprintf("%.2f%%", 100*float64(u.CPU)/float64(u.Wall)) })
	row("context switches, all threads", func(u usage) string { return fmt.Sprintf("%.0f/s", u.Switches) })
	row("threads", func(u usage) string { return fmt.Sprint(u.Threads) })
	row("VmRSS in call, max", func(u usage) string { return fmt.Sprintf("%d kB", u.RSSMax) })
	row("  of which anonymous + file-backed", func(u usage) string { return fmt.Sprintf("%d + %d kB", u.Anon, u.File) })
	row("VmHWM at end of call", func(u usage) string { return fmt.Sprintf("%d kB", u.HWM) })
	row("sampled window", func(u usage) string { return fmt.Sprintf("%v (%d)", u.Wall.Round(time.Millisecond), u.Samples) })
	w.Flush()

	d := make([]time.Duration, len(echoes))
	var depth time.Duration
	for i, e := range echoes {
		d[i] = e.Delay
		depth += e.Depth
	}
	slices.Sort(d)
	if len(d) > 0 {
		depth /= time.Duration(len(d))
		fmt.Fprintf(w0, "\nDelay the phone adds, network to network (media engine as an echo, loopback, %d bursts):\n", len(d))
		fmt.Fprintf(w0, "  median %v, min %v, max %v; jitter buffer depth %v on average, concealment 3.75 ms,\n",
			d[len(d)/2].Round(100*time.Microsecond), d[0].Round(100*time.Microsecond), d[len(d)-1].Round(100*time.Microsecond), depth.Round(100*time.Microsecond))
		fmt.Fprintln(w0, "  the rest: one 20 ms frame each way through the audio path and the 20 ms clock's phase.")
		fmt.Fprintln(w0, "  baresip 1.0.0 timed the same way in the reference lab (../shared/notes/sip-media.md): 118-121 ms at")
		fmt.Fprintln(w0, "  jitter_buffer_delay 5-10 (its default), 57.9 ms at 2-10, 38 ms at 1-10.")
	}
	goal := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Fprintf(w0, "\nGoals: CPU per call at or below baresip's: whole phone %s, firmware call %s; the whole firmware under 16 MB resident in a call: %s (whole phone %d kB at most; firmware call %d kB)\n",
		goal(whole.caller.PerMinute <= theirs.caller.PerMinute), goal(ours.caller.PerMinute <= theirs.caller.PerMinute),
		goal(under16MB(whole.caller.RSSMax)), whole.caller.RSSMax, ours.caller.RSSMax)
	if tuned != nil {
		fmt.Fprintf(w0, "With %s: CPU %s; memory %s (%d kB)\n", phoneEnv,
			goal(tuned.caller.PerMinute <= theirs.caller.PerMinute), goal(under16MB(tuned.caller.RSSMax)), tuned.caller.RSSMax)
	}
}

// under16MB reads the goal as memory sizes are read (JEDEC: a megabyte of
// RAM is 2^20 bytes): under 16384 of /proc's kilobytes.
func under16MB(kB int) bool { return kB < 16*1024 }

// cutWAV copies the first d of a 16-bit mono WAV file with a 44-byte
// header (the lab writes its pattern that way) to dst.
func cutWAV(src, dst string, d time.Duration) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("cut wav: %w", err)
	}
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[36:40]) != "data" {
		return fmt.Errorf("cut wav %s: not a plain 44-byte-header WAV", src)
	}
	rate := int(binary.LittleEndian.Uint32(b[24:28]))
	n := min(len(b)-44, 2*int(d.Seconds()*float64(rate)))
	out := slices.Clone(b[:44+n])
	binary.LittleEndian.PutUint32(out[4:], uint32(36+n))
	binary.LittleEndian.PutUint32(out[40:], uint32(n))
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		return fmt.Errorf("cut wav: %w", err)
	}
	return nil
}
