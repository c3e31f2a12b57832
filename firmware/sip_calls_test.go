package main

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/media"
	"deskphone/provision/settings"
	"deskphone/status"
)

// pbx is a loopback registrar that also places calls to the phone and
// records the requests the phone sends it.
type pbx struct {
	t       *testing.T
	addr    string
	ua      *sipgo.UserAgent
	cl      *sipgo.Client
	methods chan string

	mu       sync.Mutex
	onInvite func(*sip.Request, sip.ServerTransaction) // nil: answer 200
}

// answerInvites sets how the pbx answers the phone's INVITEs.
func (p *pbx) answerInvites(fn func(*sip.Request, sip.ServerTransaction)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onInvite = fn
}

func startPBX(t *testing.T) *pbx {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-pbx"))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	p := &pbx{t: t, ua: ua, methods: make(chan string, 32)}
	ok := func(req *sip.Request, tx sip.ServerTransaction) {
		p.methods <- string(req.Method)
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	}
	srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	srv.OnBye(ok)
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		p.mu.Lock()
		fn := p.onInvite
		p.mu.Unlock()
		if fn == nil {
			ok(req, tx)
			return
		}
		p.methods <- string(req.Method)
		fn(req, tx)
	})
	srv.OnAck(func(*sip.Request, sip.ServerTransaction) {})
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = conn.LocalAddr().String()
	p.cl, _ = sipgo.NewClient(ua)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.ServeUDP(conn) }()
	t.Cleanup(func() { conn.Close(); ua.Close(); <-done })
	return p
}

// invite calls the phone at port with an offer under policy.
func (p *pbx) invite(ctx context.Context, phonePort int, policy media.SRTPPolicy) (*sip.Request, sip.ClientTransaction) {
	p.t.Helper()
	o, err := media.BuildOffer(media.MediaConfig{SRTP: policy},
		media.Local{Addr: netip.MustParseAddrPort("127.0.0.1:40002"), SessionID: 1, SessionVer: 1})
	if err != nil {
		p.t.Fatal(err)
	}
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1", Port: phonePort})
	from := &sip.FromHeader{DisplayName: "Alice", Address: sip.Uri{Scheme: "sip", User: "2001", Host: "127.0.0.1"}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1"}, Params: sip.NewParams()})
	ap := netip.MustParseAddrPort(p.addr)
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "2001", Host: "127.0.0.1", Port: int(ap.Port())}})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(o.SDP)
	tx, err := p.cl.TransactionRequest(ctx, req, sipgo.ClientRequestBuild)
	if err != nil {
		p.t.Fatal(err)
	}
	return req, tx
}

// waitCall waits until the published focus call satisfies ok.
func waitCall(t *testing.T, hub *status.Hub, ok func(*status.Call) bool) status.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var seq uint64
	for {
		p, next, err := hub.Wait(ctx, seq)
		if err != nil {
			t.Fatalf("call state not published (last %+v)", p.Call)
		}
		seq = next
		if p.Call != nil && ok(p.Call) {
			return *p.Call
		}
	}
}

func finalCode(t *testing.T, tx sip.ClientTransaction) int {
	t.Helper()
	for {
		select {
		case res := <-tx.Responses():
			if !res.IsProvisional() {
				return res.StatusCode
			}
		case <-tx.Done():
			t.Fatalf("no final response: %v", tx.Err())
		case <-time.After(20 * time.Second):
			t.Fatal("no final response")
		}
	}
}

// TestCallControlEndpoints: an incoming call rings on the loudspeaker;
// going off hook answers it on the handset; SPEAKER moves it to the
// loudspeaker; the disabled headset is never opened; SPEAKER again with
// the handset on hook ends the call (BYE). A plain UDP line refuses an
// SRTP offer and the LCD gets the reason.
// callPhone is the phone's call control and SIP lines on loopback, its
// line 1 registered with a pbx, its audio the simulator's (recorded).
type callPhone struct {
	cc    *callControl
	hub   *status.Hub
	audio *sim.Audio
	port  int // the phone's SIP port
	ctx   context.Context
}

// startCallPhone starts the phone with line 1 on p and the extra settings,
// and returns once the line is registered. It stops with the test.
func startCallPhone(t *testing.T, p *pbx, extra map[string]string) *callPhone {
	t.Helper()
	ap := netip.MustParseAddrPort(p.addr)
	set := map[string]string{
		settings.LineName(1, "enabled"):        "on",
		settings.LineName(1, "user"):           "1001",
		settings.LineName(1, "password"):       "secret",
		settings.LineName(1, "registrar"):      "127.0.0.1",
		settings.LineName(1, "registrar_port"): strconv.Itoa(int(ap.Port())),
	}
	for k, v := range extra {
		set[k] = v
	}
	store := newTestStore(t, t.TempDir(), set)
	hub := status.NewHub(status.Phone{})
	audio := sim.NewAudio()
	cc := newCallControl(store, hub, audio, quietLogger())
	s := newSIPPhone(store, hub, "", nil, quietLogger()).withCalls(cc)
	s.listen = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- s.Run(ctx) }()
	go func() { done <- cc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	})
	var phonePort int
	for phonePort == 0 {
		s.mu.Lock()
		if s.eng != nil && s.eng.LocalAddr() != nil {
			phonePort = s.eng.LocalAddr().(*net.UDPAddr).Port
		}
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	waitPhone(t, hub, "line 1 registered", func(ph status.Phone) bool {
		return len(ph.Lines) > 0 && ph.Lines[0].State == status.LineRegistered
	})
	return &callPhone{cc: cc, hub: hub, audio: audio, port: phonePort, ctx: ctx}
}

func TestCallControlEndpoints(t *testing.T) {
	p := startPBX(t)
	ph := startCallPhone(t, p, map[string]string{"security.headset": "off", "security.secure_tone": "on"})
	cc, hub, audio, phonePort, ctx := ph.cc, ph.hub, ph.audio, ph.port, ph.ctx

	ictx, icancel := context.WithTimeout(ctx, 30*time.Second)
	defer icancel()
	_, tx := p.invite(ictx, phonePort, media.SRTPOff)
	in := waitCall(t, hub, func(c *status.Call) bool { return c.State == "incoming" })
	if !strings.Contains(in.Peer, "Alice") || in.Direction != "incoming" {
		t.Errorf("incoming call %+v", in)
	}
	for i := 0; audio.Opened(hal.Speaker) == 0; i++ {
		if i == 2000 {
			t.Fatal("the ringer did not sound on the loudspeaker")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cc.Audio(hal.KeyHookOff)
	if code := finalCode(t, tx); code != 200 {
		t.Fatalf("answer by going off hook: %d", code)
	}
	up := waitCall(t, hub, func(c *status.Call) bool { return c.State == "established" })
	if up.Endpoint != "handset" || up.Codec != "PCMU" || up.Security != "nonsecure" {
		t.Errorf("answered call %+v", up)
	}
	// security.secure_tone: a non-encrypted call gets six short beeps.
	for i := 0; len(audio.Recorded(hal.Handset)) < 12000; i++ {
		if i == 2000 {
			t.Fatal("the handset played nothing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := beeps(audio.Recorded(hal.Handset)[:12000], 8000, 1400); n != 6 {
		t.Errorf("the nonsecure indication: %d beeps at 1400 Hz, want 6", n)
	}
	cc.Audio(hal.KeySpeaker)
	waitCall(t, hub, func(c *status.Call) bool { return c.Endpoint == "speaker" })
	cc.Audio(hal.KeyHeadset)
	cc.Audio(hal.KeyHookOn) // the handset goes down; the call stays on the speaker
	if c := waitCall(t, hub, func(*status.Call) bool { return true }); c.Endpoint != "speaker" || c.State != "established" {
		t.Errorf("after HEADSET (disabled) and on hook: %+v", c)
	}
	drainMethods(p)
	cc.Audio(hal.KeySpeaker)
	if m := nextMethod(t, p); m != "BYE" {
		t.Fatalf("SPEAKER on hook: %s, want BYE", m)
	}
	if audio.Opened(hal.Headset) != 0 {
		t.Error("the disabled headset was opened")
	}

	_, tx = p.invite(ictx, phonePort, media.SRTPRequired)
	if code := finalCode(t, tx); code != 488 {
		t.Fatalf("SRTP offer on a UDP line: %d, want 488", code)
	}
	r := waitCall(t, hub, func(c *status.Call) bool { return c.State == "refused" })
	if !strings.Contains(r.Reason, "encryption") {
		t.Errorf("refused reason %q", r.Reason)
	}
	cc.Dismiss()
	if now, _ := hub.Snapshot(); now.Call != nil {
		t.Errorf("after Dismiss: %+v", now.Call)
	}
}

func drainMethods(p *pbx) {
	for {
		select {
		case <-p.methods:
		default:
			return
		}
	}
}

func nextMethod(t *testing.T, p *pbx) string {
	t.Helper()
	select {
	case m := <-p.methods:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no request from the phone")
		return ""
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// present says, for each window of pcm, whether freq is in it (Goertzel):
// a tone of one or two frequencies puts at least a quarter of the window's
// energy in each of its bins. Telling 440 from 480 Hz takes 25 ms windows
// (40 Hz bins); 10 ms ones follow a cadence.
func present(pcm []int16, rate int, freq float64, window time.Duration) []bool {
	win := int(int64(rate) * int64(window) / int64(time.Second))
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var out []bool
	for w := 0; w+win <= len(pcm); w += win {
		var s1, s2, energy float64
		for _, v := range pcm[w : w+win] {
			x := float64(v)
			s1, s2 = x+coeff*s1-s2, s1
			energy += x * x
		}
		power := s1*s1 + s2*s2 - coeff*s1*s2 // |X(freq)|^2
		// A pure tone puts energy*win/2 in its bin.
		out = append(out, energy > 1e4*float64(win) && power > 0.25*energy*float64(win)/2)
	}
	return out
}

// beeps counts the bursts of freq in pcm, in 10 ms windows.
func beeps(pcm []int16, rate int, freq float64) int {
	n, on := 0, false
	for _, now := range present(pcm, rate, freq, 10*time.Millisecond) {
		if now && !on {
			n++
		}
		on = now
	}
	return n
}

// TestIndicationTone: three long beeps within 2 s for an encrypted call,
// six short ones for the others.
func TestIndicationTone(t *testing.T) {
	for level, want := range map[string]int{"encrypted": 3, "authenticated": 6, "nonsecure": 6} {
		tone := indicationTone(level)
		g := media.NewToneGenerator(tone, 8000)
		pcm := make([]int16, 2*8000)
		g.Read(pcm)
		if n := beeps(pcm, 8000, 1400); n != want {
			t.Errorf("%s: %d beeps in 2 s, want %d", level, n, want)
		}
		if !g.Done() {
			t.Errorf("%s: the tone lasts longer than 2 s", level)
		}
	}
}
