package main

import (
	"bytes"
	"context"
	"errors"
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

func TestWAVRoundTrip(t *testing.T) {
	pcm := []int16{0, 1, -1, 32767, -32768, 1234}
	got, rate, err := parseWAV(encodeWAV(pcm, 16000))
	if err != nil || rate != 16000 || !slices.Equal(got, pcm) {
		t.Fatalf("parseWAV(encodeWAV) = %v, %d, %v", got, rate, err)
	}
	stereo := encodeWAV(pcm, 8000)
	stereo[22] = 2
	if _, _, err := parseWAV(stereo); err == nil || !strings.Contains(err.Error(), "2 channels") {
		t.Errorf("stereo accepted or unclear: %v", err)
	}
	if _, _, err := parseWAV(encodeWAV(pcm, 8000)[:50]); err == nil {
		t.Error("truncated data chunk accepted")
	}
}

func FuzzParseWAV(f *testing.F) {
	f.Add(encodeWAV([]int16{1, 2, 3}, 8000))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, rate, err := parseWAV(b)
		if err == nil && rate == 0 {
			t.Fatalf("accepted a rate of 0 (%d samples)", len(pcm))
		}
	})
}

// peak is the largest absolute sample of a WAV file's audio.
func peak(t *testing.T, path string) int {
	t.Helper()
	pcm, _, err := readWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	m := 0
	for _, v := range pcm {
		m = max(m, abs(int(v)))
	}
	return m
}

// alignedSNR is the waveform SNR in dB of rec against ref after the lag
// with the highest cross-correlation (searched over one second), measured
// on rec without its first and last 100 ms (call set-up and tear-down).
func alignedSNR(ref, rec []int16) float64 {
	const edge, search = 800, 8000
	if len(rec) < 2*edge+search || len(ref) < len(rec)+search {
		return math.Inf(-1)
	}
	rec = rec[edge : len(rec)-edge]
	best, lag := math.Inf(-1), 0
	for l := range search {
		var c float64
		for i := range search {
			c += float64(rec[i]) * float64(ref[i+l])
		}
		if c > best {
			best, lag = c, l
		}
	}
	var sig, noise float64
	for i, v := range rec {
		r := float64(ref[i+lag])
		sig += r * r
		noise += (float64(v) - r) * (float64(v) - r)
	}
	return 10 * math.Log10(sig/max(noise, 1e-9))
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestCallLabTLS: `firmware call` in the phone namespace registers over TLS,
// calls baresip through Kamailio with SRTP, audio flows both ways, and the
// BYE ends the call on both sides.
func TestCallLabTLS(t *testing.T) {
	// Not parallel: real-time audio scored for SNR must not share two cores
	// with other labs' daemons.
	l := lab.Start(t, lab.Options{SIP: true, Remote: true, PhoneAddress: true})
	if l.RemoteUA == nil || !l.RemoteUA.Running() {
		t.Fatal("remote party not running")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The remote party must see the call start and our BYE close it.
	closed := make(chan error, 1)
	go func() {
		established := false
		closed <- l.RemoteUA.Events(ctx, func(e lab.Event) bool {
			switch e.Type {
			case "CALL_ESTABLISHED":
				established = true
			case "CALL_CLOSED":
				return established
			}
			return false
		})
	}()
	rec := filepath.Join(t.TempDir(), "earpiece.wav")
	u := lab.SIPUsers[4]
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Spawn("call-tls", l.PhoneNS, "env", commandHelperEnv+"=1", exe, "call",
		"-registrar", lab.AddrPBX+":5061", "-transport", "tls", "-user", u.User, "-password", u.Password,
		"-ca", l.PKI.CA.Cert, "-listen", lab.AddrPhone+":5090", "-dial", l.Remote.URI,
		"-play", l.AudioFile, "-record", rec, "-for", "3s")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop(3 * time.Second) })
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^CALL-ENDED `), 1)
	out := p.Output()
	t.Logf("firmware call:\n%s", out)
	m := regexp.MustCompile(`(?m)^CALL-ESTABLISHED codec=(\S+) srtp=(\S+) security=encrypted$`).FindStringSubmatch(out)
	if m == nil || m[2] == "none" {
		t.Fatalf("no SRTP call established:\n%s", out)
	}
	if strings.Contains(out, u.Password) {
		t.Errorf("output shows the password:\n%s", out)
	}
	if err := <-closed; err != nil {
		t.Errorf("the remote party did not see the call established and closed: %v", err)
	}
	for p.Running() && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	if pk := peak(t, rec); pk < 1000 {
		t.Errorf("the earpiece recording is silent (peak %d)", pk)
	}
	ref, _, err := readWAV(l.AudioFile)
	if err != nil {
		t.Fatal(err)
	}
	heardRemote, _, err := readWAV(rec)
	if err != nil {
		t.Fatal(err)
	}
	snr := alignedSNR(ref, heardRemote)
	t.Logf("we heard the remote party at %.1f dB SNR", snr)
	if snr < 35 && (m[1] == "PCMU" || m[1] == "PCMA") {
		t.Errorf("SNR of the earpiece: %.1f dB, want >= 35", snr)
	}
	recs, err := l.RemoteUA.Recordings()
	if err != nil {
		t.Fatal(err)
	}
	heard := false
	for _, f := range recs {
		if strings.HasSuffix(f, "-dec.wav") && peak(t, f) >= 1000 {
			heard = true
			got, _, err := readWAV(f)
			if err != nil {
				t.Fatal(err)
			}
			// G.711 alone keeps about 37 dB on this speech.
			snr := alignedSNR(ref, got)
			t.Logf("the remote party heard us at %.1f dB SNR", snr)
			if m[1] == "PCMU" || m[1] == "PCMA" {
				if snr < 35 {
					t.Errorf("SNR of what the remote party heard: %.1f dB, want >= 35", snr)
				}
			}
		}
	}
	if !heard {
		t.Errorf("the remote party recorded nothing audible from the phone: %v", recs)
	}
}

// TestCmdCallUsage: bad arguments are usage errors naming what is wrong,
// caught before anything is sent, and never echo the password.
func TestCmdCallUsage(t *testing.T) {
	base := []string{"-registrar", "pbx", "-user", "1001", "-password", "Usage-Secret"}
	cases := []struct {
		args []string
		want string
	}{
		{base, "-dial or -answer"},
		{append(slices.Clone(base), "-dial", "1002", "-answer"), "-dial or -answer"},
		{append(slices.Clone(base), "-dial", "1002", "-precedence", "urgent"), "urgent"},
		{append(slices.Clone(base), "-dial", "1002", "-dtmf", "12x"), "x"},
		{append(slices.Clone(base), "-dial", "1002", "-codecs", "OPUS"), "OPUS"},
		{append(slices.Clone(base), "-dial", "1002", "-transport", "udp", "-security", "encrypted"), "tls"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		err := cmdCall(context.Background(), c.args, &out, &errOut)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want a usage error naming %q", c.args, err, c.want)
			continue
		}
		if strings.Contains(err.Error()+out.String()+errOut.String(), "Usage-Secret") {
			t.Errorf("%q: the password is shown: %v", c.args, err)
		}
	}
}
