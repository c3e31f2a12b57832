package sipcore

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"deskphone/media"
)

func TestLineSRTPPolicy(t *testing.T) {
	cases := []struct {
		l    Line
		want media.SRTPPolicy
	}{
		{Line{Transport: UDP, Security: Nonsecure}, media.SRTPOff},
		{Line{Transport: TCP}, media.SRTPOff}, // no SDES keys in the clear
		{Line{Transport: TLS, Security: Nonsecure}, media.SRTPOptional},
		{Line{Transport: TLS, Security: Authenticated}, media.SRTPOptional},
		{Line{Transport: TLS, Security: Encrypted}, media.SRTPRequired},
	}
	for _, c := range cases {
		if got := c.l.SRTPPolicy(); got != c.want {
			t.Errorf("%s/%s: policy %v, want %v", c.l.Transport, c.l.Security, got, c.want)
		}
	}
}

// testCallee is a UAS on loopback UDP: it accepts REGISTER, rings and
// answers INVITE with a media answer, and records ACK and BYE.
type testCallee struct {
	addr     string
	methods  chan string
	invites  chan *sip.Request
	ua       *sipgo.UserAgent
	noAnswer bool // ring until cancelled
}

func startCallee(t *testing.T, noAnswer bool) *testCallee {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-callee"))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	c := &testCallee{methods: make(chan string, 16), invites: make(chan *sip.Request, 4), ua: ua, noAnswer: noAnswer}
	srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	rtp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		c.methods <- "INVITE"
		if c.noAnswer {
			// sipgo answers the CANCEL (200) and the INVITE (487) itself.
			tx.OnCancel(func(*sip.Request) { c.methods <- "CANCEL" })
		}
		c.invites <- req
		_ = tx.Respond(sip.NewResponseFromRequest(req, 180, "Ringing", nil))
		if c.noAnswer {
			<-tx.Done()
			return
		}
		local := media.Local{Addr: netip.MustParseAddrPort(rtp.LocalAddr().String()), Direction: media.SendRecv, SessionID: 1, SessionVer: 1}
		ans, _, err := media.AnswerOffer(media.MediaConfig{Codecs: []string{"PCMU"}}, local, req.Body())
		if err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
			return
		}
		res := sip.NewResponseFromRequest(req, 200, "OK", ans)
		res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "1002", Host: "127.0.0.1", Port: portOf(c.addr)}})
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		_ = tx.Respond(res)
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { c.methods <- "ACK" })
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		c.methods <- "BYE"
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.addr = conn.LocalAddr().String()
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.ServeUDP(conn) }()
	t.Cleanup(func() { conn.Close(); rtp.Close(); ua.Close(); <-done })
	return c
}

func portOf(addr string) int {
	ap := netip.MustParseAddrPort(addr)
	return int(ap.Port())
}

func (c *testCallee) next(t *testing.T) string {
	t.Helper()
	select {
	case m := <-c.methods:
		return m
	case <-timeoutGuard():
		t.Fatal("callee got no request")
		return ""
	}
}

// TestDialAndHangup: INVITE with an offer, 180, 200 with the answer, ACK;
// the negotiated codec is the callee's; Hangup sends BYE.
func TestDialAndHangup(t *testing.T) {
	callee := startCallee(t, false)
	line := Line{Index: 1, Enabled: true, User: "1001", Password: "pass1001", Registrar: "127.0.0.1",
		RegistrarPort: portOf(callee.addr), Transport: UDP, Expiry: time.Hour}
	h := startEngine(t, Config{Lines: []Line{line}, Timing: fastTiming()})
	h.wait(kind(EventRegistered))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	call, err := h.e.Dial(ctx, 1, "sip:1002@127.0.0.1:"+itoa(portOf(callee.addr)))
	if err != nil {
		t.Fatal(err)
	}
	if got := callee.next(t); got != "INVITE" {
		t.Fatalf("first request %s, want INVITE", got)
	}
	if got := callee.next(t); got != "ACK" {
		t.Fatalf("after the 200: %s, want ACK", got)
	}
	if call.State() != CallEstablished {
		t.Errorf("state %s, want established", call.State())
	}
	if n := call.Negotiated(); n.Codec.Name != "PCMU" || n.SRTP {
		t.Errorf("negotiated %s srtp=%v, want PCMU without SRTP on a nonsecure UDP line", n.Codec.Name, n.SRTP)
	}
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if got := callee.next(t); got != "BYE" {
		t.Fatalf("after Hangup: %s, want BYE", got)
	}
	if call.State() != CallEnded {
		t.Errorf("state %s after Hangup, want ended", call.State())
	}
	if err := call.Hangup(ctx); err != nil {
		t.Errorf("second Hangup: %v", err)
	}
	if _, err := h.e.Dial(ctx, 7, "sip:1002@127.0.0.1"); err == nil {
		t.Error("dial on an unknown line accepted")
	}
}

// TestRemoteBye: the peer's BYE gets 200 and ends the call; a BYE for no
// call gets 481.
func TestRemoteBye(t *testing.T) {
	callee := startCallee(t, false)
	line := Line{Index: 1, Enabled: true, User: "1001", Password: "pass1001", Registrar: "127.0.0.1",
		RegistrarPort: portOf(callee.addr), Transport: UDP, Expiry: time.Hour}
	var (
		mu     sync.Mutex
		states []CallState
	)
	h := startEngine(t, Config{Lines: []Line{line}, Timing: fastTiming()})
	h.e.hooks.OnCall = func(_ *Call, s CallState) { mu.Lock(); states = append(states, s); mu.Unlock() }
	h.wait(kind(EventRegistered))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	call, err := h.e.Dial(ctx, 1, "sip:1002@127.0.0.1:"+itoa(portOf(callee.addr)))
	if err != nil {
		t.Fatal(err)
	}
	inv := <-callee.invites
	cl, err := sipgo.NewClient(callee.ua)
	if err != nil {
		t.Fatal(err)
	}
	bye := func(callID string) int {
		req := sip.NewRequest(sip.BYE, sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1", Port: h.port()})
		req.AppendHeader(sip.HeaderClone(inv.To()))
		req.AppendHeader(sip.HeaderClone(inv.From()))
		cid := sip.CallIDHeader(callID)
		req.AppendHeader(&cid)
		res, err := cl.Do(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	if code := bye("no-such-call"); code != 481 {
		t.Errorf("BYE for no call: %d, want 481", code)
	}
	if code := bye(inv.CallID().Value()); code != 200 {
		t.Fatalf("BYE: %d, want 200", code)
	}
	select {
	case <-call.Done():
	case <-timeoutGuard():
		t.Fatal("the call did not end on the peer's BYE")
	}
	if call.State() != CallEnded {
		t.Errorf("state %s, want ended", call.State())
	}
	mu.Lock()
	defer mu.Unlock()
	// sipgo may drop a 180 that the 200 overtakes: ringing is optional.
	states = slices.DeleteFunc(states, func(s CallState) bool { return s == CallRinging || s == CallDialing })
	if want := []CallState{CallEstablished, CallEnded}; !slices.Equal(states, want) {
		t.Errorf("call states %v, want %v", states, want)
	}
}

// TestDialCancel: a call still ringing when Dial's context ends is
// cancelled with CANCEL.
func TestDialCancel(t *testing.T) {
	callee := startCallee(t, true)
	line := Line{Index: 1, Enabled: true, User: "1001", Password: "pass1001", Registrar: "127.0.0.1",
		RegistrarPort: portOf(callee.addr), Transport: UDP, Expiry: time.Hour}
	h := startEngine(t, Config{Lines: []Line{line}, Timing: fastTiming()})
	h.wait(kind(EventRegistered))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-callee.invites
		cancel()
	}()
	if _, err := h.e.Dial(ctx, 1, "sip:1002@127.0.0.1:"+itoa(portOf(callee.addr))); !errors.Is(err, context.Canceled) {
		t.Fatalf("Dial: %v, want context.Canceled", err)
	}
	if got := callee.next(t); got != "INVITE" {
		t.Fatalf("first request %s, want INVITE", got)
	}
	if got := callee.next(t); got != "CANCEL" {
		t.Fatalf("after cancelling: %s, want CANCEL", got)
	}
}
