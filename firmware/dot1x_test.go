package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/lab"
	"deskphone/net8021x"
	"deskphone/provision"
	"deskphone/provision/settings"
	"deskphone/status"
)

var testLANMAC = net.HardwareAddr{0x02, 0, 0, 0, 0x01, 0x01}

// quickTimers keep the held period short; no assertion depends on them.
var quickTimers = net8021x.Timers{StartPeriod: time.Second, MaxStart: 3, HeldPeriod: time.Second, AuthPeriod: 3 * time.Second}

func newTestStore(t *testing.T, dir string, vals map[string]string) *settings.Store {
	t.Helper()
	store, err := settings.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) > 0 {
		if err := store.Apply(vals); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

// runComponent starts d.run and stops it at the end of the test.
func runComponent(t *testing.T, d *dot1x) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
}

// waitPhone waits until cond holds for the hub's snapshot.
func waitPhone(t *testing.T, hub *status.Hub, what string, cond func(status.Phone) bool) status.Phone {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p, seq := hub.Snapshot()
	for !cond(p) {
		var err error
		if p, seq, err = hub.Wait(ctx, seq); err != nil {
			t.Fatalf("waiting for %s: last status dot1x=%+v inoperable=%q lines=%+v", what, p.Dot1X, p.Inoperable, p.Lines)
		}
	}
	return p
}

func TestDot1XNoInterface(t *testing.T) {
	store := newTestStore(t, t.TempDir(), map[string]string{"dot1x.mode": "1", "dot1x.identity": "u"})
	hub := status.NewHub(status.Phone{Dot1X: status.Dot1X{State: "unknown"}})
	port := sim.NewPort(hal.LAN, "", testLANMAC)
	port.SetLink(true)
	d := &dot1x{store: store, hub: hub, port: port, log: slog.New(slog.DiscardHandler),
		listen: func(string) (eapolSocket, error) {
			t.Error("a port without an interface opened a socket")
			return nil, io.EOF
		}}
	runComponent(t, d)
	waitPhone(t, hub, "disabled", func(p status.Phone) bool { return p.Dot1X.State == status.Dot1XDisabled })
}

// writeTestCerts writes a CA file and a device certificate+key file where
// provisioning puts them.
func writeTestCerts(t *testing.T, dataDir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "phone1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	if err := os.MkdirAll(filepath.Join(dataDir, provision.CertDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, provision.Dot1XCAFile), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, provision.Dot1XDeviceFile), append(certPEM, keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDot1XConfig: the settings and the provisioned certificate files map
// onto the supplicant's configuration; an unusable CA file is named.
func TestDot1XConfig(t *testing.T) {
	dir := t.TempDir()
	store := newTestStore(t, dir, map[string]string{
		"dot1x.mode": "2", "dot1x.identity": "phone1", "dot1x.password": "pw-secret",
		"dot1x.reauth_period": "3600", "dot1x.fragment_size": "1000",
	})
	writeTestCerts(t, dir)
	d := &dot1x{store: store, dataDir: dir, log: slog.New(slog.DiscardHandler), timers: quickTimers}
	cfg := d.config()
	if cfg.Mode != net8021x.ModeTLS || cfg.Identity != "phone1" || cfg.Password != "pw-secret" ||
		cfg.ReauthPeriod != time.Hour || cfg.FragmentSize != 1000 || cfg.Timers != quickTimers {
		t.Errorf("config %+v", cfg)
	}
	if cfg.CAs == nil || cfg.Certificate == nil {
		t.Fatalf("certificates not loaded: CAs %v, device %v", cfg.CAs != nil, cfg.Certificate != nil)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}

	// A CA file that is no certificate: the mode is refused and the status
	// names the file.
	if err := os.WriteFile(filepath.Join(dir, provision.Dot1XCAFile), []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg = d.config()
	if cfg.CAs != nil || cfg.Validate() == nil {
		t.Fatalf("a bad CA file gave a usable configuration")
	}
	d.hub = status.NewHub(status.Phone{})
	d.publish(status.Dot1X{State: status.Dot1XFailed, Reason: cfg.Validate().Error()})
	p, _ := d.hub.Snapshot()
	if !strings.Contains(p.Dot1X.Reason, provision.Dot1XCAFile) || !strings.HasPrefix(p.Inoperable, inoperablePrefix) {
		t.Errorf("status dot1x %+v inoperable %q: want the CA file named", p.Dot1X, p.Inoperable)
	}
	if strings.Contains(p.Dot1X.Reason+p.Inoperable, "pw-secret") {
		t.Errorf("the password shows in the status")
	}
}

// TestDot1XInoperableOwnership: the component clears only its own
// Inoperable reason.
func TestDot1XInoperableOwnership(t *testing.T) {
	hub := status.NewHub(status.Phone{Inoperable: "no network configuration"})
	d := &dot1x{hub: hub}
	d.publish(status.Dot1X{State: status.Dot1XFailed, Reason: "x"})
	d.publish(status.Dot1X{State: status.Dot1XAuthenticated})
	if p, _ := hub.Snapshot(); p.Inoperable != "no network configuration" {
		t.Errorf("inoperable %q: another part's reason was replaced", p.Inoperable)
	}
}

// md5Authenticator is a scripted wired authenticator with an EAP-MD5
// server, on the far end of a frame pipe.
type md5Authenticator struct {
	end      *net8021x.PipeEnd
	user     string
	password string
	id       uint8
	chal     [16]byte
}

var authMAC = net.HardwareAddr{0x02, 0, 0, 0, 0x0a, 0x01}

func (a *md5Authenticator) sendEAP(code, typ uint8, data []byte) {
	a.id++
	eap := []byte{code, a.id, 0, 0}
	if code == 1 {
		eap = append(eap, typ)
		eap = append(eap, data...)
	}
	binary.BigEndian.PutUint16(eap[2:], uint16(len(eap)))
	f := append(append(append([]byte{}, testLANMAC...), authMAC...), 0x88, 0x8e, 2, 0, 0, 0)
	binary.BigEndian.PutUint16(f[16:], uint16(len(eap)))
	_ = a.end.WriteFrame(append(f, eap...))
}

// run answers EAPOL-Start with Identity, Identity with an MD5 challenge,
// and the MD5 response with Success or Failure.
func (a *md5Authenticator) run(ctx context.Context) {
	buf := make([]byte, 1600)
	for {
		n, err := a.end.ReadFrame(ctx, buf)
		if err != nil {
			return
		}
		f := buf[:n]
		if len(f) < 18 || f[12] != 0x88 || f[13] != 0x8e {
			continue
		}
		switch typ, body := f[15], f[18:]; {
		case typ == 1: // EAPOL-Start
			a.sendEAP(1, 1, nil)
		case typ == 0 && len(body) >= 5 && body[0] == 2 && body[4] == 1: // Identity
			_, _ = rand.Read(a.chal[:])
			a.sendEAP(1, 4, append([]byte{16}, a.chal[:]...))
		case typ == 0 && len(body) >= 22 && body[0] == 2 && body[4] == 4: // MD5
			h := md5.Sum(append(append([]byte{body[1]}, a.password...), a.chal[:]...))
			if bytes.Equal(body[6:22], h[:]) {
				a.sendEAP(3, 0, nil)
			} else {
				a.sendEAP(4, 0, nil)
			}
		}
	}
}

// TestDot1XFollowsSettings: with a scripted authenticator, the component
// authenticates from the settings, turns the phone inoperable when a
// changed password fails, and recovers when the password is put back.
func TestDot1XFollowsSettings(t *testing.T) {
	store := newTestStore(t, t.TempDir(), map[string]string{
		"dot1x.mode": "1", "dot1x.identity": "md5user", "dot1x.password": "md5pass"})
	hub := status.NewHub(status.Phone{})
	phoneEnd, authEnd := net8021x.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go (&md5Authenticator{end: authEnd, user: "md5user", password: "md5pass"}).run(ctx)
	port := sim.NewPort(hal.LAN, "lan0", testLANMAC)
	port.SetLink(true)
	d := &dot1x{store: store, hub: hub, port: port, log: slog.New(slog.DiscardHandler), timers: quickTimers,
		listen: func(ifname string) (eapolSocket, error) { return phoneEnd, nil }}
	runComponent(t, d)

	authenticated := func(p status.Phone) bool {
		return p.Dot1X.State == status.Dot1XAuthenticated && p.Inoperable == ""
	}
	waitPhone(t, hub, "authenticated", authenticated)
	if err := store.Set("dot1x.password", "wrong-pass"); err != nil {
		t.Fatal(err)
	}
	p := waitPhone(t, hub, "inoperable", func(p status.Phone) bool { return p.Inoperable != "" })
	if !strings.HasPrefix(p.Inoperable, inoperablePrefix) || !strings.Contains(p.Dot1X.Reason, "MD5") ||
		strings.Contains(p.Inoperable, "wrong-pass") {
		t.Errorf("status dot1x %+v inoperable %q", p.Dot1X, p.Inoperable)
	}
	if err := store.Set("dot1x.password", "md5pass"); err != nil {
		t.Fatal(err)
	}
	waitPhone(t, hub, "authenticated again", authenticated)
}

// TestDot1XLabRADIUSOutage: the component on the lab's phone port
// authenticates with PEAP/MSCHAPv2 through hostapd and FreeRADIUS; with
// FreeRADIUS stopped, a re-authentication hostapd forces fails and the
// phone turns inoperable; once FreeRADIUS is back, the phone authenticates
// again and is operable.
func TestDot1XLabRADIUSOutage(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS})
	dir := t.TempDir()
	ca, err := os.ReadFile(l.PKI.CA.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, provision.CertDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, provision.Dot1XCAFile), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	store := newTestStore(t, dir, map[string]string{
		"dot1x.mode": "3", "dot1x.identity": l.EAP.PEAPMSCHAPv2.User, "dot1x.password": l.EAP.PEAPMSCHAPv2.Password})
	hub := status.NewHub(status.Phone{})
	port := sim.NewPort(hal.LAN, l.PhoneLAN.Name, lab.MACPhoneLAN)
	port.SetLink(true)
	d := &dot1x{store: store, hub: hub, port: port, dataDir: dir, log: slog.New(slog.DiscardHandler), timers: quickTimers,
		listen: func(ifname string) (eapolSocket, error) {
			var s *net8021x.RawFrames
			err := lab.InNetns(l.PhoneNS, func() error {
				var err error
				s, err = net8021x.ListenEAPOL(ifname)
				return err
			})
			return s, err
		}}
	runComponent(t, d)
	authenticated := func(p status.Phone) bool {
		return p.Dot1X.State == status.Dot1XAuthenticated && p.Inoperable == ""
	}
	waitPhone(t, hub, "authenticated", authenticated)
	if ok, err := l.Authorized(l.PhoneLAN.MAC); err != nil || !ok {
		t.Fatalf("hostapd: authorized %v, %v", ok, err)
	}

	if err := l.StopService(lab.SvcRADIUS); err != nil {
		t.Fatal(err)
	}
	if _, err := l.HostapdCLI("raw", "EAPOL_REAUTH", l.PhoneLAN.MAC); err != nil {
		t.Fatal(err)
	}
	p := waitPhone(t, hub, "inoperable", func(p status.Phone) bool { return p.Inoperable != "" })
	if p.Dot1X.State != status.Dot1XFailed && p.Dot1X.State != status.Dot1XHeld {
		t.Errorf("dot1x state %q with the phone inoperable", p.Dot1X.State)
	}
	// hostapd relays our responses to a server that is gone: no next
	// request comes, and the supplicant says so.
	if !strings.Contains(p.Inoperable, "authentication server not answering") {
		t.Errorf("inoperable reason %q, want the server's silence", p.Inoperable)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.StartService(ctx, lab.SvcRADIUS); err != nil {
		t.Fatal(err)
	}
	waitPhone(t, hub, "authenticated after FreeRADIUS returned", authenticated)
	if ok, err := l.Authorized(l.PhoneLAN.MAC); err != nil || !ok {
		t.Errorf("hostapd: authorized %v, %v after recovery", ok, err)
	}
	// The switch forwards the phone's traffic again (its gate follows
	// hostapd's events through a script: give it a moment).
	deadline := time.Now().Add(10 * time.Second)
	for {
		open, err := l.GateOpen(l.PhoneLAN.MAC)
		if err != nil {
			t.Fatal(err)
		}
		if open {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the switch's gate stayed closed after recovery")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
