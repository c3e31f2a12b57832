package ui

import (
	"image"
	"strings"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/provision/settings"
	"deskphone/status"
	"deskphone/ui/internal/golden"
)

// storeUI is a UI over a real settings store in a temporary directory,
// with a clock moved by hand.
type storeUI struct {
	*UI
	hub   *status.Hub
	store *settings.Store
	clock *fakeClock
}

func newStoreUI(t *testing.T, size image.Point, p status.Phone) *storeUI {
	t.Helper()
	store, err := settings.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: fixedNow}
	hub := status.NewHub(p)
	u := New(newFakeDisplay(size.X, size.Y), newFakeKeypad(), hub, store, clock.now)
	return &storeUI{UI: u, hub: hub, store: store, clock: clock}
}

// drive presses keys given by name; a token "+2s" moves the clock instead.
func (s *storeUI) drive(t *testing.T, keys string) {
	t.Helper()
	for _, tok := range strings.Fields(keys) {
		if strings.HasPrefix(tok, "+") {
			d, err := time.ParseDuration(tok[1:])
			if err != nil {
				t.Fatal(err)
			}
			s.clock.advance(d)
			continue
		}
		k, err := hal.ParseKey(tok)
		if err != nil {
			t.Fatal(err)
		}
		s.HandleKey(k)
	}
}

// Key sequences typed by multi-tap.
const (
	typeAdmin = "2 3 6 4 4 4 6 6"         // a d m i n
	typeAlice = "2 5 5 5 4 4 4 2 2 2 3 3" // a l i c e
	// MENU, Network, the admin password, 802.1X.
	toDot1X = "MENU DOWN OK " + typeAdmin + " OK OK"
)

func TestDot1XSaveAndFollow(t *testing.T) {
	p := phone()
	p.Dot1X = status.Dot1X{State: status.Dot1XDisabled}
	s := newStoreUI(t, image.Pt(320, 240), p)
	s.drive(t, toDot1X)
	form, ok := s.Screen().(*Form)
	if !ok || form.title != "802.1X" {
		t.Fatalf("the admin password and 802.1X opened %T", s.Screen())
	}
	// Mode: PEAP/MSCHAPv2 is the fourth option.
	s.drive(t, "OK DOWN DOWN DOWN OK")
	if form.edits["dot1x.mode"] != "3" {
		t.Fatalf("mode edit %q", form.edits["dot1x.mode"])
	}
	if got, _ := s.store.Get("dot1x.mode"); got != "0" {
		t.Fatalf("the store changed before Save: mode %q", got)
	}
	// Identity by multi-tap, then the password.
	s.drive(t, "DOWN OK "+typeAlice+" OK")
	s.drive(t, "DOWN OK 7 7 7 7 +1s 7 7 7 7 2 5 5 5 OK") // s s a l
	if s.Screen() != Screen(form) {
		t.Fatalf("OK in the editors left %T on top", s.Screen())
	}
	if keys := form.Softkeys(s.env()); keys[0].Label != "Save" {
		t.Fatalf("no Save offered with edits: %+v", keys[0])
	}
	s.drive(t, "SOFT1")
	for name, want := range map[string]string{"dot1x.mode": "3", "dot1x.identity": "alice", "dot1x.password": "ssal"} {
		if got, _ := s.store.Get(name); got != want {
			t.Errorf("after Save %s = %q, want %q", name, got, want)
		}
	}
	prog, ok := s.Screen().(*dot1xProgress)
	if !ok {
		t.Fatalf("Save opened %T", s.Screen())
	}
	head := func() string { h, more := prog.Lines(s.env()); return strings.Join(append([]string{h}, more...), "|") }
	if h := head(); h != "Saved|Waiting for 802.1X to restart" {
		t.Fatalf("before the supplicant moves: %q", h)
	}
	steps := []struct {
		d    status.Dot1X
		want string
	}{
		{status.Dot1X{State: status.Dot1XConnecting}, "Connecting"},
		{status.Dot1X{State: status.Dot1XAuthenticating, Method: "PEAP/MSCHAPv2"}, "Authenticating|PEAP/MSCHAPv2"},
		{status.Dot1X{State: status.Dot1XAuthenticated, Method: "PEAP/MSCHAPv2"}, "Authenticated|PEAP/MSCHAPv2"},
	}
	var last *image.Gray
	for _, st := range steps {
		s.hub.Update(func(p *status.Phone) { p.Dot1X = st.d })
		if h := head(); h != st.want {
			t.Fatalf("after %s the screen says %q, want %q", st.d.State, h, st.want)
		}
		frame := s.Frame()
		if last != nil && golden.Diff(frame, encodePNG(t, last)) == "" {
			t.Fatalf("the frame did not change at %s", st.d.State)
		}
		last = frame
	}
	// Done goes back to the form, which shows the saved values.
	s.drive(t, "SOFT4")
	if s.Screen() != Screen(form) || form.Edited() {
		t.Fatalf("Done left %T, edits %v", s.Screen(), form.edits)
	}
	// MENU goes home and the admin rights go with it.
	s.drive(t, "MENU MENU DOWN OK")
	if _, ok := s.Screen().(*adminGate); !ok {
		t.Fatalf("the admin rights outlived idle: %T", s.Screen())
	}
}

func TestAdminLockout(t *testing.T) {
	s := newStoreUI(t, image.Pt(132, 64), phone())
	s.drive(t, "MENU DOWN OK")
	gate, ok := s.Screen().(*adminGate)
	if !ok {
		t.Fatalf("Network opened %T without the password", s.Screen())
	}
	s.drive(t, "1 OK 2 2 OK")
	if gate.locked(s.env()) || !strings.Contains(gate.msg, "1 try left") {
		t.Fatalf("two wrong passwords: locked %v, msg %q", gate.locked(s.env()), gate.msg)
	}
	s.drive(t, "3 OK")
	if !gate.locked(s.env()) {
		t.Fatal("three wrong passwords did not lock")
	}
	// Locked: the right password is not even read, and leaving does not
	// reset the lock.
	s.drive(t, typeAdmin+" OK BACK OK "+typeAdmin+" OK")
	if g, ok := s.Screen().(*adminGate); !ok || !g.locked(s.env()) {
		t.Fatalf("the lock let through: %T", s.Screen())
	}
	s.drive(t, "+59s")
	if at := s.Screen().(waker).WakeAt(s.clock.now()); !at.Equal(s.clock.now().Add(time.Second)) {
		t.Fatalf("the countdown wakes at %v", at)
	}
	s.drive(t, "+1s "+typeAdmin+" OK")
	if l, ok := s.Screen().(*List); !ok || l.title != "Network" {
		t.Fatalf("after the minute the right password opened %T", s.Screen())
	}
	// A changed password is the one asked.
	if err := s.store.Set("security.admin_password", "9"); err != nil {
		t.Fatal(err)
	}
	s.drive(t, "MENU MENU DOWN OK "+typeAdmin+" OK")
	if _, ok := s.Screen().(*adminGate); !ok {
		t.Fatal("the old password still opens")
	}
	s.drive(t, "# # 9 OK") // 123 mode
	if _, ok := s.Screen().(*List); !ok {
		t.Fatalf("the new password did not open: %T", s.Screen())
	}
}

func TestMultiTap(t *testing.T) {
	clock := &fakeClock{t: fixedNow}
	e := &Env{State: State{Now: clock.now()}, Theme: ThemeFor(hal.DisplayInfo{Width: 320, Height: 240})}
	te := NewTextEntry("t", "l", "", 8, nil)
	keys := func(ks ...hal.Key) {
		for _, k := range ks {
			te.Key(k, e)
		}
	}
	keys(hal.Key2, hal.Key2) // b, open
	if te.Text() != "b" || te.pendKey == "" {
		t.Fatalf("2 2 = %q, open %q", te.Text(), te.pendKey)
	}
	e.Now = e.Now.Add(multiTapTimeout - time.Millisecond)
	keys(hal.Key2) // still the same letter: c
	e.Now = e.Now.Add(multiTapTimeout)
	keys(hal.Key2) // the pause committed c: a new a
	if te.Text() != "ca" {
		t.Fatalf("with a pause: %q", te.Text())
	}
	keys(hal.KeyPound, hal.Key7, hal.Key7, hal.Key7, hal.Key7, hal.Key7, hal.KeyPound, hal.Key5, hal.Key0, hal.Key0)
	// ABC: the fifth 7 is the digit; then 123: 5 0 0.
	if te.Text() != "ca7500" {
		t.Fatalf("modes: %q", te.Text())
	}
	keys(hal.KeyPound, hal.Key0, hal.Key1) // abc: space, then '.'
	if te.Text() != "ca7500 ." {
		t.Fatalf("0 and 1: %q", te.Text())
	}
	keys(hal.Key9) // the ninth character does not fit
	if te.Text() != "ca7500 ." || te.msg == "" {
		t.Fatalf("past the limit: %q, msg %q", te.Text(), te.msg)
	}
	te.deleteLast()
	te.deleteLast()
	keys(hal.Key3, hal.Key3, hal.Key3)
	if te.Text() != "ca7500f" {
		t.Fatalf("after two deletes: %q", te.Text())
	}
	if at := te.WakeAt(e.Now); !at.Equal(e.Now.Add(multiTapTimeout)) {
		t.Fatalf("an open letter wakes at %v", at)
	}
}

func TestSymbolsAndSecretEntry(t *testing.T) {
	s := newStoreUI(t, image.Pt(320, 240), phone())
	s.drive(t, toDot1X+" DOWN OK 2 * RIGHT RIGHT OK 3")
	te := s.Screen().(*TextEntry)
	if te.Text() != `a"d` {
		t.Fatalf("a, the third symbol, d: %q", te.Text())
	}
	// The password field: opened empty, committed letters masked, so two
	// passwords of one length draw the same frame once committed; the open
	// letter alone shows.
	if err := s.store.Set("dot1x.password", "old"); err != nil {
		t.Fatal(err)
	}
	s.drive(t, "SOFT4 DOWN OK 2 +1s 3")
	pw := s.Screen().(*TextEntry)
	if !pw.secret || pw.Text() != "ad" {
		t.Fatalf("password entry secret=%v", pw.secret)
	}
	open := s.Frame()
	s.drive(t, "+1s")
	ad := s.Frame()
	s.drive(t, "SOFT4 OK 9 +1s 8 +1s")
	if golden.Diff(s.Frame(), encodePNG(t, ad)) != "" {
		t.Fatal("a committed password shows more than its length")
	}
	if golden.Diff(open, encodePNG(t, ad)) == "" {
		t.Fatal("the open letter is not shown")
	}
}

func TestSaveRefusedNamesTheSetting(t *testing.T) {
	s := newStoreUI(t, image.Pt(320, 240), phone())
	if err := s.store.Set("dot1x.reauth_period", "10"); err != nil {
		t.Fatal(err)
	}
	s.drive(t, toDot1X+" OK DOWN DOWN OK SOFT1") // EAP-TLS needs a period of 20 s or more
	page, ok := s.Screen().(*InfoPage)
	if !ok || page.title != "Not saved" {
		t.Fatalf("a refused Save showed %T", s.Screen())
	}
	rows := page.rows(s.env())
	if len(rows) != 1 || rows[0].Label != "dot1x.reauth_period" || !strings.Contains(rows[0].Value, "EAP-TLS") {
		t.Fatalf("the refusal says %+v", rows)
	}
	if got, _ := s.store.Get("dot1x.mode"); got != "0" {
		t.Fatalf("a refused Save changed the mode to %q", got)
	}
	s.drive(t, "BACK")
	if f, ok := s.Screen().(*Form); !ok || f.edits["dot1x.mode"] != "2" {
		t.Fatal("the edits were lost after a refused Save")
	}
	// BACK warns once, then drops the edits.
	s.drive(t, "BACK")
	if _, ok := s.Screen().(*Form); !ok {
		t.Fatal("BACK with unsaved edits left at once")
	}
	s.drive(t, "BACK")
	if l, ok := s.Screen().(*List); !ok || l.title != "Network" {
		t.Fatalf("the second BACK went to %T", s.Screen())
	}
}

func TestProvisionOnlyRefused(t *testing.T) {
	s := newStoreUI(t, image.Pt(320, 240), phone())
	s.drive(t, "MENU DOWN DOWN OK "+typeAdmin+" OK")
	f := s.Screen().(*Form)
	// Line 1-4 modes, LSC, Trust list, then FIPS (provisioning only).
	s.drive(t, "DOWN DOWN DOWN DOWN DOWN DOWN OK")
	if f.Edited() || f.msg != "Set by provisioning only" {
		t.Fatalf("OK on FIPS: edits %v, msg %q", f.edits, f.msg)
	}
	// Web access is the keypad's to change.
	s.drive(t, "DOWN DOWN DOWN OK SOFT1")
	if got, _ := s.store.Get("security.web_access"); got != "off" {
		t.Fatalf("web access after the toggle and Save: %q", got)
	}
}

func TestInoperableDot1XKey(t *testing.T) {
	p := phone()
	p.Dot1X = status.Dot1X{State: status.Dot1XFailed, Method: "PEAP", Reason: "wrong credentials"}
	p.Inoperable = "802.1X authentication failed: wrong credentials"
	s := newStoreUI(t, image.Pt(132, 64), p)
	s.drive(t, "SOFT3")
	if _, ok := s.Screen().(*adminGate); !ok {
		t.Fatalf("the 802.1X softkey opened %T", s.Screen())
	}
	s.drive(t, typeAdmin+" OK")
	if f, ok := s.Screen().(*Form); !ok || f.title != "802.1X" {
		t.Fatalf("the password opened %T", s.Screen())
	}
}

// TestGoldenMenus draws every menu screen at both panel sizes, driven by
// keys over a real store.
func TestGoldenMenus(t *testing.T) {
	idleCall := func(sec string, encrypted bool) status.Phone {
		p := phone()
		p.Lines[0].Security = sec
		p.Call = &status.Call{Line: 1, State: "connected", Peer: "Alice Martin <2001>", Encrypted: encrypted}
		return p
	}
	dot1xState := func(d status.Dot1X) func(*storeUI) {
		return func(s *storeUI) { s.hub.Update(func(p *status.Phone) { p.Dot1X = d }) }
	}
	const security = "MENU DOWN DOWN OK " + typeAdmin + " OK"
	cases := []struct {
		name   string
		phone  status.Phone
		keys   string
		noInfo bool           // no SecurityInfo wired
		after  func(*storeUI) // status changes after the keys
		push   func() Screen  // opened before the keys
	}{
		{name: "admin_typing", keys: "MENU DOWN OK 2 3 6 4"},
		{name: "admin_wrong", keys: "MENU DOWN OK 1 OK"},
		{name: "admin_locked", keys: "MENU DOWN OK 1 OK 1 OK 1 OK +18s"},
		{name: "network", keys: "MENU DOWN OK " + typeAdmin + " OK"},
		{name: "addresses", keys: "MENU DOWN OK " + typeAdmin + " OK DOWN OK"},
		{name: "dot1x", keys: toDot1X},
		{name: "dot1x_nothing_installed", keys: toDot1X, noInfo: true},
		{name: "dot1x_mode", keys: toDot1X + " OK DOWN DOWN DOWN"},
		{name: "dot1x_edited", keys: toDot1X + " OK DOWN DOWN DOWN OK"},
		{name: "dot1x_identity", keys: toDot1X + " DOWN OK 2 5 5 5 4 4 4 2 2"},
		{name: "dot1x_identity_upper", keys: toDot1X + " DOWN OK 2 5 5 5 # 4 4"},
		{name: "dot1x_identity_digits", keys: toDot1X + " DOWN OK 2 # # 4 2"},
		{name: "dot1x_password", keys: toDot1X + " DOWN DOWN OK 2 3 +1s 3 6"},
		{name: "symbols", keys: toDot1X + " DOWN OK * DOWN RIGHT"},
		{name: "cert_ca", keys: toDot1X + " DOWN DOWN DOWN OK"},
		{name: "cert_none", keys: toDot1X + " DOWN DOWN DOWN OK", noInfo: true},
		{name: "dot1x_saved", keys: toDot1X + " OK DOWN DOWN DOWN OK SOFT1"},
		{name: "dot1x_connecting", keys: toDot1X + " OK DOWN DOWN DOWN OK SOFT1",
			after: dot1xState(status.Dot1X{State: status.Dot1XConnecting})},
		{name: "dot1x_authenticating", keys: toDot1X + " OK DOWN DOWN DOWN OK SOFT1",
			after: dot1xState(status.Dot1X{State: status.Dot1XAuthenticating, Method: "PEAP/MSCHAPv2"})},
		{name: "dot1x_authenticated", keys: toDot1X + " OK DOWN DOWN DOWN OK SOFT1",
			after: dot1xState(status.Dot1X{State: status.Dot1XAuthenticated, Method: "PEAP/MSCHAPv2"})},
		{name: "dot1x_failed", keys: toDot1X + " OK DOWN DOWN DOWN OK SOFT1",
			after: dot1xState(status.Dot1X{State: status.Dot1XFailed, Method: "PEAP/MSCHAPv2", Reason: "server rejected the credentials (EAP-Failure)"})},
		{name: "save_refused", keys: toDot1X + " OK DOWN DOWN OK SOFT1"},
		{name: "security", keys: security},
		{name: "security_provisioned", keys: security + " DOWN DOWN DOWN DOWN DOWN DOWN"},
		{name: "security_end", keys: security + " UP"},
		{name: "trust_list", keys: security + " DOWN DOWN DOWN DOWN DOWN OK"},
		{name: "trust_list_none", keys: security + " DOWN DOWN DOWN DOWN DOWN OK", noInfo: true},
		{name: "settings", keys: "MENU UP OK " + typeAdmin + " OK"},
		{name: "number_entry", push: func() Screen { return NewForm("Network").Setting("net.voice_vlan", "Voice VLAN") }, keys: "OK"},
		{name: "call_encrypted", phone: idleCall("encrypted", true)},
		{name: "call_authenticated", phone: idleCall("authenticated", false)},
		{name: "call_nonsecure", phone: idleCall("nonsecure", false)},
	}
	for _, tc := range cases {
		for _, size := range sizes {
			name := tc.name + "_" + sizeName(size)
			t.Run(name, func(t *testing.T) {
				p := tc.phone
				if p.Firmware == "" {
					p = phone()
				}
				s := newStoreUI(t, size, p)
				if tc.name == "save_refused" {
					if err := s.store.Set("dot1x.reauth_period", "10"); err != nil {
						t.Fatal(err)
					}
				}
				if !tc.noInfo {
					s.SetSecurityInfo(installedSecurity())
				}
				if tc.push != nil {
					s.stack = append(s.stack, tc.push())
				}
				s.drive(t, tc.keys)
				if tc.after != nil {
					tc.after(s)
				}
				img := s.Frame()
				checkMono(t, img)
				golden.Check(t, name, img)
			})
		}
	}
}

func TestNumberSettingAndUnreadableStore(t *testing.T) {
	s := newStoreUI(t, image.Pt(132, 64), phone())
	s.drive(t, "MENU DOWN OK "+typeAdmin+" OK")
	f := NewForm("Network").Setting("net.voice_vlan", "Voice VLAN")
	s.mu.Lock()
	s.stack = append(s.stack, f)
	s.mu.Unlock()
	// A number: the first digit replaces the value shown, the digits type
	// themselves, # and * change nothing.
	s.drive(t, "OK 4 # 0 * 9 4")
	if te := s.Screen().(*TextEntry); te.Text() != "4094" {
		t.Fatalf("typed 4094 over 0: %q", te.Text())
	}
	s.drive(t, "OK")
	if f.edits["net.voice_vlan"] != "4094" {
		t.Fatalf("typed 4094: edits %v", f.edits)
	}
	// Out of range: the editor says why and keeps the text.
	s.drive(t, "OK")
	te := s.Screen().(*TextEntry)
	s.drive(t, "9 SOFT2 4 0 9 9 9 OK") // 9 replaces 4094, then 40999
	if s.Screen() != Screen(te) || !strings.Contains(te.msg, "out of range") || te.Text() != "40999" {
		t.Fatalf("a refused number: %T, msg %q, text %q", s.Screen(), te.msg, te.Text())
	}
	s.drive(t, "SOFT4 SOFT1")
	if got, _ := s.store.Get("net.voice_vlan"); got != "4094" {
		t.Fatalf("voice VLAN after Save: %q", got)
	}

	// A store that cannot answer opens nothing.
	u := New(newFakeDisplay(132, 64), newFakeKeypad(), status.NewHub(phone()), fakeSettings{fail: true}, now)
	press(t, u, "MENU DOWN OK 2 3 6 4 4 4 6 6 OK")
	if g, ok := u.Screen().(*adminGate); !ok || g.msg != "Settings unavailable" {
		t.Fatalf("an unreadable store: %T", u.Screen())
	}
}
