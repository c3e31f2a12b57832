package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"deskphone/hal"
	"deskphone/status"
	"deskphone/ui/internal/golden"
)

// fakeCalls records what the call screens ask for.
type fakeCalls struct {
	mu   sync.Mutex
	acts []string
}

func (f *fakeCalls) rec(s string) error {
	f.mu.Lock()
	f.acts = append(f.acts, s)
	f.mu.Unlock()
	return nil
}
func (f *fakeCalls) Answer(id string) error { return f.rec("answer " + id) }
func (f *fakeCalls) Reject(id string) error { return f.rec("reject " + id) }
func (f *fakeCalls) Hangup(id string) error { return f.rec("hangup " + id) }
func (f *fakeCalls) Hold(id string) error   { return f.rec("hold " + id) }
func (f *fakeCalls) Resume(id string) error { return f.rec("resume " + id) }
func (f *fakeCalls) SendDigit(id string, d rune) error {
	return f.rec(fmt.Sprintf("digit %s %c", id, d))
}
func (f *fakeCalls) Audio(k hal.Key)      { _ = f.rec("audio " + string(k)) }
func (f *fakeCalls) DialWith(n, p string) { _ = f.rec("dial " + n + " " + p) }
func (f *fakeCalls) Dismiss()             { _ = f.rec("dismiss") }

func (f *fakeCalls) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.acts
	f.acts = nil
	return a
}

var _ CallControl = (*fakeCalls)(nil)

// callPhone is phone() with calls: the first in focus.
func callPhone(calls ...status.Call) status.Phone {
	p := phone()
	p.Calls = calls
	p.Call = &p.Calls[0]
	return p
}

var (
	incoming = status.Call{ID: "in1", Line: 1, State: "incoming", Direction: "incoming", Peer: "Alice Martin <2001>",
		Security: "encrypted", Encrypted: true, Precedence: "flash"}
	active = status.Call{ID: "c1", Line: 1, State: "established", Direction: "outgoing", Peer: "Bob <2002>",
		Security: "authenticated", Codec: "G722", Endpoint: "handset"}
	held = status.Call{ID: "c2", Line: 2, State: "held", Held: true, Direction: "incoming", Peer: "Carol <2003>",
		Security: "encrypted", Encrypted: true, Codec: "PCMU", SRTPSuite: "AES_CM_128_HMAC_SHA1_80"}
	refused = status.Call{ID: "r1", Line: 1, State: "refused", Direction: "incoming", Peer: "Mallory <2666>",
		Security: "nonsecure", Reason: "the caller offered no encryption (line is encrypted)"}
	withStats = status.Call{ID: "c3", Line: 1, State: "established", Direction: "outgoing", Peer: "Dave <2004>",
		Security: "encrypted", Encrypted: true, Codec: "PCMA", SRTPSuite: "AEAD_AES_128_GCM", Endpoint: "speaker",
		PacketsSent: 1500, PacketsReceived: 1470, Lost: 30, LossPercent: 2.0, JitterMs: 4.5, RTTMs: 38, Precedence: "immediate"}
)

// TestCallGoldens draws the call screens at both panel sizes: an incoming
// call with its precedence, a call with another on hold, a call on hold,
// a refused call's reason, the call information page and the dial screen
// with a precedence picked.
func TestCallGoldens(t *testing.T) {
	cases := []struct {
		name  string
		phone status.Phone
		keys  string
	}{
		{"call_incoming", callPhone(incoming), ""},
		{"call_with_held", callPhone(active, held), ""},
		{"call_on_hold", callPhone(held), ""},
		{"call_refused", callPhone(refused), ""},
		{"call_info", callPhone(withStats), "SOFT2"},
		{"dial_precedence", phone(), "2 0 0 1 SOFT3 SOFT3 SOFT3 SOFT3"},
	}
	for _, tc := range cases {
		for _, size := range sizes {
			name := tc.name + "_" + sizeName(size)
			t.Run(name, func(t *testing.T) {
				u, _ := newUI(size.X, size.Y, tc.phone)
				u.SetCallControl(&fakeCalls{})
				press(t, u, tc.keys)
				img := u.Frame()
				checkMono(t, img)
				golden.Check(t, name, img)
			})
		}
	}
}

// TestCallKeys: the softkeys, the hook switch, digits and line keys of the
// call screens ask the call control for the right action on the right call.
func TestCallKeys(t *testing.T) {
	u, hub := newUI(132, 64, callPhone(incoming))
	f := &fakeCalls{}
	press(t, u, "SOFT1")
	if got := f.take(); len(got) != 0 {
		t.Fatalf("without a call control: %v", got)
	}
	u.SetCallControl(f)
	steps := []struct {
		phone status.Phone
		keys  string
		want  []string
	}{
		{callPhone(incoming), "SOFT1", []string{"answer in1"}},
		{callPhone(incoming), "SOFT2", []string{"reject in1"}},
		{callPhone(incoming), "OK HOOK_OFF SPEAKER", []string{"answer in1", "audio HOOK_OFF", "audio SPEAKER"}},
		{callPhone(active, held), "5 # SOFT1 SOFT4", []string{"digit c1 5", "digit c1 #", "hold c1", "hangup c1"}},
		{callPhone(active, held), "SOFT3 LINE2 LINE1", []string{"resume c2", "resume c2"}},
		{callPhone(held), "SOFT1 5", []string{"resume c2"}},
		{callPhone(refused), "SOFT1", []string{"dismiss"}},
		{phone(), "HOOK_OFF SPEAKER HOOK_ON", []string{"audio HOOK_OFF", "audio SPEAKER", "audio HOOK_ON"}},
	}
	for _, s := range steps {
		hub.Update(func(p *status.Phone) { *p = s.phone })
		press(t, u, s.keys)
		if got := f.take(); !slices.Equal(got, s.want) {
			t.Errorf("%s on %s: %v, want %v", s.keys, s.phone.Call.State, got, s.want)
		}
	}
	// Info opens the call's facts; they are read from the status.
	hub.Update(func(p *status.Phone) { *p = callPhone(withStats) })
	press(t, u, "SOFT2")
	if p, ok := u.Screen().(*InfoPage); !ok || p.Title(nil) != "Call info" {
		t.Fatalf("Info opened %T", u.Screen())
	}
	var rows []string
	for _, r := range u.Screen().(*InfoPage).rows(u.env()) {
		rows = append(rows, r.Label+"="+r.Value)
	}
	for _, want := range []string{"Codec=PCMA", "SRTP=AEAD_AES_128_GCM", "Loss=2.0% (30)", "Jitter=4.5 ms", "RTT=38 ms", "Precedence=immediate"} {
		if !slices.Contains(rows, want) {
			t.Errorf("call info %v lacks %s", rows, want)
		}
	}

	// Dialling with a precedence: the Prec softkey cycles the levels.
	press(t, u, "MENU")
	hub.Update(func(p *status.Phone) { *p = phone() })
	press(t, u, "2 0 0 2 SOFT3 SOFT3 SOFT3 SOFT3 SOFT1")
	if got := f.take(); !slices.Equal(got, []string{"dial 2002 flash"}) {
		t.Errorf("dial: %v", got)
	}
	press(t, u, "2 0 0 3 SOFT1")
	if got := f.take(); !slices.Equal(got, []string{"dial 2003 "}) {
		t.Errorf("dial without precedence: %v", got)
	}
}

// TestCallLineWords: the bottom line of the call screen.
func TestCallLineWords(t *testing.T) {
	cases := []struct {
		p    status.Phone
		want string
	}{
		{callPhone(incoming), "Flash call"},
		{callPhone(active, held), "Established - line 2 held"},
		{callPhone(held), "On hold"},
		{callPhone(status.Call{ID: "x", State: "established", RemoteHeld: true}), "Held by the other party"},
		{callPhone(refused), "Refused: the caller offered no encryption (line is encrypted)"},
	}
	for _, c := range cases {
		if got := callLineWords(&c.p); got != c.want {
			t.Errorf("%+v: %q, want %q", *c.p.Call, got, c.want)
		}
	}
	if !strings.HasPrefix(callLineWords(ptr(callPhone(withStats))), "Established (Immediate)") {
		t.Error("an outgoing precedence call does not say its level")
	}
}

func ptr(p status.Phone) *status.Phone { return &p }
