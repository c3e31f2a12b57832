package net8021x_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"deskphone/lab"
	"deskphone/net8021x"
)

// EAP-FAST against hostapd's own EAP server (FreeRADIUS 3.2.1's is broken
// here): anonymous and server-authenticated PAC provisioning, resumption
// with the PAC, expiry and refresh.

// logBuffer collects a supplicant's log lines for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// fastConfig is mode 7 for the lab's FAST account with PACs in dir.
func fastConfig(t *testing.T, l *lab.Lab, dir string, anon, withCA bool, logs *logBuffer) net8021x.Config {
	t.Helper()
	cfg := labConfig(t, l, labMethod{net8021x.ModeFAST, l.EAP.FAST})
	if !withCA {
		cfg.CAs = nil
	}
	cfg.OuterIdentity = l.EAP.Anonymous
	cfg.FASTPACDir = dir
	cfg.FASTAnonProvisioning = anon
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("supplicant log:\n%s", logs)
		}
	})
	return cfg
}

// fastAuth runs one Authenticate and checks hostapd authorized the port.
func fastAuth(t *testing.T, l *lab.Lab, frames net8021x.Frames, cfg net8021x.Config) net8021x.Result {
	t.Helper()
	if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := net8021x.Authenticate(ctx, frames, lab.MACPhoneLAN, cfg)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	if res.Method != "FAST" || len(res.MSK) != 64 || len(res.EMSK) != 64 {
		t.Fatalf("result %s with MSK %d and EMSK %d bytes, want FAST with 64 each", res.Method, len(res.MSK), len(res.EMSK))
	}
	wantAuthorized(t, l, true)
	// hostapd runs with -K: its log shows the MSK it derived (it never
	// asks for the EMSK, so that has no counterpart to compare with).
	var server []byte
	if err := poll(5*time.Second, func() (bool, error) {
		server = hostapdKey(t, l, "MSK")
		return bytes.Equal(server, res.MSK), nil
	}); err != nil {
		// Fingerprints only: the keys themselves stay out of logs.
		t.Errorf("MSK differs from hostapd's (first bytes %x... vs %x...)", res.MSK[:4], server[:min(4, len(server))])
	}
	return res
}

var reHostapdKey = regexp.MustCompile(`EAP-FAST: Derived key \((MSK)\) - hexdump\(len=\d+\): ([0-9a-f ]+)`)

// hostapdKey is the last EAP-FAST key of that name in hostapd's log.
func hostapdKey(t *testing.T, l *lab.Lab, name string) []byte {
	t.Helper()
	var key []byte
	for _, lf := range l.Logs() {
		if lf.Name != "hostapd" {
			continue
		}
		b, err := os.ReadFile(lf.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range reHostapdKey.FindAllStringSubmatch(string(b), -1) {
			if m[1] == name {
				key, _ = hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(m[2]), " ", ""))
			}
		}
	}
	return key
}

func pacFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	names, _ := filepath.Glob(filepath.Join(dir, "fast-pac-*.json"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(n)] = b
	}
	return out
}

func onePAC(t *testing.T, dir string) []byte {
	t.Helper()
	f := pacFiles(t, dir)
	if len(f) != 1 {
		t.Fatalf("%d PAC files in %s, want 1", len(f), dir)
	}
	for _, b := range f {
		return b
	}
	return nil
}

func TestLabFAST(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP, HostapdKeys: true})
	frames := listenPhone(t, l)

	t.Run("anonymous-provisioning-then-resumption", func(t *testing.T) {
		dir := t.TempDir()
		logs := &logBuffer{}
		cfg := fastConfig(t, l, dir, true, false, logs)
		fastAuth(t, l, frames, cfg)
		out := logs.String()
		for _, want := range []string{"anonymous provisioning", "new PAC stored", "PAC provisioned, authenticating again", "by=PAC"} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
		}
		pac := onePAC(t, dir)
		// And again: resumption only, the PAC kept.
		logs2 := &logBuffer{}
		fastAuth(t, l, frames, fastConfig(t, l, dir, true, false, logs2))
		if out := logs2.String(); !strings.Contains(out, "by=PAC") || strings.Contains(out, "new PAC stored") {
			t.Errorf("second run did not just resume with the PAC:\n%s", out)
		}
		if !bytes.Equal(onePAC(t, dir), pac) {
			t.Error("PAC file changed on a plain resumption")
		}
	})

	t.Run("authenticated-provisioning-then-resumption", func(t *testing.T) {
		dir := t.TempDir()
		logs := &logBuffer{}
		fastAuth(t, l, frames, fastConfig(t, l, dir, false, true, logs))
		if out := logs.String(); !strings.Contains(out, "server-authenticated provisioning") || !strings.Contains(out, "new PAC stored") {
			t.Errorf("not provisioned with the server certificate:\n%s", out)
		}
		pac := onePAC(t, dir)
		logs2 := &logBuffer{}
		fastAuth(t, l, frames, fastConfig(t, l, dir, false, true, logs2))
		if out := logs2.String(); !strings.Contains(out, "by=PAC") {
			t.Errorf("second run did not resume with the PAC:\n%s", out)
		}
		if !bytes.Equal(onePAC(t, dir), pac) {
			t.Error("PAC file changed on a plain resumption")
		}
	})

	t.Run("expired-PAC-reprovisioned", func(t *testing.T) {
		dir := t.TempDir()
		fastAuth(t, l, frames, fastConfig(t, l, dir, false, true, &logBuffer{}))
		old := onePAC(t, dir)
		// The phone's clock past the PAC's lifetime (hostapd: 7 days).
		logs := &logBuffer{}
		cfg := fastConfig(t, l, dir, false, true, logs)
		later := time.Now().Add(8 * 24 * time.Hour)
		cfg.Clock = func() time.Time { return later }
		fastAuth(t, l, frames, cfg)
		out := logs.String()
		if !strings.Contains(out, "PAC expired") || !strings.Contains(out, "server-authenticated provisioning") {
			t.Errorf("expired PAC not re-provisioned:\n%s", out)
		}
		if bytes.Equal(onePAC(t, dir), old) {
			t.Error("PAC file not replaced")
		}
	})

	t.Run("PAC-refreshed-before-expiry", func(t *testing.T) {
		dir := t.TempDir()
		fastAuth(t, l, frames, fastConfig(t, l, dir, false, true, &logBuffer{}))
		old := onePAC(t, dir)
		logs := &logBuffer{}
		cfg := fastConfig(t, l, dir, false, true, logs)
		later := time.Now().Add(6*24*time.Hour + 12*time.Hour)
		cfg.Clock = func() time.Time { return later }
		fastAuth(t, l, frames, cfg)
		out := logs.String()
		if !strings.Contains(out, "by=PAC") || !strings.Contains(out, "new PAC stored") {
			t.Errorf("PAC near its end not refreshed during a resumption:\n%s", out)
		}
		if bytes.Equal(onePAC(t, dir), old) {
			t.Error("PAC file not replaced")
		}
	})
}

// fastFailure runs one Authenticate that must fail with reason want.
func fastFailure(t *testing.T, l *lab.Lab, frames net8021x.Frames, cfg net8021x.Config, want net8021x.Reason) {
	t.Helper()
	if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := net8021x.Authenticate(ctx, frames, lab.MACPhoneLAN, cfg)
	if net8021x.ReasonOf(err) != want {
		t.Fatalf("error %v (reason %s), want reason %s", err, net8021x.ReasonOf(err), want)
	}
	if strings.Contains(err.Error(), cfg.Password) {
		t.Errorf("error shows the password: %v", err)
	}
	wantAuthorized(t, l, false)
	if len(pacFiles(t, cfg.FASTPACDir)) != 0 {
		t.Error("a PAC was stored by a failed authentication")
	}
}

// TestLabFASTFailures: a wrong password inside the tunnel, a server
// certificate from a CA the phone does not trust, one for another name,
// and a server certificate hostapd cannot use for EAP-FAST's suites (EC):
// each fails with its reason and leaves no PAC.
func TestLabFASTFailures(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP})
	frames := listenPhone(t, l)
	t.Run("wrong-password", func(t *testing.T) {
		cfg := fastConfig(t, l, t.TempDir(), false, true, &logBuffer{})
		cfg.Password = "not-the-password"
		fastFailure(t, l, frames, cfg, net8021x.ReasonCredentials)
	})
	t.Run("untrusted-CA", func(t *testing.T) {
		cfg := fastConfig(t, l, t.TempDir(), false, true, &logBuffer{})
		pem, err := os.ReadFile(l.PKI.RogueCA.Cert)
		if err != nil {
			t.Fatal(err)
		}
		cfg.CAs = x509.NewCertPool()
		cfg.CAs.AppendCertsFromPEM(pem)
		fastFailure(t, l, frames, cfg, net8021x.ReasonCertUntrusted)
	})
	t.Run("wrong-server-name", func(t *testing.T) {
		cfg := fastConfig(t, l, t.TempDir(), false, true, &logBuffer{})
		cfg.ServerName = "other." + lab.HostRADIUS
		fastFailure(t, l, frames, cfg, net8021x.ReasonCertName)
	})
	t.Run("EC-server-certificate", func(t *testing.T) {
		// hostapd offers EAP-FAST no ECDHE-ECDSA suite: it gives up
		// during the handshake.
		l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP, EAPCert: lab.CertRogue})
		cfg := fastConfig(t, l, t.TempDir(), false, true, &logBuffer{})
		fastFailure(t, l, listenPhone(t, l), cfg, net8021x.ReasonTLS)
	})
}
