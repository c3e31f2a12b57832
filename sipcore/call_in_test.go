package sipcore

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"deskphone/media"
)

// callRecorder collects the engine's call reports.
type callRecorder struct {
	mu     sync.Mutex
	states []CallState
	calls  chan *Call // each call as it rings or is refused
}

func newCallRecorder(h *harness) *callRecorder {
	r := &callRecorder{calls: make(chan *Call, 8)}
	h.e.hooks.OnCall = func(c *Call, s CallState) {
		r.mu.Lock()
		r.states = append(r.states, s)
		r.mu.Unlock()
		if s == CallIncoming || (s == CallRefused && c.Direction == Incoming) {
			r.calls <- c
		}
	}
	return r
}

func (r *callRecorder) next(t *testing.T) *Call {
	t.Helper()
	select {
	case c := <-r.calls:
		return c
	case <-timeoutGuard():
		t.Fatal("no incoming call reported")
		return nil
	}
}

// caller places calls to the phone from the test callee's user agent (the
// phone's registrar, so its in-dialog requests come back to the callee).
type caller struct {
	t      *testing.T
	cl     *sipgo.Client
	callee *testCallee
	phone  sip.Uri
	rtp    netip.AddrPort
	tp     string
}

func newCaller(t *testing.T, callee *testCallee, h *harness) *caller {
	cl, err := sipgo.NewClient(callee.ua)
	if err != nil {
		t.Fatal(err)
	}
	return &caller{t: t, cl: cl, callee: callee, tp: "UDP",
		phone: sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1", Port: h.port()},
		rtp:   netip.MustParseAddrPort("127.0.0.1:40000")}
}

// offer is an SDP offer under policy p.
func (k *caller) offer(p media.SRTPPolicy, dir media.Direction) []byte {
	k.t.Helper()
	o, err := media.BuildOffer(media.MediaConfig{SRTP: p}, media.Local{Addr: k.rtp, Direction: dir, SessionID: 7, SessionVer: 1})
	if err != nil {
		k.t.Fatal(err)
	}
	return o.SDP
}

// invite sends an INVITE with body and returns its transaction.
func (k *caller) invite(ctx context.Context, body []byte, hdrs ...sip.Header) (*sip.Request, sip.ClientTransaction) {
	k.t.Helper()
	req := sip.NewRequest(sip.INVITE, k.phone)
	req.SetTransport(k.tp)
	from := &sip.FromHeader{DisplayName: "Alice", Address: sip.Uri{Scheme: "sip", User: "1002", Host: "127.0.0.1"}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1"}, Params: sip.NewParams()})
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "1002", Host: "127.0.0.1", Port: portOf(k.callee.addr)}})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	for _, h := range hdrs {
		req.AppendHeader(h)
	}
	req.SetBody(body)
	tx, err := k.cl.TransactionRequest(ctx, req, sipgo.ClientRequestBuild)
	if err != nil {
		k.t.Fatal(err)
	}
	return req, tx
}

// final waits for the final response of tx, noting the provisional codes.
func final(t *testing.T, tx sip.ClientTransaction) (*sip.Response, []int) {
	t.Helper()
	var prov []int
	guard := timeoutGuard()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				prov = append(prov, res.StatusCode)
				continue
			}
			return res, prov
		case <-tx.Done():
			t.Fatalf("transaction ended without a final response: %v", tx.Err())
		case <-guard:
			t.Fatal("no final response")
		}
	}
}

// ringing waits for the 180 (before answering: a 200 may overtake it).
func ringing(t *testing.T, tx sip.ClientTransaction) {
	t.Helper()
	guard := timeoutGuard()
	for {
		select {
		case res := <-tx.Responses():
			if res.StatusCode == 180 {
				return
			}
			if !res.IsProvisional() {
				t.Fatalf("final %d before 180", res.StatusCode)
			}
		case <-guard:
			t.Fatal("no 180 Ringing")
		}
	}
}

// inDialog builds a request of the dialog the 2xx res set up.
func (k *caller) inDialog(inv *sip.Request, res *sip.Response, m sip.RequestMethod, seq uint32) *sip.Request {
	req := sip.NewRequest(m, res.Contact().Address)
	req.SetTransport(k.tp)
	req.AppendHeader(sip.HeaderClone(inv.From()))
	req.AppendHeader(sip.HeaderClone(res.To()))
	req.AppendHeader(sip.HeaderClone(inv.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: m})
	return req
}

func incomingEngine(t *testing.T) (*harness, *testCallee, *callRecorder) {
	callee := startCallee(t, false)
	line := Line{Index: 1, Enabled: true, User: "1001", Password: "pass1001", Registrar: "127.0.0.1",
		RegistrarPort: portOf(callee.addr), Transport: UDP, Expiry: time.Hour}
	h := startEngine(t, Config{Lines: []Line{line}, Timing: fastTiming()})
	rec := newCallRecorder(h)
	h.wait(kind(EventRegistered))
	return h, callee, rec
}

// TestIncomingAnswerHoldBye: INVITE rings (180) with its MLPP precedence;
// Answer sends 200 with an SDP answer; the peer's re-INVITE sendonly
// holds us (answer recvonly) and sendrecv resumes; our Hold sends a
// re-INVITE sendonly and Resume sendrecv; the peer's BYE ends the call.
func TestIncomingAnswerHoldBye(t *testing.T) {
	h, callee, rec := incomingEngine(t)
	k := newCaller(t, callee, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	inv, tx := k.invite(ctx, k.offer(media.SRTPOff, media.SendRecv), sip.NewHeader("Resource-Priority", "dsn.flash"))
	c := rec.next(t)
	if c.State() != CallIncoming || c.Direction != Incoming || c.Line != 1 {
		t.Fatalf("call %s %s line %d, want incoming on line 1", c.State(), c.Direction, c.Line)
	}
	if c.Precedence != Flash {
		t.Errorf("precedence %q, want flash", c.Precedence)
	}
	if !strings.Contains(c.URI, "Alice") || !strings.Contains(c.URI, "sip:1002@127.0.0.1") {
		t.Errorf("peer %q", c.URI)
	}
	ringing(t, tx)
	if err := c.Answer(); err != nil {
		t.Fatal(err)
	}
	res, _ := final(t, tx)
	if res.StatusCode != 200 || !strings.Contains(string(res.Body()), "a=sendrecv") {
		t.Fatalf("answer %d:\n%s", res.StatusCode, res.Body())
	}
	if err := k.cl.WriteRequest(k.inDialog(inv, res, sip.ACK, 1)); err != nil {
		t.Fatal(err)
	}
	if c.State() != CallEstablished || c.Negotiated().Codec.Name != "PCMU" {
		t.Fatalf("state %s codec %s", c.State(), c.Negotiated().Codec.Name)
	}
	if err := c.Answer(); err == nil {
		t.Error("a second Answer was accepted")
	}

	reinvite := func(seq uint32, dir media.Direction) *sip.Response {
		req := k.inDialog(inv, res, sip.INVITE, seq)
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(k.offer(media.SRTPOff, dir))
		r, err := k.cl.Do(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		_ = k.cl.WriteRequest(k.inDialog(inv, res, sip.ACK, seq))
		return r
	}
	if r := reinvite(2, media.SendOnly); r.StatusCode != 200 || !strings.Contains(string(r.Body()), "a=recvonly") {
		t.Fatalf("re-INVITE sendonly: %d\n%s", r.StatusCode, r.Body())
	}
	if !c.RemoteHeld() || c.Status().RemoteHeld != true {
		t.Error("the peer's hold is not seen")
	}
	if r := reinvite(3, media.SendRecv); r.StatusCode != 200 || !strings.Contains(string(r.Body()), "a=sendrecv") {
		t.Fatalf("re-INVITE sendrecv: %d\n%s", r.StatusCode, r.Body())
	}
	if c.RemoteHeld() {
		t.Error("still held after the peer resumed")
	}

	// Our hold: the callee (our next hop) gets the re-INVITE.
	drain(callee)
	if err := c.Hold(ctx); err != nil {
		t.Fatal(err)
	}
	if got := <-callee.invites; !strings.Contains(string(got.Body()), "a=sendonly") || got.CallID().Value() != inv.CallID().Value() {
		t.Fatalf("hold re-INVITE:\n%s", got.Body())
	}
	if !c.Held() || c.Status().State != "held" {
		t.Errorf("held %v, state %q", c.Held(), c.Status().State)
	}
	if err := c.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	if got := <-callee.invites; !strings.Contains(string(got.Body()), "a=sendrecv") {
		t.Fatalf("resume re-INVITE:\n%s", got.Body())
	}
	if c.Held() {
		t.Error("still held after Resume")
	}

	r, err := k.cl.Do(ctx, k.inDialog(inv, res, sip.BYE, 4))
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("BYE: %v %v", r, err)
	}
	select {
	case <-c.Done():
	case <-timeoutGuard():
		t.Fatal("the peer's BYE did not end the call")
	}
	if len(h.e.Calls()) != 0 {
		t.Errorf("calls left: %d", len(h.e.Calls()))
	}
}

func drain(c *testCallee) {
	for {
		select {
		case <-c.invites:
		case <-c.methods:
		default:
			return
		}
	}
}

// TestIncomingRejectCancelHangup: Reject sends 486; the caller's CANCEL
// gets 487 and ends the ringing call; our BYE ends an answered one.
func TestIncomingRejectCancelHangup(t *testing.T) {
	h, callee, rec := incomingEngine(t)
	k := newCaller(t, callee, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	_, tx := k.invite(ctx, k.offer(media.SRTPOff, media.SendRecv))
	c := rec.next(t)
	if err := c.Reject(486); err != nil {
		t.Fatal(err)
	}
	if res, _ := final(t, tx); res.StatusCode != 486 {
		t.Fatalf("reject: %d, want 486", res.StatusCode)
	}
	if c.State() != CallEnded {
		t.Errorf("state %s after Reject", c.State())
	}
	if err := c.Reject(999); err == nil {
		t.Error("Reject(999) accepted")
	}

	inv, tx := k.invite(ctx, k.offer(media.SRTPOff, media.SendRecv))
	c = rec.next(t)
	cr := sip.NewRequest(sip.CANCEL, inv.Recipient)
	cr.SetTransport(k.tp)
	cr.AppendHeader(sip.HeaderClone(inv.Via()))
	cr.AppendHeader(sip.HeaderClone(inv.From()))
	cr.AppendHeader(sip.HeaderClone(inv.To()))
	cr.AppendHeader(sip.HeaderClone(inv.CallID()))
	cr.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	cr.SetDestination(inv.Destination())
	if r, err := k.cl.Do(ctx, cr); err != nil || r.StatusCode != 200 {
		t.Fatalf("CANCEL: %v %v", r, err)
	}
	if res, _ := final(t, tx); res.StatusCode != 487 {
		t.Fatalf("INVITE after CANCEL: %d, want 487", res.StatusCode)
	}
	select {
	case <-c.Done():
	case <-timeoutGuard():
		t.Fatal("CANCEL did not end the ringing call")
	}
	if !strings.Contains(c.Reason(), "cancel") {
		t.Errorf("reason %q", c.Reason())
	}

	inv, tx = k.invite(ctx, k.offer(media.SRTPOff, media.SendRecv))
	c = rec.next(t)
	if err := c.Answer(); err != nil {
		t.Fatal(err)
	}
	res, _ := final(t, tx)
	_ = k.cl.WriteRequest(k.inDialog(inv, res, sip.ACK, 1))
	drain(callee)
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if m := callee.next(t); m != "BYE" {
		t.Fatalf("after Hangup: %s, want BYE", m)
	}
}

// TestIncomingPlainLineRefusesSAVP: a UDP line has no SRTP (SDES keys
// never in the clear), so an RTP/SAVP offer gets 488 and the call is
// reported refused with the reason.
func TestIncomingPlainLineRefusesSAVP(t *testing.T) {
	h, callee, rec := incomingEngine(t)
	k := newCaller(t, callee, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, tx := k.invite(ctx, k.offer(media.SRTPRequired, media.SendRecv))
	if res, _ := final(t, tx); res.StatusCode != 488 {
		t.Fatalf("SAVP offer on a UDP line: %d, want 488", res.StatusCode)
	}
	c := rec.next(t)
	if c.State() != CallRefused || !strings.Contains(c.Reason(), "SRTP") {
		t.Errorf("state %s reason %q", c.State(), c.Reason())
	}
	_, tx = k.invite(ctx, nil)
	if res, _ := final(t, tx); res.StatusCode != 488 {
		t.Fatalf("INVITE without an offer: %d, want 488", res.StatusCode)
	}
}

// TestIncomingEncryptedOverTLS: on an encrypted line (TLS), an offer
// without crypto is refused with 488; one with SDES crypto rings.
func TestIncomingEncryptedOverTLS(t *testing.T) {
	pki := newTestPKI(t)
	r := newRegistrar(t, "tls", "SHA-256")
	r.tlsConf = &tls.Config{Certificates: []tls.Certificate{pki.good}}
	r.start()
	line := lineOn(r, 1, "1001", TLS)
	line.Security = Encrypted
	h := startEngine(t, Config{Lines: []Line{line}, TLS: TLSConfig{Roots: pki.roots}, Timing: fastTiming()})
	rc := newCallRecorder(h)
	h.wait(kind(EventRegistered))
	reg := r.next(authorized)
	var contact sip.Uri
	if err := sip.ParseUri(reg.Contact, &contact); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	ua := r.ua
	r.mu.Unlock()
	cl, _ := sipgo.NewClient(ua)
	rh, rp := r.hostPort()
	k := &caller{t: t, cl: cl, phone: contact, tp: "TLS", rtp: netip.MustParseAddrPort("127.0.0.1:40000"),
		callee: &testCallee{addr: net.JoinHostPort(rh, itoa(rp))}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	_, tx := k.invite(ctx, k.offer(media.SRTPOff, media.SendRecv))
	if res, _ := final(t, tx); res.StatusCode != 488 {
		t.Fatalf("plain RTP offer on an encrypted line: %d, want 488", res.StatusCode)
	}
	if c := rc.next(t); c.State() != CallRefused || !strings.Contains(c.Reason(), "a=crypto") {
		t.Errorf("refused call: state %s reason %q", c.State(), c.Reason())
	}

	_, tx = k.invite(ctx, k.offer(media.SRTPRequired, media.SendRecv))
	c := rc.next(t)
	if c.State() != CallIncoming {
		t.Fatalf("SRTP offer: state %s (%s)", c.State(), c.Reason())
	}
	if err := c.Reject(603); err != nil {
		t.Fatal(err)
	}
	if res, _ := final(t, tx); res.StatusCode != 603 {
		t.Fatalf("reject: %d", res.StatusCode)
	}
}

// TestDialPrecedence: an outgoing call with a precedence carries
// Resource-Priority dsn.<level>; an unknown level is refused before
// anything is sent.
func TestDialPrecedence(t *testing.T) {
	callee := startCallee(t, false)
	line := Line{Index: 1, Enabled: true, User: "1001", Password: "pass1001", Registrar: "127.0.0.1",
		RegistrarPort: portOf(callee.addr), Transport: UDP, Expiry: time.Hour}
	h := startEngine(t, Config{Lines: []Line{line}, Timing: fastTiming()})
	h.wait(kind(EventRegistered))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.e.DialWith(ctx, 1, "1002", DialOptions{Precedence: "urgent"}); err == nil || !strings.Contains(err.Error(), "urgent") {
		t.Fatalf("unknown precedence: %v", err)
	}
	call, err := h.e.DialWith(ctx, 1, "sip:1002@127.0.0.1:"+itoa(portOf(callee.addr)), DialOptions{Precedence: FlashOverride})
	if err != nil {
		t.Fatal(err)
	}
	defer call.Hangup(ctx)
	inv := <-callee.invites
	if rp := inv.GetHeader("Resource-Priority"); rp == nil || rp.Value() != "dsn.flash-override" {
		t.Errorf("Resource-Priority %v, want dsn.flash-override", rp)
	}
	if s := call.Status(); s.Precedence != "flash-override" || s.Direction != "outgoing" || s.Security != LevelNonsecure || s.Codec != "PCMU" {
		t.Errorf("status %+v", s)
	}
}

func TestParsePrecedence(t *testing.T) {
	cases := map[string]Precedence{
		"dsn.flash":                     Flash,
		"DSN.Routine":                   Routine,
		"wps.2, dsn.immediate":          Immediate,
		"dsn.flash-override":            FlashOverride,
		"dsn.urgent":                    "",
		"ets.0":                         "",
		"":                              "",
		"dsn.":                          "",
		"q735.2,dsn.priority,dsn.flash": Priority,
	}
	for in, want := range cases {
		got, ok := parsePrecedence(in)
		if got != want || ok != (want != "") {
			t.Errorf("parsePrecedence(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}

func FuzzParsePrecedence(f *testing.F) {
	f.Add("dsn.flash")
	f.Add("wps.2, dsn.immediate")
	f.Fuzz(func(t *testing.T, v string) {
		p, ok := parsePrecedence(v)
		if ok != (p != "") || !p.Valid() {
			t.Fatalf("parsePrecedence(%q) = %q %v", v, p, ok)
		}
		if ok && !strings.Contains(strings.ToLower(v), string(p)) {
			t.Fatalf("level %q not in %q", p, v)
		}
	})
}

// TestKeepKey: a re-offer carries the key in use in the lines of its
// suite, under each line's tag, and the negotiated key follows.
func TestKeepKey(t *testing.T) {
	old, err := media.NewCrypto(3, media.AES_CM_128_HMAC_SHA1_80)
	if err != nil {
		t.Fatal(err)
	}
	o, err := media.BuildOffer(media.MediaConfig{SRTP: media.SRTPRequired},
		media.Local{Addr: netip.MustParseAddrPort("127.0.0.1:4000"), SessionID: 1, SessionVer: 2})
	if err != nil {
		t.Fatal(err)
	}
	sdp := string(keepKey(o.SDP, old))
	k := old
	k.Tag = 1
	if !strings.Contains(sdp, "a=crypto:"+k.Value()+"\r\n") {
		t.Fatalf("the kept key is not offered under tag 1:\n%s", sdp)
	}
	if strings.Count(sdp, "a=crypto:") != strings.Count(string(o.SDP), "a=crypto:") {
		t.Error("crypto lines lost")
	}
	n := keptKey(media.Negotiated{SRTP: true, LocalCrypto: media.Crypto{Tag: 1, Suite: old.Suite, Key: []byte("new")}}, old)
	if !sameKey(n.LocalCrypto, old) || n.LocalCrypto.Tag != 1 {
		t.Errorf("negotiated key not the kept one")
	}
	other := keptKey(media.Negotiated{SRTP: true, LocalCrypto: media.Crypto{Tag: 2, Suite: media.AEAD_AES_128_GCM, Key: []byte("gcm")}}, old)
	if sameKey(other.LocalCrypto, old) {
		t.Error("a key of another suite was replaced")
	}
}

func TestSDPDirection(t *testing.T) {
	cases := map[string]media.Direction{
		"v=0\r\nm=audio 4000 RTP/AVP 0\r\na=recvonly\r\n":                         media.RecvOnly,
		"v=0\r\na=inactive\r\nm=audio 4000 RTP/AVP 0\r\n":                         media.Inactive,
		"v=0\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n":           media.SendRecv,
		"v=0\r\nm=video 5000 RTP/AVP 96\r\na=inactive\r\nm=audio 1 RTP/AVP 0\r\n": media.SendRecv,
		"": media.SendRecv,
	}
	for in, want := range cases {
		if got := sdpDirection([]byte(in)); got != want {
			t.Errorf("sdpDirection(%q) = %s, want %s", in, got, want)
		}
	}
}

func FuzzSDPDirection(f *testing.F) {
	f.Add([]byte("v=0\r\nm=audio 4000 RTP/AVP 0\r\na=recvonly\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		switch d := sdpDirection(b); d {
		case media.SendRecv, media.SendOnly, media.RecvOnly, media.Inactive:
		default:
			t.Fatalf("direction %q", d)
		}
	})
}
