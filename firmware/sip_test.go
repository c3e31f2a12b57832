package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"deskphone/provision"
	"deskphone/provision/settings"
	"deskphone/sipcore"
	"deskphone/status"
)

func TestSIPConfig(t *testing.T) {
	dir := t.TempDir()
	store := newTestStore(t, dir, map[string]string{
		"sip.checksync_challenge":                "on",
		"security.tls_min_client":                "1.3",
		settings.LineName(1, "enabled"):          "on",
		settings.LineName(1, "user"):             "1001",
		settings.LineName(1, "password"):         "Line1-Secret",
		settings.LineName(1, "registrar"):        "pbx.example.test",
		settings.LineName(1, "transport"):        "tls",
		settings.LineName(1, "expiry"):           "120",
		settings.LineName(1, "backup_registrar"): "10.0.0.2:5070",
		// Line 2 reuses line 1's user: check-sync could not tell them apart.
		settings.LineName(2, "enabled"):   "on",
		settings.LineName(2, "user"):      "1001",
		settings.LineName(2, "password"):  "Line2-Secret",
		settings.LineName(2, "registrar"): "pbx.example.test",
		// Line 3 is enabled without a registrar.
		settings.LineName(3, "enabled"):  "on",
		settings.LineName(3, "user"):     "1003",
		settings.LineName(3, "password"): "Line3-Secret",
	})
	// The trust store provisioning installs.
	ca, _ := testCA(t)
	if err := os.MkdirAll(filepath.Join(dir, provision.RootsDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, provision.RootsDir, "lab.pem"), ca, 0o600); err != nil {
		t.Fatal(err)
	}

	cfg, err := sipConfig(store, dir)
	if err == nil {
		t.Fatal("no error for lines 2 and 3")
	}
	for _, want := range []string{"sip line 2", "sip line 3: registrar"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "Secret") {
		t.Errorf("error shows a password: %v", err)
	}
	if len(cfg.Lines) != settings.Lines {
		t.Fatalf("%d lines, want %d", len(cfg.Lines), settings.Lines)
	}
	l1 := cfg.Lines[0]
	want := sipcore.Line{Index: 1, Enabled: true, User: "1001", Password: "Line1-Secret", Registrar: "pbx.example.test",
		RegistrarPort: 5060, Transport: sipcore.TLS, Expiry: 120 * time.Second, Security: sipcore.Nonsecure,
		BackupRegistrar: "10.0.0.2:5070"}
	if l1 != want {
		t.Errorf("line 1:\n got %+v\nwant %+v", l1, want)
	}
	for i, en := range []bool{true, false, false, false} {
		if cfg.Lines[i].Enabled != en {
			t.Errorf("line %d enabled %v, want %v", i+1, cfg.Lines[i].Enabled, en)
		}
	}
	if !cfg.ChecksyncChallenge || cfg.TLS.MinVersion != tls.VersionTLS13 {
		t.Errorf("challenge %v, TLS min %#x", cfg.ChecksyncChallenge, cfg.TLS.MinVersion)
	}
	if cfg.TLS.Roots == nil || !cfg.TLS.Roots.Equal(mustPool(t, ca)) {
		t.Error("trust store not loaded from certs/roots")
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("mapped config is refused by the engine: %v", err)
	}
}

// TestSIPPhoneFollowsSettings: a changed registrar port moves the line's
// REGISTER to the new port, and Suspend is published.
func TestSIPPhoneFollowsSettings(t *testing.T) {
	regA, regB := listenUDP(t), listenUDP(t)
	store := newTestStore(t, t.TempDir(), map[string]string{
		settings.LineName(1, "enabled"):        "on",
		settings.LineName(1, "user"):           "1001",
		settings.LineName(1, "password"):       "Follow-Secret",
		settings.LineName(1, "registrar"):      "127.0.0.1",
		settings.LineName(1, "registrar_port"): port(regA),
	})
	hub := status.NewHub(status.Phone{})
	var logs bytes.Buffer
	s := newSIPPhone(store, hub, "", nil, slog.New(slog.NewTextHandler(&logs, nil)))
	s.listen = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	if got := readREGISTER(t, regA); !strings.Contains(got, "sip:1001@") {
		t.Fatalf("registrar A got %q", got)
	}
	if err := store.Set(settings.LineName(1, "registrar_port"), port(regB)); err != nil {
		t.Fatal(err)
	}
	if got := readREGISTER(t, regB); !strings.Contains(got, "sip:1001@") {
		t.Fatalf("registrar B got %q", got)
	}

	s.Suspend("802.1X: port unauthorized")
	waitPhone(t, hub, "the suspension published", func(p status.Phone) bool {
		return len(p.Lines) > 0 && p.Lines[0].Reason == "802.1X: port unauthorized"
	})
	if strings.Contains(logs.String(), "Follow-Secret") {
		t.Errorf("log shows the password:\n%s", logs.String())
	}
}

func listenUDP(t *testing.T) net.PacketConn {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func port(c net.PacketConn) string { return strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port) }

// readREGISTER returns the first REGISTER's request line that reaches c.
func readREGISTER(t *testing.T, c net.PacketConn) string {
	t.Helper()
	buf := make([]byte, 65536)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no REGISTER: %v", err)
		}
		line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		if strings.HasPrefix(line, "REGISTER ") {
			return string(buf[:n])
		}
	}
}

func TestMinLevel(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(minLevel{slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}), slog.LevelWarn})
	log.Debug("per packet")
	log.Info("chatty")
	log.With("k", "v").WithGroup("g").Warn("kept")
	if out := b.String(); strings.Contains(out, "per packet") || strings.Contains(out, "chatty") || !strings.Contains(out, "kept") || !strings.Contains(out, "k=v") {
		t.Errorf("filtered log:\n%s", out)
	}
}

func TestCmdSIPUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-user", "1001"},
		{"-registrar", "pbx", "-user", "1001", "-password", "Usage-Secret", "-transport", "sctp"},
		{"-registrar", "pbx:99999", "-user", "1001", "-password", "Usage-Secret"},
		{"-registrar", "pbx", "-user", "10 01", "-password", "Usage-Secret"},
		{"-registrar", "pbx", "-user", "1001", "-bogus"},
	} {
		var out, errOut bytes.Buffer
		err := cmdSIP(context.Background(), args, &out, &errOut)
		if !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
			continue
		}
		if strings.Contains(err.Error()+out.String()+errOut.String(), "Usage-Secret") {
			t.Errorf("%q: the password is shown: %v", args, err)
		}
	}
}

func TestSIPPrinter(t *testing.T) {
	var out bytes.Buffer
	stopped := false
	p := &sipPrinter{w: &out, stop: func() { stopped = true }}
	for _, ev := range []sipcore.Event{
		{Kind: sipcore.EventRegistering, Registrar: "10.0.0.1:5060"},
		{Kind: sipcore.EventRegisterFailed, Registrar: "10.0.0.1:5060", Cause: sipcore.CauseTimeout, Reason: "no answer"},
		{Kind: sipcore.EventRegistered, Registrar: "10.0.0.2:5060", Expires: 300 * time.Second},
		{Kind: sipcore.EventCheckSync, Accepted: true, Reboot: true},
		{Kind: sipcore.EventCheckSync, Cause: sipcore.CauseBadNonce},
		{Kind: sipcore.EventRegisterFailed, Registrar: "10.0.0.2:5060", Cause: sipcore.CauseAuth, Reason: "403", RetryIn: 5 * time.Second},
		{Kind: sipcore.EventUnregistered, Registrar: "10.0.0.2:5060"},
	} {
		p.event(ev)
	}
	want := `REGISTER-FAILED reason=timeout registrar=10.0.0.1:5060 retry=0s detail="no answer"
REGISTERED expires=300 registrar=10.0.0.2:5060
CHECK-SYNC accepted reboot=true
CHECK-SYNC rejected reason=bad-nonce
REGISTER-FAILED reason=auth-failed registrar=10.0.0.2:5060 retry=5s detail="403"
UNREGISTERED registrar=10.0.0.2:5060
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if stopped || p.failed() {
		t.Error("a failure after the first registration ended the command")
	}

	// Before any registration, a failed round ends it.
	out.Reset()
	p = &sipPrinter{w: &out, stop: func() { stopped = true }}
	p.event(sipcore.Event{Kind: sipcore.EventRegisterFailed, Cause: sipcore.CauseUnreachable, RetryIn: 5 * time.Second})
	if !stopped || !p.failed() {
		t.Error("a failed first round did not end the command")
	}
}

// testCA makes a self-signed CA certificate, PEM.
func testCA(t *testing.T) ([]byte, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sip test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), cert
}

func mustPool(t *testing.T, pemData []byte) *x509.CertPool {
	t.Helper()
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pemData) {
		t.Fatal("no certificate")
	}
	return p
}
