package sipcore

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"deskphone/status"
)

// TestRegister: digest MD5 and SHA-256 over UDP, TCP and TLS; the
// challenge is answered with nc=1, the refresh comes before the granted
// expiry with the same Call-ID and nc counted on, and shutdown removes the
// binding.
func TestRegister(t *testing.T) {
	pki := newTestPKI(t)
	for _, tp := range []Transport{UDP, TCP, TLS} {
		for _, alg := range []string{"MD5", "SHA-256"} {
			t.Run(string(tp)+"/"+alg, func(t *testing.T) {
				t.Parallel()
				r := newRegistrar(t, string(tp), alg)
				r.grant = 2
				if tp == TLS {
					r.tlsConf = &tls.Config{Certificates: []tls.Certificate{pki.good},
						ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.roots}
				}
				r.start()
				cfg := Config{Lines: []Line{lineOn(r, 1, "1001", tp)}, Timing: fastTiming(),
					TLS: TLSConfig{Roots: pki.roots, Certificates: []tls.Certificate{pki.device}}}
				if tp == TLS {
					cfg.Lines[0].Security = Encrypted
				}
				h := startEngine(t, cfg)

				first := r.next(func(rec regRecord) bool { return rec.Method == "REGISTER" })
				if first.Authorized || first.Expires != 3600 {
					t.Fatalf("first REGISTER: %+v, want an unauthenticated one asking 3600 s", first)
				}
				auth := r.next(authorized)
				if auth.NC != 1 || auth.CallID != first.CallID {
					t.Fatalf("answer to the challenge: %+v, want nc=1 and the same Call-ID", auth)
				}
				wantTransport := ""
				if tp != UDP {
					wantTransport = "transport=" + string(tp)
				}
				if !strings.Contains(auth.Contact, "sip:1001@127.0.0.1:") || !strings.Contains(auth.Contact, wantTransport) {
					t.Errorf("Contact %q", auth.Contact)
				}
				ev := h.wait(kind(EventRegistered))
				if ev.Expires != 2*time.Second || ev.Line != 1 || ev.Transport != tp {
					t.Fatalf("registered event %+v, want 2 s granted on line 1", ev)
				}
				p, _ := h.hub.Snapshot()
				if len(p.Lines) != 1 || p.Lines[0].State != status.LineRegistered || p.Lines[0].Transport != string(tp) || p.Lines[0].Label != "1001" {
					t.Fatalf("status lines %+v", p.Lines)
				}
				refresh := r.next(func(rec regRecord) bool { return rec.Method == "REGISTER" })
				if !refresh.Authorized || refresh.NC != 2 || refresh.CallID != first.CallID {
					t.Fatalf("refresh %+v, want authorized at once with nc=2 and the same Call-ID", refresh)
				}
				if !refresh.Live {
					t.Fatal("binding expired before the refresh")
				}
				h.wait(kind(EventRegistered))
				if err := h.stop(); err != nil {
					t.Fatal(err)
				}
				un := r.next(authorized)
				for un.Expires != 0 {
					un = r.next(authorized)
				}
				if tp == TLS {
					r.mu.Lock()
					cns := r.clientCNs
					r.mu.Unlock()
					if len(cns) == 0 || cns[0] != "phone-0001" {
						t.Errorf("device certificate not presented: %v", cns)
					}
				}
				p, _ = h.hub.Snapshot()
				if p.Lines[0].State != status.LineUnregistered {
					t.Errorf("after shutdown: %+v", p.Lines[0])
				}
			})
		}
	}
}

// TestRegisterWrongPassword: a refused password fails the attempt with
// auth-failed after one answer to a fresh challenge, and the password
// shows nowhere.
func TestRegisterWrongPassword(t *testing.T) {
	r := newRegistrar(t, "tcp", "MD5")
	r.start()
	line := lineOn(r, 1, "1001", TCP)
	line.Password = "not-the-password"
	h := startEngine(t, Config{Lines: []Line{line}, Timing: fastTiming()})
	ev := h.wait(kind(EventRegisterFailed))
	if ev.Cause != CauseAuth || strings.Contains(ev.Reason, line.Password) {
		t.Fatalf("failure %+v", ev)
	}
	var n int
	for len(r.events) > 0 {
		if rec := <-r.events; rec.Method == "REGISTER" {
			n++
		}
	}
	if n > 3 {
		t.Fatalf("%d REGISTERs for one failed attempt", n)
	}
	p, _ := h.hub.Snapshot()
	if p.Lines[0].State != status.LineFailed || strings.Contains(p.Lines[0].Reason, line.Password) {
		t.Fatalf("status %+v", p.Lines[0])
	}
}

// TestRegisterOutboundProxy: with an outbound proxy the REGISTER goes to
// the proxy with a loose Route, for the registrar's domain.
func TestRegisterOutboundProxy(t *testing.T) {
	proxy := newRegistrar(t, "udp", "MD5")
	proxy.start()
	line := lineOn(proxy, 1, "1001", UDP)
	ph, pp := proxy.hostPort()
	line.OutboundProxy = ph + ":" + itoa(pp)
	line.Registrar, line.RegistrarPort = "pbx.invalid", 5060
	h := startEngine(t, Config{Lines: []Line{line}, Timing: fastTiming()})
	if ev := h.wait(kind(EventRegistered)); ev.Registrar != "pbx.invalid:5060" {
		t.Fatalf("registered %+v", ev)
	}
	rec := proxy.next(authorized)
	if rec.User != "1001" || rec.RURI != "sip:pbx.invalid:5060" || !strings.Contains(rec.Route, ";lr") || !strings.Contains(rec.Route, line.OutboundProxy) {
		t.Fatalf("proxy saw %+v", rec)
	}
}

// TestRegisterIntervalTooBrief: 423 raises the expiry to Min-Expires.
func TestRegisterIntervalTooBrief(t *testing.T) {
	r := newRegistrar(t, "udp", "SHA-256")
	r.minExp = 90
	r.start()
	line := lineOn(r, 1, "1001", UDP)
	line.Expiry = 30 * time.Second
	h := startEngine(t, Config{Lines: []Line{line}, Timing: fastTiming()})
	if ev := h.wait(kind(EventRegistered)); ev.Expires != 90*time.Second {
		t.Fatalf("registered %+v, want 90 s", ev)
	}
	r.next(func(rec regRecord) bool { return authorized(rec) && rec.Expires == 30 })
	r.next(func(rec regRecord) bool { return authorized(rec) && rec.Expires == 90 })
}
