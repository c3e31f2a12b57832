package sipcore

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"deskphone/status"
)

// TestTLSRefused: a registrar whose certificate fails a check is not used,
// the line says why, and the line never tries UDP or TCP instead.
func TestTLSRefused(t *testing.T) {
	pki := newTestPKI(t)
	cases := []struct {
		name   string
		cert   tls.Certificate
		server func(*tls.Config)
		client func(*TLSConfig)
		cause  Cause
		reason string
	}{
		{name: "rogue CA", cert: pki.rogue, cause: CauseTLSUntrusted, reason: "not signed by a trusted CA"},
		{name: "expired", cert: pki.expired, cause: CauseTLSExpired, reason: "expired"},
		{name: "wrong name", cert: pki.wrongName, cause: CauseTLSName, reason: "not valid for 127.0.0.1"},
		{name: "empty trust store", cert: pki.good, client: func(c *TLSConfig) { c.Roots = nil }, cause: CauseTLSUntrusted},
		{name: "phone clock past expiry", cert: pki.good,
			client: func(c *TLSConfig) { c.Time = func() time.Time { return time.Now().Add(48 * time.Hour) } }, cause: CauseTLSExpired},
		{name: "TLS 1.3 required", cert: pki.good,
			server: func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 },
			client: func(c *TLSConfig) { c.MinVersion = tls.VersionTLS13 }, cause: CauseTLS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRegistrar(t, "tls", "MD5")
			r.tlsConf = &tls.Config{Certificates: []tls.Certificate{tc.cert}}
			if tc.server != nil {
				tc.server(r.tlsConf)
			}
			r.start()
			// A plain registrar on the same port, UDP: a fallback would reach it.
			plain := newRegistrar(t, "udp", "MD5")
			host, port := r.hostPort()
			plain.addr = host + ":" + itoa(port)
			plain.start()

			tc2 := TLSConfig{Roots: pki.roots}
			if tc.client != nil {
				tc.client(&tc2)
			}
			line := lineOn(r, 1, "1001", TLS)
			line.Security = Authenticated
			h := startEngine(t, Config{Lines: []Line{line}, TLS: tc2, Timing: fastTiming()})
			for range 2 { // the first attempt and a retry after backoff
				ev := h.wait(kind(EventRegisterFailed))
				if ev.Cause != tc.cause || !strings.Contains(ev.Reason, tc.reason) {
					t.Fatalf("failure %q (%s), want cause %s with %q", ev.Reason, ev.Cause, tc.cause, tc.reason)
				}
			}
			p, _ := h.hub.Snapshot()
			if l := p.Lines[0]; l.State != status.LineFailed || l.Transport != "tls" || l.Reason == "" {
				t.Fatalf("status %+v", l)
			}
			h.stop()
			select {
			case rec := <-plain.events:
				t.Fatalf("TLS line fell back to UDP: %+v", rec)
			case rec := <-r.events:
				t.Fatalf("registrar got a request over a refused connection: %+v", rec)
			default:
			}
		})
	}
}
