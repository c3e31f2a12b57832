package sipcore

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// notifier sends check-sync NOTIFYs to the phone the way a provisioning
// server or sipsak does, and answers challenges with icholy/digest (not the
// phone's own verifier).
type notifier struct {
	t    *testing.T
	cl   *sipgo.Client
	port int
}

func newNotifier(t *testing.T, port int) *notifier {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("provisioning"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	cl, _ := sipgo.NewClient(ua)
	return &notifier{t: t, cl: cl, port: port}
}

func (n *notifier) request(user, event string) *sip.Request {
	req := sip.NewRequest(sip.NOTIFY, sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: n.port})
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Subscription-State", "terminated"))
	return req
}

func (n *notifier) send(req *sip.Request) *sip.Response {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := n.cl.Do(ctx, req)
	if err != nil {
		n.t.Fatalf("NOTIFY: %v", err)
	}
	return res
}

// authorization answers res's challenge for req as user/password.
func authorization(t *testing.T, res *sip.Response, req *sip.Request, user, password string) string {
	t.Helper()
	h := res.GetHeader("WWW-Authenticate")
	if h == nil {
		t.Fatalf("%d without WWW-Authenticate", res.StatusCode)
	}
	chal, err := digest.ParseChallenge(h.Value())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := digest.Digest(chal, digest.Options{Method: "NOTIFY", URI: req.Recipient.String(), Username: user, Password: password, Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	return cred.String()
}

func checkSyncEngine(t *testing.T, challenge bool) *harness {
	r := newRegistrar(t, "udp", "MD5")
	r.start()
	cfg := Config{Lines: []Line{lineOn(r, 1, "1001", UDP), lineOn(r, 2, "1002", UDP)}, Timing: fastTiming(),
		ChecksyncChallenge: challenge, NonceLifetime: 300 * time.Millisecond}
	return startEngine(t, cfg)
}

func nextCheckSync(h *harness) Event { h.t.Helper(); return h.wait(kind(EventCheckSync)) }

func TestCheckSyncOpen(t *testing.T) {
	h := checkSyncEngine(t, false)
	n := newNotifier(t, h.port())
	for _, reboot := range []bool{false, true} {
		ev := "check-sync;reboot=false"
		if reboot {
			ev = "Check-Sync; reboot=true"
		}
		if res := n.send(n.request("1001", ev)); res.StatusCode != 200 {
			t.Fatalf("check-sync: %d", res.StatusCode)
		}
		if e := nextCheckSync(h); !e.Accepted || e.Reboot != reboot || e.Line != 1 || e.Deferred {
			t.Fatalf("event %+v", e)
		}
		if got := <-h.resyncs; got != reboot {
			t.Fatalf("resync(reboot=%v), want %v", got, reboot)
		}
	}
	// Another event package, no Event, an unknown user.
	res := n.send(n.request("1001", "message-summary"))
	if res.StatusCode != 489 || res.GetHeader("Allow-Events") == nil {
		t.Fatalf("message-summary: %d", res.StatusCode)
	}
	if e := nextCheckSync(h); e.Accepted || e.Cause != CauseBadEvent {
		t.Fatalf("event %+v", e)
	}
	req := n.request("1001", "check-sync")
	req.RemoveHeader("Event")
	if res := n.send(req); res.StatusCode != 489 {
		t.Fatalf("no Event: %d", res.StatusCode)
	}
	if res := n.send(n.request("9999", "check-sync")); res.StatusCode != 404 {
		t.Fatalf("unknown line: %d", res.StatusCode)
	}
	select {
	case r := <-h.resyncs:
		t.Fatalf("resync(%v) after refused NOTIFYs", r)
	default:
	}
}

func TestCheckSyncChallenge(t *testing.T) {
	h := checkSyncEngine(t, true)
	n := newNotifier(t, h.port())
	refused := func(req *sip.Request, cause Cause) *sip.Response {
		t.Helper()
		res := n.send(req)
		if res.StatusCode != 401 {
			t.Fatalf("status %d, want 401", res.StatusCode)
		}
		if e := nextCheckSync(h); e.Accepted || e.Cause != cause {
			t.Fatalf("event %+v, want refused with %s", e, cause)
		}
		return res
	}

	// 1. No credentials: 401 with Snom's challenge.
	req := n.request("1001", "check-sync;reboot=true")
	res := refused(req, CauseNoCredentials)
	www := res.GetHeader("WWW-Authenticate").Value()
	for _, want := range []string{`Digest realm="deskphone"`, `nonce="`, "algorithm=MD5"} {
		if !strings.Contains(www, want) {
			t.Fatalf("WWW-Authenticate %q lacks %q", www, want)
		}
	}

	// 2. The right password: 200 and resync.
	good := n.request("1001", "check-sync;reboot=true")
	goodAuth := authorization(t, res, good, "1001", "pass1001")
	good.AppendHeader(sip.NewHeader("Authorization", goodAuth))
	if res := n.send(good); res.StatusCode != 200 {
		t.Fatalf("valid credentials: %d", res.StatusCode)
	}
	if e := nextCheckSync(h); !e.Accepted || !e.Reboot {
		t.Fatalf("event %+v", e)
	}
	if !<-h.resyncs {
		t.Fatal("resync without reboot")
	}

	// 3. The same Authorization again (replayed nonce): 401.
	replay := n.request("1001", "check-sync;reboot=true")
	replay.AppendHeader(sip.NewHeader("Authorization", goodAuth))
	res = refused(replay, CauseBadNonce)

	// 4. A wrong password: 401, and its nonce is burnt.
	wrong := n.request("1001", "check-sync")
	wrong.AppendHeader(sip.NewHeader("Authorization", authorization(t, res, wrong, "1001", "guess")))
	res = refused(wrong, CauseBadDigest)

	// 5. Line 1's credentials for line 2's URI: 401.
	other := n.request("1002", "check-sync")
	other.AppendHeader(sip.NewHeader("Authorization", authorization(t, res, other, "1001", "pass1001")))
	res = refused(other, CauseBadDigest)

	// 6. A stale nonce (older than NonceLifetime): 401.
	time.Sleep(400 * time.Millisecond)
	stale := n.request("1002", "check-sync")
	stale.AppendHeader(sip.NewHeader("Authorization", authorization(t, res, stale, "1002", "pass1002")))
	res = refused(stale, CauseBadNonce)

	// 7. An unknown user is challenged too (no user enumeration).
	res = refused(n.request("9999", "check-sync"), CauseUnknownLine)

	// 8. Line 2 with its own credentials over a fresh nonce: 200.
	ok2 := n.request("1002", "check-sync;reboot=false")
	ok2.AppendHeader(sip.NewHeader("Authorization", authorization(t, res, ok2, "1002", "pass1002")))
	if res := n.send(ok2); res.StatusCode != 200 {
		t.Fatalf("line 2: %d", res.StatusCode)
	}
	if e := nextCheckSync(h); !e.Accepted || e.Line != 2 {
		t.Fatalf("event %+v", e)
	}
	if <-h.resyncs {
		t.Fatal("resync with reboot")
	}
	select {
	case r := <-h.resyncs:
		t.Fatalf("extra resync(%v) from a refused NOTIFY", r)
	default:
	}
}

// TestCheckSyncDeferred: accepted during a call, the resync waits for
// the call to end; two check-syncs make one resync, a reboot if either
// asked for it.
func TestCheckSyncDeferred(t *testing.T) {
	h := checkSyncEngine(t, false)
	n := newNotifier(t, h.port())
	h.e.SetInCall(true)
	for _, ev := range []string{"check-sync;reboot=true", "check-sync;reboot=false"} {
		if res := n.send(n.request("1002", ev)); res.StatusCode != 200 {
			t.Fatalf("in call: %d", res.StatusCode)
		}
		if e := nextCheckSync(h); !e.Accepted || !e.Deferred {
			t.Fatalf("event %+v, want accepted and deferred", e)
		}
	}
	select {
	case r := <-h.resyncs:
		t.Fatalf("resync(%v) during the call", r)
	default:
	}
	h.e.SetInCall(false)
	if e := h.wait(kind(EventResync)); !e.Reboot {
		t.Fatalf("resync event %+v", e)
	}
	if !<-h.resyncs {
		t.Fatal("deferred resync lost the reboot")
	}
	select {
	case r := <-h.resyncs:
		t.Fatalf("second resync(%v)", r)
	default:
	}
}

// TestCheckSyncOverTLSConnection: a registrar relays check-sync to the
// phone over the phone's own TLS connection (there is no TLS listener on
// the phone), as Kamailio does for TLS phones.
func TestCheckSyncOverTLSConnection(t *testing.T) {
	pki := newTestPKI(t)
	r := newRegistrar(t, "tls", "SHA-256")
	r.tlsConf = &tls.Config{Certificates: []tls.Certificate{pki.good}}
	r.start()
	line := lineOn(r, 1, "1001", TLS)
	h := startEngine(t, Config{Lines: []Line{line}, TLS: TLSConfig{Roots: pki.roots}, Timing: fastTiming()})
	h.wait(kind(EventRegistered))
	rec := r.next(authorized)
	var contact sip.Uri
	if err := sip.ParseUri(rec.Contact, &contact); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	ua := r.ua
	r.mu.Unlock()
	cl, _ := sipgo.NewClient(ua)
	req := sip.NewRequest(sip.NOTIFY, contact)
	req.SetTransport("TLS")
	req.AppendHeader(sip.NewHeader("Event", "check-sync;reboot=false"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := cl.Do(ctx, req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("NOTIFY over the TLS connection: %v %v", res, err)
	}
	if e := nextCheckSync(h); !e.Accepted || e.Line != 1 {
		t.Fatalf("event %+v", e)
	}
	if <-h.resyncs {
		t.Fatal("reboot")
	}
}
