package net8021x

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

var phoneMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}

// fastTimers keep failure paths quick; no assertion depends on them.
var fastTimers = Timers{StartPeriod: 20 * time.Millisecond, HeldPeriod: 20 * time.Millisecond, AuthPeriod: 200 * time.Millisecond}

func baseConfig(t testing.TB, mode Mode) Config {
	p := getPKI(t)
	cfg := Config{Mode: mode, Identity: "alice", Password: "s3cret-pw", CAs: p.pool, ServerName: "radius.lab.test", Timers: fastTimers,
		Logger: slog.New(slog.DiscardHandler)}
	if mode == ModeTLS {
		cfg.Certificate = &p.client
	}
	return cfg
}

func serverTLS(t testing.TB, cert tls.Certificate, maxVer uint16, clientAuth bool) *tls.Config {
	c := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, MaxVersion: maxVer}
	if clientAuth {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = getPKI(t).clientPool
	}
	return c
}

// scriptResult is what the scripted authenticator saw.
type scriptResult struct {
	msk []byte
	ok  bool
	err error
}

// authenticate runs Authenticate against script on a fresh pipe.
func authenticate(t *testing.T, cfg Config, script func(a *testAuth) scriptResult) (Result, error, scriptResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	supp, auth := Pipe()
	defer supp.Close()
	sc := make(chan scriptResult, 1)
	go func() { sc <- script(newTestAuth(ctx, auth)) }()
	res, err := Authenticate(ctx, supp, phoneMAC, cfg)
	supp.Close()
	return res, err, <-sc
}

// methodScript is the authenticator for cfg's mode with the given TLS
// server options; it sends Success when the client authenticated.
func methodScript(t *testing.T, cfg Config, o tlsServerOpts) func(a *testAuth) scriptResult {
	return func(a *testAuth) scriptResult {
		if err := a.waitStart(); err != nil {
			return scriptResult{err: err}
		}
		id, err := a.identity()
		if err != nil {
			return scriptResult{err: err}
		}
		if id != cfg.outerIdentity() {
			return scriptResult{err: errors.New("outer identity " + id)}
		}
		var r scriptResult
		o.user, o.pass = cfg.Identity, "s3cret-pw"
		switch cfg.Mode {
		case ModeMD5:
			r.ok, r.err = a.serverMD5(o.pass)
		case ModeTLS:
			r.msk, r.ok, r.err = a.serverTLSMethod(typeTLS, o)
		case ModePEAPMSCHAPv2, ModePEAPGTC:
			o.inner = map[Mode]uint8{ModePEAPMSCHAPv2: typeMSCHAPv2, ModePEAPGTC: typeGTC}[cfg.Mode]
			r.msk, r.ok, r.err = a.serverTLSMethod(typePEAP, o)
		case ModeTTLSMSCHAPv2, ModeTTLSGTC:
			o.inner = map[Mode]uint8{ModeTTLSMSCHAPv2: typeMSCHAPv2, ModeTTLSGTC: typeGTC}[cfg.Mode]
			r.msk, r.ok, r.err = a.serverTLSMethod(typeTTLS, o)
		}
		if r.ok && r.err == nil {
			a.success()
		} else {
			a.failure()
		}
		return r
	}
}

func TestMethodsEndToEnd(t *testing.T) {
	p := getPKI(t)
	tests := []struct {
		name       string
		mode       Mode
		clientFrag int
		serverFrag int
		maxVer     uint16
		commitment bool
		fullIDHdr  bool
		binding    bool
		outer      string
	}{
		{name: "MD5", mode: ModeMD5},
		{name: "TLS1.2", mode: ModeTLS, maxVer: tls.VersionTLS12},
		{name: "TLS1.2 fragmented", mode: ModeTLS, maxVer: tls.VersionTLS12, clientFrag: 100, serverFrag: 150},
		{name: "TLS1.3 commitment", mode: ModeTLS, maxVer: tls.VersionTLS13, commitment: true},
		{name: "TLS1.3 close_notify fragmented", mode: ModeTLS, maxVer: tls.VersionTLS13, clientFrag: 64, serverFrag: 90},
		{name: "PEAP/MSCHAPv2", mode: ModePEAPMSCHAPv2, maxVer: tls.VersionTLS13, outer: "anonymous"},
		{name: "PEAP/MSCHAPv2 fragmented, Identity with header", mode: ModePEAPMSCHAPv2, clientFrag: 80, serverFrag: 120, fullIDHdr: true},
		{name: "TTLS/EAP-MSCHAPv2", mode: ModeTTLSMSCHAPv2, outer: "anonymous"},
		{name: "TTLS/EAP-MSCHAPv2 fragmented", mode: ModeTTLSMSCHAPv2, clientFrag: 50, serverFrag: 200},
		{name: "PEAP/GTC", mode: ModePEAPGTC},
		{name: "PEAP/MSCHAPv2 crypto binding", mode: ModePEAPMSCHAPv2, binding: true},
		{name: "PEAP/GTC crypto binding", mode: ModePEAPGTC, binding: true},
		{name: "TTLS/EAP-GTC", mode: ModeTTLSGTC},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig(t, tc.mode)
			cfg.FragmentSize = tc.clientFrag
			cfg.OuterIdentity = tc.outer
			maxVer := tc.maxVer
			if maxVer == 0 {
				maxVer = tls.VersionTLS12
			}
			o := tlsServerOpts{cfg: serverTLS(t, p.server, maxVer, tc.mode == ModeTLS), fragSize: tc.serverFrag, commitment: tc.commitment, fullIDHdr: tc.fullIDHdr, binding: tc.binding}
			res, err, sr := authenticate(t, cfg, methodScript(t, cfg, o))
			if sr.err != nil || !sr.ok {
				t.Fatalf("authenticator: ok=%v err=%v (client err %v)", sr.ok, sr.err, err)
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if res.Method != tc.mode.String() {
				t.Errorf("method %q, want %q", res.Method, tc.mode.String())
			}
			if tc.mode == ModeMD5 {
				if res.MSK != nil {
					t.Errorf("MD5 derived an MSK")
				}
				return
			}
			if len(res.MSK) != 64 || !bytes.Equal(res.MSK, sr.msk) {
				t.Errorf("MSK client %x\nserver %x", res.MSK, sr.msk)
			}
			if len(res.EMSK) != 64 {
				t.Errorf("EMSK of %d bytes", len(res.EMSK))
			}
		})
	}
}

func TestAuthenticationFailures(t *testing.T) {
	p := getPKI(t)
	clock := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		mode      Mode
		cert      tls.Certificate
		pass      string
		server    string
		clientCAs *x509.CertPool
		maxVer    uint16
		badBind   bool
		reason    Reason
		message   []string
	}{
		{name: "MD5 wrong password", mode: ModeMD5, pass: "wrong", reason: ReasonCredentials},
		{name: "PEAP/MSCHAPv2 wrong password", mode: ModePEAPMSCHAPv2, pass: "wrong", reason: ReasonCredentials, message: []string{"E=691"}},
		{name: "TTLS/EAP-MSCHAPv2 wrong password", mode: ModeTTLSMSCHAPv2, pass: "wrong", reason: ReasonCredentials, message: []string{"E=691"}},
		{name: "PEAP/GTC wrong password", mode: ModePEAPGTC, pass: "wrong", reason: ReasonCredentials},
		{name: "TTLS/EAP-GTC wrong password", mode: ModeTTLSGTC, pass: "wrong", reason: ReasonCredentials},
		{name: "untrusted CA", mode: ModePEAPMSCHAPv2, cert: p.untrusted, reason: ReasonCertUntrusted, message: []string{"Other CA"}},
		{name: "expired server certificate", mode: ModeTLS, cert: p.expired, reason: ReasonCertExpired,
			message: []string{"valid from 2020-01-02T00:00:00Z to 2021-01-01T00:00:00Z", "phone clock 2026-11-23T08:00:00Z"}},
		{name: "server name mismatch", mode: ModeTTLSGTC, server: "other.lab.test", reason: ReasonCertName},
		{name: "PEAP crypto binding with a wrong Compound MAC", mode: ModePEAPMSCHAPv2, badBind: true, reason: ReasonServerAuthFailure, message: []string{"Compound MAC"}},
		{name: "client certificate rejected TLS1.2", mode: ModeTLS, clientCAs: p.otherPool, reason: ReasonCredentials, message: []string{"client certificate"}},
		{name: "client certificate rejected TLS1.3", mode: ModeTLS, clientCAs: p.otherPool, maxVer: tls.VersionTLS13, reason: ReasonCredentials},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig(t, tc.mode)
			cfg.Clock = func() time.Time { return clock }
			if tc.pass != "" {
				cfg.Password = tc.pass
			}
			if tc.server != "" {
				cfg.ServerName = tc.server
			}
			cert := p.server
			if tc.cert.Certificate != nil {
				cert = tc.cert
			}
			maxVer := tc.maxVer
			if maxVer == 0 {
				maxVer = tls.VersionTLS12
			}
			o := tlsServerOpts{cfg: serverTLS(t, cert, maxVer, tc.mode == ModeTLS), commitment: true, binding: tc.badBind, badBinding: tc.badBind}
			if tc.clientCAs != nil {
				o.cfg.ClientCAs = tc.clientCAs
			}
			script := methodScript(t, cfg, o)
			_, err, sr := authenticate(t, cfg, func(a *testAuth) scriptResult {
				// The server knows the right password; the client may not.
				return script(a)
			})
			if sr.ok && sr.err == nil {
				t.Fatalf("authenticator accepted the client")
			}
			if err == nil {
				t.Fatal("Authenticate succeeded")
			}
			if got := ReasonOf(err); got != tc.reason {
				t.Errorf("reason %q (%v), want %q", got, err, tc.reason)
			}
			for _, m := range tc.message {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("message %q lacks %q", err, m)
				}
			}
			if strings.Contains(err.Error(), cfg.Password) {
				t.Errorf("message %q shows the password", err)
			}
		})
	}
}

func TestServerStopsAnswering(t *testing.T) {
	cfg := baseConfig(t, ModePEAPMSCHAPv2)
	_, err, _ := authenticate(t, cfg, func(a *testAuth) scriptResult {
		if err := a.waitStart(); err != nil {
			return scriptResult{err: err}
		}
		a.identity()
		a.request(typePEAP, []byte{tlsFlagStart}) // then silence
		for {
			if _, err := a.next(); err != nil {
				return scriptResult{}
			}
		}
	})
	if ReasonOf(err) != ReasonTimeout {
		t.Fatalf("err %v (reason %q), want timeout", err, ReasonOf(err))
	}
}

// silentAuthenticator never answers; it counts the EAPOL-Starts it gets.
func silentAuthenticator(starts *int) func(a *testAuth) scriptResult {
	return func(a *testAuth) scriptResult {
		for {
			p, err := a.next()
			if err != nil {
				return scriptResult{}
			}
			if p.Type == eapolStart {
				*starts++
			}
		}
	}
}

func TestNoAuthenticatorAfterMaxStart(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	cfg.Timers.MaxStart = 3
	var starts int
	_, err, _ := authenticate(t, cfg, silentAuthenticator(&starts))
	if ReasonOf(err) != ReasonNoAuthenticator {
		t.Fatalf("err %v, want no-authenticator", err)
	}
	if starts != 3 {
		t.Errorf("%d EAPOL-Start sent, want maxStart 3", starts)
	}
}

// md5AfterIgnoredStarts ignores the first n EAPOL-Starts, then runs MD5.
func md5AfterIgnoredStarts(n int) func(a *testAuth) scriptResult {
	return func(a *testAuth) scriptResult {
		for range n + 1 {
			if err := a.waitStart(); err != nil {
				return scriptResult{err: err}
			}
		}
		a.identity()
		ok, err := a.serverMD5("s3cret-pw")
		a.success()
		return scriptResult{ok: ok, err: err}
	}
}

// A server that never sends EAPOL-Start answers: the first one is sent at
// once and lost, the retransmission gets the exchange going.
func TestStartRetransmitted(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	res, err, sr := authenticate(t, cfg, md5AfterIgnoredStarts(1))
	if err != nil || !sr.ok {
		t.Fatalf("err %v, server %+v", err, sr)
	}
	if res.Elapsed <= 0 {
		t.Errorf("elapsed %v", res.Elapsed)
	}
}

// An authenticator that still holds the phone's last session ignores the
// first EAPOL-Starts (hostapd does for about 5 s after a Logoff). The first
// Start is repeated within startPeriod, so the phone authenticates long
// before the second standard Start, which here would come after an hour.
func TestFirstStartRepeatedWithinStartPeriod(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	cfg.Timers.StartPeriod, cfg.Timers.MaxStart, cfg.Timers.StartRepeat = time.Hour, 1, 5*time.Millisecond
	res, err, sr := authenticate(t, cfg, md5AfterIgnoredStarts(3))
	if err != nil || !sr.ok {
		t.Fatalf("err %v, server %+v", err, sr)
	}
	if res.Method != "MD5" {
		t.Errorf("method %q", res.Method)
	}
}

// The repeats are extra: with nobody answering, the phone still gives up
// after maxStart standard Starts, having sent more frames than that.
func TestStartRepeatsDoNotCountTowardMaxStart(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	cfg.Timers.StartPeriod, cfg.Timers.MaxStart, cfg.Timers.StartRepeat = 200*time.Millisecond, 2, 10*time.Millisecond
	var starts int
	_, err, _ := authenticate(t, cfg, silentAuthenticator(&starts))
	if ReasonOf(err) != ReasonNoAuthenticator {
		t.Fatalf("err %v, want no-authenticator", err)
	}
	if !strings.Contains(err.Error(), "answered 2 EAPOL-Start") {
		t.Errorf("err %q does not count the 2 standard Starts", err)
	}
	if starts <= 2 {
		t.Errorf("%d EAPOL-Start sent: the first was not repeated", starts)
	}
}
