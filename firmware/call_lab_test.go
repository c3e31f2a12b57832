package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"deskphone/lab"
)

// phoneCall runs `firmware call args...` in the phone's namespace as a
// lab user over TLS, and returns the process.
func phoneCall(t *testing.T, l *lab.Lab, name string, u lab.Login, args ...string) *lab.Process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"env", commandHelperEnv + "=1", exe, "call",
		"-registrar", lab.AddrPBX + ":5061", "-transport", "tls", "-user", u.User, "-password", u.Password,
		"-ca", l.PKI.CA.Cert, "-listen", lab.AddrPhone + ":5090"}
	p, err := l.Spawn(name, l.PhoneNS, append(base, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop(3 * time.Second) })
	return p
}

// waitExit waits until p has exited (bounded by ctx).
func waitExit(ctx context.Context, p *lab.Process) {
	for p.Running() && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
}

// scored is a recording aligned to its reference by cross-correlation.
type scored struct {
	snr     float64 // dB, at the first window's lag
	levelDB float64 // recording's level minus the reference's, dB
	lags    []int   // best lag (samples) of each second of the recording
}

// constant reports whether every window found the same delay, within a
// millisecond.
func (s scored) constant(rate int) bool {
	for _, l := range s.lags {
		if d := l - s.lags[0]; d < -rate/1000 || d > rate/1000 {
			return false
		}
	}
	return len(s.lags) > 0
}

// score aligns rec to ref (rate Hz) on each second of rec and measures SNR
// and level on the whole at the first second's lag.
func score(ref, rec []int16, rate int) scored {
	edge := rate / 10
	if len(rec) < 4*edge+2*rate {
		return scored{snr: math.Inf(-1)}
	}
	rec = rec[edge : len(rec)-edge]
	lagOf := func(off int) int {
		search := rate // one second either way is plenty
		best, lag := math.Inf(-1), 0
		for l := range search {
			if off+l+search > len(ref) {
				break
			}
			var c float64
			for i := 0; i < search; i += 2 {
				c += float64(rec[off+i]) * float64(ref[off+i+l])
			}
			if c > best {
				best, lag = c, l
			}
		}
		return lag + edge
	}
	var s scored
	for off := 0; off+rate <= len(rec); off += rate {
		s.lags = append(s.lags, lagOf(off))
	}
	lag := s.lags[0] - edge
	var sig, noise, got float64
	for i, v := range rec {
		if i+lag >= len(ref) {
			break
		}
		r := float64(ref[i+lag])
		sig += r * r
		got += float64(v) * float64(v)
		noise += (float64(v) - r) * (float64(v) - r)
	}
	s.snr = 10 * math.Log10(sig/max(noise, 1e-9))
	s.levelDB = 10 * math.Log10(max(got, 1e-9)/max(sig, 1e-9))
	return s
}

// checkAudio asserts a direction's quality: SNR at least minSNR, the same
// delay through the call (within a millisecond), the level within 0.5 dB.
func checkAudio(t *testing.T, what string, ref, rec []int16, rate int, minSNR float64) {
	t.Helper()
	s := score(ref, rec, rate)
	t.Logf("%s: SNR %.1f dB, level %+.2f dB, delay %v samples at %d Hz", what, s.snr, s.levelDB, s.lags, rate)
	if s.snr < minSNR {
		t.Errorf("%s: SNR %.1f dB, want >= %.0f", what, s.snr, minSNR)
	}
	if !s.constant(rate) {
		t.Errorf("%s: the delay moved: %v samples", what, s.lags)
	}
	if math.Abs(s.levelDB) > 0.5 {
		t.Errorf("%s: level changed by %.2f dB, want within 0.5", what, s.levelDB)
	}
}

func readPCM(t *testing.T, path string) []int16 {
	t.Helper()
	pcm, _, err := readWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	return pcm
}

// decoded is the recording of what baresip received in its last call.
func decoded(t *testing.T, ua *lab.UA) string {
	t.Helper()
	recs, err := ua.Recordings()
	if err != nil {
		t.Fatal(err)
	}
	var last string
	for _, f := range recs {
		if strings.HasSuffix(f, "-dec.wav") {
			last = f
		}
	}
	if last == "" {
		t.Fatalf("baresip recorded nothing: %v", recs)
	}
	return last
}

// TestCallLabIncomingG722: baresip dials the phone through Kamailio; the
// phone (TLS, encrypted) answers with G.722 and SRTP; wideband speech flows
// both ways at SNR >= 25 dB with a constant delay and the level kept; the
// phone's BYE ends the call.
func TestCallLabIncomingG722(t *testing.T) {
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	wide := filepath.Join(t.TempDir(), "speech16.wav")
	if err := lab.WriteSpeech(wide, 16000, 60); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ua, err := l.StartUA(ctx, lab.UAOptions{Name: "g722", NS: l.ServicesNS, Addr: lab.AddrRemote, User: lab.SIPUsers[1],
		Codecs: "G722/16000/1", Audio: wide})
	if err != nil {
		t.Fatal(err)
	}
	ref := readPCM(t, wide)
	_, rec := incomingG722(ctx, t, l, ua, wide, 1)
	checkAudio(t, "phone earpiece (from baresip)", ref, readPCM(t, rec), 16000, 25)
	checkAudio(t, "baresip (from the phone)", ref, readPCM(t, decoded(t, ua)), 16000, 25)
}

// incomingG722 runs one call of TestCallLabIncomingG722 and returns the
// phone's output and its earpiece recording.
func incomingG722(ctx context.Context, t *testing.T, l *lab.Lab, ua *lab.UA, wide string, attempt int) (string, string) {
	t.Helper()
	u := lab.SIPUsers[4]
	rec := filepath.Join(t.TempDir(), "earpiece.wav")
	p := phoneCall(t, l, fmt.Sprintf("call-in-g722-%d", attempt), u, "-answer", "-codecs", "G722,PCMU", "-play", wide, "-record", rec, "-for", "4s")
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^REGISTERED `), 1)
	ctrl, err := ua.Ctrl(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ctrl.Close()
	closed := make(chan error, 1)
	go func() {
		established := false
		closed <- ctrl.Events(ctx, func(e lab.Event) bool {
			switch e.Type {
			case "CALL_ESTABLISHED":
				established = true
			case "CALL_CLOSED":
				return established
			}
			return false
		})
	}()
	if err := ctrl.Send("dial", "sip:"+u.User+"@"+lab.HostPBX); err != nil {
		t.Fatal(err)
	}
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^CALL-STATS `), 1)
	waitExit(ctx, p)
	out := p.Output()
	t.Logf("firmware call:\n%s", out)
	if !regexp.MustCompile(`(?m)^CALL-INCOMING from=".*` + lab.SIPUsers[1].User + `@`).MatchString(out) {
		t.Error("no incoming call from baresip")
	}
	m := regexp.MustCompile(`(?m)^CALL-ESTABLISHED codec=(\S+) srtp=(\S+) security=(\S+)$`).FindStringSubmatch(out)
	if m == nil || m[1] != "G722" || m[2] == "none" || m[3] != "encrypted" {
		t.Fatalf("want an encrypted G.722 call:\n%s", out)
	}
	if !strings.Contains(out, "CALL-ENDED by=local") {
		t.Error("the phone did not end the call")
	}
	if err := <-closed; err != nil {
		t.Errorf("baresip did not see the call established and closed: %v", err)
	}
	return out, rec
}

// TestCallLabHoldDTMFRemoteBye: the phone calls baresip (G.711, SRTP),
// sends DTMF (baresip reports each digit), holds (baresip gets a
// re-INVITE offering sendonly, and answers recvonly) and resumes
// (sendrecv); baresip's BYE ends the call.
func TestCallLabHoldDTMFRemoteBye(t *testing.T) {
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ua, err := l.StartUA(ctx, lab.UAOptions{Name: "hold", NS: l.ServicesNS, Addr: lab.AddrRemote, User: lab.SIPUsers[1]})
	if err != nil {
		t.Fatal(err)
	}
	var (
		digits string
		sdps   []string // offers baresip received
	)
	ctrl, err := ua.Ctrl(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ctrl.Close()
	events := make(chan error, 1)
	go func() {
		events <- ctrl.Events(ctx, func(e lab.Event) bool {
			switch e.Type {
			case "CALL_DTMF_START":
				digits += e.Param
			case "CALL_REMOTE_SDP":
				sdps = append(sdps, e.Param)
			case "CALL_CLOSED":
				return true
			}
			return false
		})
	}()
	u := lab.SIPUsers[4]
	p := phoneCall(t, l, "call-hold", u, "-dial", "sip:"+lab.SIPUsers[1].User+"@"+lab.HostPBX, "-codecs", "PCMU",
		"-dtmf", "159#", "-hold", "-for", "12s")
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^CALL-RESUMED`), 1)
	time.Sleep(time.Second)
	if err := ctrl.Send("hangup", ""); err != nil {
		t.Fatal(err)
	}
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^CALL-ENDED `), 1)
	waitExit(ctx, p)
	out := p.Output()
	t.Logf("firmware call:\n%s", out)
	if err := <-events; err != nil {
		t.Fatal(err)
	}
	// baresip answers our sendonly with recvonly and our sendrecv with sendrecv.
	for _, want := range []string{"DTMF-SENT digits=159#", "CALL-HELD peer=recvonly", "CALL-RESUMED peer=sendrecv", "CALL-ENDED by=remote"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q", want)
		}
	}
	if digits != "159#" {
		t.Errorf("baresip received DTMF %q, want 159#", digits)
	}
	if len(sdps) != 3 {
		t.Errorf("baresip got %d SDP offers, want 3 (the call, the hold, the resume)", len(sdps))
	}
}

// TestCallLabEncryptedRefusesPlainRTP: under "encrypted", a call offering
// no crypto is refused in both directions: baresip without SRTP dials the
// phone (488, reason printed), and the phone's call to it fails.
func TestCallLabEncryptedRefusesPlainRTP(t *testing.T) {
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ua, err := l.StartUA(ctx, lab.UAOptions{Name: "plain", NS: l.ServicesNS, Addr: lab.AddrRemote, User: lab.SIPUsers[1], MediaEnc: "none"})
	if err != nil {
		t.Fatal(err)
	}
	u := lab.SIPUsers[4]
	p := phoneCall(t, l, "call-refuse-in", u, "-answer", "-security", "encrypted", "-for", "2s")
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^REGISTERED `), 1)
	if _, err := ua.Command(ctx, "dial", "sip:"+u.User+"@"+lab.HostPBX); err != nil {
		t.Fatal(err)
	}
	waitExit(ctx, p)
	out := p.Output()
	t.Logf("incoming:\n%s", out)
	if !regexp.MustCompile(`(?m)^CALL-REFUSED reason=".*crypto`).MatchString(out) {
		t.Errorf("the plain RTP call was not refused for its missing crypto")
	}
	if strings.Contains(out, "CALL-ESTABLISHED") {
		t.Error("a plain RTP call was established on an encrypted line")
	}

	p = phoneCall(t, l, "call-refuse-out", u, "-dial", "sip:"+lab.SIPUsers[1].User+"@"+lab.HostPBX, "-security", "encrypted", "-for", "2s")
	waitExit(ctx, p)
	out = p.Output()
	t.Logf("outgoing:\n%s", out)
	if !strings.Contains(out, "CALL-FAILED") || strings.Contains(out, "CALL-ESTABLISHED") {
		t.Errorf("the call to a peer without SRTP was not refused")
	}
}

// TestCallLabCancel: CANCEL both ways through Kamailio over TLS. The
// phone gives up on a call baresip lets ring (baresip sees it come and
// go); baresip gives up on a call the phone lets ring (the phone's call
// ends, cancelled by the caller).
func TestCallLabCancel(t *testing.T) {
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ua, err := l.StartUA(ctx, lab.UAOptions{Name: "cancel", NS: l.ServicesNS, Addr: lab.AddrRemote, User: lab.SIPUsers[1], AnswerMode: "manual"})
	if err != nil {
		t.Fatal(err)
	}
	ctrl, err := ua.Ctrl(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ctrl.Close()
	var seen []string
	events := make(chan error, 1)
	go func() {
		events <- ctrl.Events(ctx, func(e lab.Event) bool {
			seen = append(seen, e.Type)
			// One close for the phone's cancelled call, one for baresip's.
			return strings.Count(strings.Join(seen, " "), "CALL_CLOSED") == 2
		})
	}()
	u := lab.SIPUsers[4]
	p := phoneCall(t, l, "call-give-up", u, "-dial", "sip:"+lab.SIPUsers[1].User+"@"+lab.HostPBX, "-give-up", "2s")
	waitExit(ctx, p)
	out := p.Output()
	t.Logf("phone gives up:\n%s", out)
	if !strings.Contains(out, "CALL-CANCELLED after=2s") {
		t.Errorf("the phone did not cancel its unanswered call")
	}

	p = phoneCall(t, l, "call-ring", u, "-answer", "-ring", "20s")
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^REGISTERED `), 1)
	if err := ctrl.Send("dial", "sip:"+u.User+"@"+lab.HostPBX); err != nil {
		t.Fatal(err)
	}
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^CALL-INCOMING `), 1)
	if err := ctrl.Send("hangup", ""); err != nil {
		t.Fatal(err)
	}
	waitExit(ctx, p)
	out = p.Output()
	t.Logf("baresip gives up:\n%s", out)
	if !regexp.MustCompile(`(?m)^CALL-ENDED by=remote reason=".*cancel`).MatchString(out) {
		t.Errorf("the phone's ringing call did not end on the caller's CANCEL")
	}
	if err := <-events; err != nil {
		t.Errorf("baresip events %v: %v", seen, err)
	}
	if !slices.Contains(seen, "CALL_INCOMING") || slices.Contains(seen, "CALL_ESTABLISHED") {
		t.Errorf("baresip's events %v: want the phone's call to ring there and no call established", seen)
	}
}
