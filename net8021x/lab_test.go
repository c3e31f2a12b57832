package net8021x_test

// Tests against the real peers of the lab (hostapd's wired authenticator in
// front of FreeRADIUS 3.2, in network namespaces). They need root and the
// lab's packages: without them they skip, except with CI=true where they
// fail (lab.Start decides).

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/lab"
	"deskphone/net8021x"
	"deskphone/status"
)

// labMethod is one 802.1X mode with the lab account it uses.
type labMethod struct {
	mode  net8021x.Mode
	login lab.Login // Password empty for EAP-TLS
}

func labMethods(l *lab.Lab) []labMethod {
	u := l.EAP
	return []labMethod{
		{net8021x.ModeMD5, u.MD5},
		{net8021x.ModeTLS, lab.Login{User: u.TLSPhone}},
		{net8021x.ModePEAPMSCHAPv2, u.PEAPMSCHAPv2},
		{net8021x.ModeTTLSMSCHAPv2, u.TTLSMSCHAPv2},
		{net8021x.ModePEAPGTC, u.PEAPGTC},
		{net8021x.ModeTTLSGTC, u.TTLSGTC},
	}
}

// labConfig is the supplicant configuration of a method in lab l.
func labConfig(t testing.TB, l *lab.Lab, m labMethod) net8021x.Config {
	t.Helper()
	pem, err := os.ReadFile(l.PKI.CA.Cert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", l.PKI.CA.Cert)
	}
	cfg := net8021x.Config{
		Mode: m.mode, Identity: m.login.User, Password: m.login.Password,
		CAs: pool, ServerName: lab.HostRADIUS,
		Logger: slog.New(slog.DiscardHandler),
	}
	if m.mode == net8021x.ModeTLS {
		cert, err := tls.LoadX509KeyPair(l.PKI.Phone.Cert, l.PKI.Phone.Key)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificate = &cert
	}
	return cfg
}

// cliArgs are the `firmware 8021x` arguments of a method in lab l.
func cliArgs(l *lab.Lab, m labMethod) []string {
	args := []string{"8021x", "-iface", l.PhoneLAN.Name, "-mode", strconv.Itoa(int(m.mode)),
		"-identity", m.login.User, "-timeout", "20s"}
	if m.mode == net8021x.ModeTLS {
		return append(args, "-ca", l.PKI.CA.Cert, "-server-name", lab.HostRADIUS, "-cert", l.PKI.Phone.Cert, "-key", l.PKI.Phone.Key)
	}
	args = append(args, "-password", m.login.Password)
	if m.mode != net8021x.ModeMD5 {
		args = append(args, "-ca", l.PKI.CA.Cert, "-server-name", lab.HostRADIUS)
	}
	return args
}

var (
	firmwareOnce sync.Once
	firmwareBin  string
	firmwareErr  error
)

// firmwareBinary builds the firmware once per test binary; TestMain
// removes it.
func firmwareBinary(t *testing.T) string {
	t.Helper()
	firmwareOnce.Do(func() {
		dir, err := os.MkdirTemp("", "net8021x-lab-firmware")
		if err != nil {
			firmwareErr = err
			return
		}
		firmwareBin = filepath.Join(dir, "firmware")
		cmd := exec.Command("go", "build", "-o", firmwareBin, "deskphone/firmware")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			firmwareErr = fmt.Errorf("go build deskphone/firmware: %v\n%s", err, out)
		}
	})
	if firmwareErr != nil {
		t.Fatal(firmwareErr)
	}
	return firmwareBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if firmwareBin != "" {
		os.RemoveAll(filepath.Dir(firmwareBin))
	}
	os.Exit(code)
}

// runCLI runs `firmware 8021x` in the phone's namespace and returns its
// first output line (EAP-SUCCESS ... or EAP-FAILURE ...).
func runCLI(t *testing.T, l *lab.Lab, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	cmd := l.Command(ctx, l.PhoneNS, append([]string{firmwareBinary(t)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // the CLI's log
	out, err := cmd.Output()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if !strings.HasPrefix(line, "EAP-SUCCESS ") && !strings.HasPrefix(line, "EAP-FAILURE ") {
		t.Fatalf("firmware %s: %v: %s\n%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	if strings.HasPrefix(line, "EAP-SUCCESS ") != (err == nil) {
		t.Errorf("firmware exit status %v does not match its output %q", err, line)
	}
	return line
}

// wantAuthorized checks hostapd's MIB and the switch's gate for the phone.
func wantAuthorized(t *testing.T, l *lab.Lab, want bool) {
	t.Helper()
	ok, err := l.Authorized(l.PhoneLAN.MAC)
	if err != nil {
		t.Fatal(err)
	}
	if ok != want {
		t.Errorf("hostapd says authorized=%v, want %v", ok, want)
	}
	// The gate follows hostapd's event through its action script.
	if err := poll(10*time.Second, func() (bool, error) {
		open, err := l.GateOpen(l.PhoneLAN.MAC)
		return open == want, err
	}); err != nil {
		t.Errorf("switch gate open != %v: %v", want, err)
	}
}

// poll calls cond until it is true, an error, or limit passed. The limit
// only bounds a hung peer; nothing asserts on how long it took.
func poll(limit time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("condition not reached")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLabCLIMethods: the firmware binary's `8021x` one-shot, run in the
// phone's namespace on its LAN port, authenticates with each of the six
// modes through hostapd and FreeRADIUS, and the switch opens the port.
func TestLabCLIMethods(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS})
	for _, m := range labMethods(l) {
		t.Run(strings.ReplaceAll(m.mode.String(), "/", "-"), func(t *testing.T) {
			// A fresh station each time: every method starts unauthorized.
			if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
				t.Fatal(err)
			}
			line := runCLI(t, l, cliArgs(l, m)...)
			want := "EAP-SUCCESS method=" + m.mode.String() + " "
			if !strings.HasPrefix(line, want) {
				t.Fatalf("got %q, want %q...", line, want)
			}
			wantAuthorized(t, l, true)
			mib, err := l.Station(l.PhoneLAN.MAC)
			if err != nil {
				t.Fatal(err)
			}
			if got := mib["dot1xAuthSessionUserName"]; got != m.login.User {
				t.Errorf("hostapd session user %q, want %q", got, m.login.User)
			}
		})
	}
}

// TestLabFailureReasons: a wrong password, a server certificate of an
// untrusted CA and an expired server certificate each fail with their own
// reason, and the port stays closed.
func TestLabFailureReasons(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cert   lab.CertChoice
		mode   net8021x.Mode
		wrong  bool
		reason net8021x.Reason
	}{
		{"wrong-password-peap", lab.CertGood, net8021x.ModePEAPMSCHAPv2, true, net8021x.ReasonCredentials},
		{"wrong-password-ttls-gtc", lab.CertGood, net8021x.ModeTTLSGTC, true, net8021x.ReasonCredentials},
		{"wrong-password-md5", lab.CertGood, net8021x.ModeMD5, true, net8021x.ReasonCredentials},
		{"rogue-ca", lab.CertRogue, net8021x.ModePEAPMSCHAPv2, false, net8021x.ReasonCertUntrusted},
		{"expired", lab.CertExpired, net8021x.ModeTTLSMSCHAPv2, false, net8021x.ReasonCertExpired},
	}
	labs := map[lab.CertChoice]*lab.Lab{}
	for _, c := range cases {
		if labs[c.cert] == nil {
			labs[c.cert] = lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS, EAPCert: c.cert})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := labs[c.cert]
			var m labMethod
			for _, x := range labMethods(l) {
				if x.mode == c.mode {
					m = x
				}
			}
			if c.wrong {
				m.login.Password = "wrong-" + m.login.Password
			}
			// After an EAP-Failure hostapd ignores EAPOL-Start for 60 s.
			if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
				t.Fatal(err)
			}
			line := runCLI(t, l, cliArgs(l, m)...)
			want := "EAP-FAILURE reason=" + string(c.reason) + " "
			if !strings.HasPrefix(line, want) {
				t.Fatalf("got %q, want %q...", line, want)
			}
			if c.wrong && strings.Contains(line, m.login.Password) {
				t.Errorf("output shows the password: %q", line)
			}
			wantAuthorized(t, l, false)
		})
	}
}

// reMPPE finds the keys FreeRADIUS sends hostapd in its Access-Accept
// (radiusd -X prints them).
var reMPPE = regexp.MustCompile(`MS-MPPE-(Recv|Send)-Key = 0x([0-9a-fA-F]+)`)

// serverMSK is the MSK the authenticator received with the last
// Access-Accept in FreeRADIUS's log: MS-MPPE-Recv-Key || MS-MPPE-Send-Key
// (RFC 5216 2.3 and RFC 2548: the Recv-Key is MSK[0:32], the Send-Key
// MSK[32:64]; hostapd joins them in that order as the PMK source).
func serverMSK(t *testing.T, l *lab.Lab) []byte {
	t.Helper()
	keys := map[string][]byte{}
	for _, m := range reMPPE.FindAllStringSubmatch(freeradiusLog(t, l), -1) {
		k, err := hex.DecodeString(m[2])
		if err != nil {
			t.Fatalf("MPPE key in the log: %v", err)
		}
		keys[m[1]] = k // the last Access-Accept wins
	}
	if keys["Recv"] == nil || keys["Send"] == nil {
		return nil
	}
	return append(keys["Recv"], keys["Send"]...)
}

// mppeCount counts the MPPE key attributes FreeRADIUS logged so far.
func mppeCount(t *testing.T, l *lab.Lab) int {
	t.Helper()
	return len(reMPPE.FindAllStringIndex(freeradiusLog(t, l), -1))
}

// listenPhone opens the raw EAPOL socket on the phone's LAN port inside its
// namespace.
func listenPhone(t *testing.T, l *lab.Lab) *net8021x.RawFrames {
	t.Helper()
	var frames *net8021x.RawFrames
	err := lab.InNetns(l.PhoneNS, func() error {
		var err error
		frames, err = net8021x.ListenEAPOL(l.PhoneLAN.Name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { frames.Close() })
	return frames
}

// TestLabKeysMatchServer: for each mode the MSK our supplicant derives is
// the one FreeRADIUS hands the authenticator (the keys a MACsec or
// key-deriving deployment would rely on); MD5 derives none and FreeRADIUS
// sends none.
func TestLabKeysMatchServer(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS})
	frames := listenPhone(t, l)
	for _, m := range labMethods(l) {
		t.Run(strings.ReplaceAll(m.mode.String(), "/", "-"), func(t *testing.T) {
			if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
				t.Fatal(err)
			}
			before := mppeCount(t, l)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := net8021x.Authenticate(ctx, frames, lab.MACPhoneLAN, labConfig(t, l, m))
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}
			wantAuthorized(t, l, true)
			if m.mode == net8021x.ModeMD5 {
				if res.MSK != nil || mppeCount(t, l) != before {
					t.Errorf("EAP-MD5: MSK %d bytes, server sent %d new key attributes; want none", len(res.MSK), mppeCount(t, l)-before)
				}
				return
			}
			// FreeRADIUS logs the Access-Accept just before hostapd relays
			// the EAP-Success: it is there by now, but give the log a moment.
			if err := poll(5*time.Second, func() (bool, error) { return mppeCount(t, l) >= before+2, nil }); err != nil {
				t.Fatalf("no MPPE keys in FreeRADIUS's log for this run")
			}
			server := serverMSK(t, l)
			if len(res.MSK) != 64 || len(server) != 64 {
				t.Fatalf("MSK %d bytes, server's %d; want 64 each", len(res.MSK), len(server))
			}
			if !bytes.Equal(res.MSK, server) {
				// Fingerprints only: the keys themselves stay out of logs.
				t.Errorf("MSK differs from the server's (first bytes %x... vs %x...)", res.MSK[:4], server[:4])
			}
		})
	}
}

// labPort is the phone's LAN port for an in-process Supplicant: the lab's
// lan0 with its link state switched by the test.
func labPort(l *lab.Lab) *sim.Port {
	p := sim.NewPort(hal.LAN, l.PhoneLAN.Name, lab.MACPhoneLAN)
	p.SetLink(true)
	return p
}

// stateLog collects the states a Supplicant publishes.
type stateLog struct {
	mu     sync.Mutex
	states []status.Dot1X
	wake   chan struct{}
}

func newStateLog() *stateLog { return &stateLog{wake: make(chan struct{}, 1)} }

func (s *stateLog) add(d status.Dot1X) {
	s.mu.Lock()
	s.states = append(s.states, d)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *stateLog) snapshot() []status.Dot1X {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]status.Dot1X(nil), s.states...)
}

// waitState waits for the n-th published state (0-based) to be want.
func (s *stateLog) wait(t *testing.T, n int, want string) status.Dot1X {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		for i, d := range s.snapshot() {
			if i >= n && d.State == want {
				return d
			}
		}
		select {
		case <-s.wake:
		case <-deadline:
			t.Fatalf("state %q not published; states: %+v", want, s.snapshot())
		}
	}
}

// startSupplicant runs sup until the returned stop is called (or the test
// ends); stop returns Run's error and may be called more than once.
func startSupplicant(t *testing.T, sup *net8021x.Supplicant) (stop func() error, done <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- sup.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-ch })
		return err
	}
	t.Cleanup(func() { stop() })
	return stop, ch
}

// TestLabReauthentication: the long-running Supplicant keeps the port
// authorized through a re-authentication hostapd forces, without
// publishing any other state meanwhile; on shutdown it logs off and the
// switch closes the port.
func TestLabReauthentication(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS})
	for _, m := range labMethods(l) {
		if m.mode != net8021x.ModePEAPMSCHAPv2 && m.mode != net8021x.ModeTLS {
			continue
		}
		t.Run(strings.ReplaceAll(m.mode.String(), "/", "-"), func(t *testing.T) {
			if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
				t.Fatal(err)
			}
			frames := listenPhone(t, l)
			states := newStateLog()
			sup := net8021x.New(labPort(l), frames, labConfig(t, l, m), states.add)
			stop, _ := startSupplicant(t, sup)
			states.wait(t, 0, status.Dot1XAuthenticated)
			wantAuthorized(t, l, true)
			published := len(states.snapshot())

			if _, err := l.HostapdCLI("raw", "EAPOL_REAUTH", l.PhoneLAN.MAC); err != nil {
				t.Fatal(err)
			}
			if err := poll(20*time.Second, func() (bool, error) {
				mib, err := l.Station(l.PhoneLAN.MAC)
				return mib["dot1xAuthAuthReauthsWhileAuthenticated"] == "1" && mib["dot1xAuthBackendAuthSuccesses"] == "2", err
			}); err != nil {
				mib, _ := l.Station(l.PhoneLAN.MAC)
				t.Fatalf("re-authentication did not succeed at hostapd: %v; MIB %v", err, mib)
			}
			wantAuthorized(t, l, true)
			if got := states.snapshot()[published:]; len(got) != 0 {
				t.Errorf("states published during a successful re-authentication: %+v", got)
			}

			if err := stop(); err != nil {
				t.Errorf("Run: %v", err)
			}
			if err := poll(10*time.Second, func() (bool, error) {
				ok, err := l.Authorized(l.PhoneLAN.MAC)
				return !ok, err
			}); err != nil {
				t.Errorf("port still authorized after the supplicant stopped (no EAPOL-Logoff?): %v", err)
			}
		})
	}
}

// TestLabLinkFlap: the phone's cable is pulled and plugged back; the raw
// socket survives the interface going down (Linux reports ENETDOWN to a
// bound packet socket) and the supplicant authenticates again.
func TestLabLinkFlap(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS})
	m := labMethods(l)[2] // PEAP/MSCHAPv2
	frames := listenPhone(t, l)
	states := newStateLog()
	port := labPort(l)
	sup := net8021x.New(port, frames, labConfig(t, l, m), states.add)
	stop, done := startSupplicant(t, sup)
	states.wait(t, 0, status.Dot1XAuthenticated)

	if err := l.SetLink(l.PhoneLAN, false); err != nil {
		t.Fatal(err)
	}
	port.SetLink(false)
	n := len(states.snapshot())
	states.wait(t, n-1, status.Dot1XConnecting)
	// hostapd keeps a wired station across a carrier loss: make it new.
	if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
		t.Fatal(err)
	}
	if err := l.SetLink(l.PhoneLAN, true); err != nil {
		t.Fatal(err)
	}
	port.SetLink(true)
	n = len(states.snapshot())
	states.wait(t, n, status.Dot1XAuthenticated)
	wantAuthorized(t, l, true)
	select {
	case err := <-done:
		t.Fatalf("Run returned during the link flap: %v", err)
	default:
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestLabTLS13KeysMatchServer: EAP-TLS over TLS 1.3 (RFC 9190) with
// FreeRADIUS allowing it: the exporter-derived MSK is the server's.
func TestLabTLS13KeysMatchServer(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS, EAPTLS13: true})
	frames := listenPhone(t, l)
	cfg := labConfig(t, l, labMethods(l)[1])
	cfg.TLSMaxVersion = tls.VersionTLS13
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := net8021x.Authenticate(ctx, frames, lab.MACPhoneLAN, cfg)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	wantAuthorized(t, l, true)
	if err := poll(5*time.Second, func() (bool, error) { return mppeCount(t, l) >= 2, nil }); err != nil {
		t.Fatalf("no MPPE keys in FreeRADIUS's log")
	}
	server := serverMSK(t, l)
	if len(res.MSK) != 64 || !bytes.Equal(res.MSK, server) {
		t.Errorf("MSK (%d bytes) differs from the server's (%d bytes)", len(res.MSK), len(server))
	}
	// The server's own account of the version it chose.
	if !strings.Contains(freeradiusLog(t, l), "send TLS 1.3 Handshake, ServerHello") {
		t.Errorf("FreeRADIUS did not negotiate TLS 1.3")
	}
}

// freeradiusLog is FreeRADIUS's log so far.
func freeradiusLog(t *testing.T, l *lab.Lab) string {
	t.Helper()
	for _, lf := range l.Logs() {
		if lf.Name == "freeradius" {
			b, err := os.ReadFile(lf.Path)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("no FreeRADIUS log")
	return ""
}
