package ui

import (
	"fmt"
	"image"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/status"
	"deskphone/ui/internal/golden"
)

// fixedNow is the time of every golden frame.
var fixedNow = time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)

func now() time.Time { return fixedNow }

// phone is the fixed status of the golden frames: link up, 802.1X passed,
// encrypted signalling, two lines (one registered, one not).
func phone() status.Phone {
	return status.Phone{
		Firmware: "0.1.0",
		Board:    "sim",
		Network:  status.Network{LinkUp: true, MAC: "02:00:5e:10:00:01", IP: "192.0.2.10", Stage: "ready"},
		Dot1X:    status.Dot1X{State: status.Dot1XAuthenticated, Method: "PEAP"},
		Lines: []status.Line{
			{Index: 1, Label: "1001", State: status.LineRegistered, Security: "encrypted"},
			{Index: 2, Label: "Support desk", State: status.LineUnregistered},
		},
		Provision: status.Provision{Result: "ok", At: fixedNow.Add(-18 * time.Minute), Server: "https://prov.example.com"},
		Security:  status.Security{Mode: "encrypted"},
	}
}

func newUI(w, h int, p status.Phone) (*UI, *status.Hub) {
	hub := status.NewHub(p)
	u := New(newFakeDisplay(w, h), newFakeKeypad(), hub, fakeSettings{values: map[string]string{"phone.name": "Reception"}}, now)
	return u, hub
}

func press(t *testing.T, u *UI, keys string) {
	t.Helper()
	ks, err := hal.ParseKeys(keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		u.HandleKey(k)
	}
}

var sizes = []image.Point{{320, 240}, {132, 64}}

func sizeName(s image.Point) string { return fmt.Sprintf("%dx%d", s.X, s.Y) }

func TestGoldenFrames(t *testing.T) {
	unregistered := phone()
	unregistered.Lines = []status.Line{{Index: 1, Label: "1001", State: status.LineFailed, Reason: "403 Forbidden"}}
	unregistered.Dot1X = status.Dot1X{State: status.Dot1XDisabled}
	unregistered.Security.Mode = "authenticated"
	inoperable := phone()
	inoperable.Dot1X = status.Dot1X{State: status.Dot1XFailed, Method: "PEAP", Reason: "wrong credentials"}
	inoperable.Network.IP = ""
	inoperable.Inoperable = "802.1X authentication failed: wrong credentials"
	four := phone()
	four.Network.LinkUp = false
	four.Lines = append(four.Lines,
		status.Line{Index: 3, Label: "", State: status.LineRegistering},
		status.Line{Index: 4, Label: "Night service", State: status.LineRegistered})

	cases := []struct {
		name  string
		phone status.Phone
		keys  string
		dial  bool
	}{
		{"idle_registered", phone(), "", false},
		{"idle_unregistered", unregistered, "", false},
		{"idle_inoperable", inoperable, "", false},
		{"idle_four_lines", four, "", false},
		{"dial", phone(), "0 1 7 1 2 3 4 5 6 7 8 #", true},
		{"dial_no_dialer", phone(), "5 5 5", false},
		{"menu", phone(), "MENU DOWN", false},
		{"status", phone(), "MENU OK", false},
		{"status_inoperable", inoperable, "SOFT2", false},
		{"admin_gate", phone(), "MENU DOWN OK", false},
	}
	for _, tc := range cases {
		for _, size := range sizes {
			name := tc.name + "_" + sizeName(size)
			t.Run(name, func(t *testing.T) {
				u, _ := newUI(size.X, size.Y, tc.phone)
				if tc.dial {
					u.SetDialer(func(string) {})
				}
				press(t, u, tc.keys)
				img := u.Frame()
				checkMono(t, img)
				golden.Check(t, name, img)
			})
		}
	}
}

// checkMono fails on any pixel a mono panel could not show.
func checkMono(t *testing.T, img *image.Gray) {
	t.Helper()
	for i, v := range img.Pix {
		if v != 0 && v != 0xff {
			t.Fatalf("pixel %d is gray %#x", i, v)
		}
	}
}

func TestRenderMatchesUIFrame(t *testing.T) {
	for _, size := range sizes {
		u, hub := newUI(size.X, size.Y, phone())
		p, _ := hub.Snapshot()
		img := Render(hal.DisplayInfo{Width: size.X, Height: size.Y}, idleScreen{}, State{Phone: p, PhoneName: "Reception", Now: fixedNow})
		if d := golden.Diff(img, encodePNG(t, u.Frame())); d != "" {
			t.Errorf("%v: Render and Frame differ: %s", size, d)
		}
	}
}

func TestMenuKeys(t *testing.T) {
	u, _ := newUI(320, 240, phone())
	press(t, u, "MENU")
	menu, ok := u.Screen().(*List)
	if !ok || u.Depth() != 1 {
		t.Fatalf("MENU opened %T at depth %d", u.Screen(), u.Depth())
	}
	press(t, u, "DOWN DOWN")
	if menu.Selected() != 2 {
		t.Fatalf("DOWN DOWN selected %d", menu.Selected())
	}
	press(t, u, "UP UP UP") // wraps to the last entry
	if menu.Selected() != len(menu.Items)-1 {
		t.Fatalf("UP past the top selected %d", menu.Selected())
	}
	press(t, u, "DOWN OK") // wraps to the first, then opens Status
	if _, ok := u.Screen().(*InfoPage); !ok || u.Depth() != 2 {
		t.Fatalf("OK on Status opened %T at depth %d", u.Screen(), u.Depth())
	}
	press(t, u, "BACK")
	if u.Screen() != Screen(menu) {
		t.Fatalf("BACK from Status went to %T", u.Screen())
	}
	press(t, u, "DOWN DOWN SOFT1") // the Select softkey
	if _, ok := u.Screen().(*adminGate); !ok {
		t.Fatalf("Security opened %T without the admin password", u.Screen())
	}
	press(t, u, "SOFT4 SOFT4") // Cancel, Back
	if _, ok := u.Screen().(idleScreen); !ok {
		t.Fatalf("two Backs left %T", u.Screen())
	}
	press(t, u, "MENU DOWN OK MENU")
	if u.Depth() != 0 {
		t.Fatalf("MENU on a sub-page did not go home: depth %d", u.Depth())
	}
	if u.HandleKey(hal.KeyBack) {
		t.Error("BACK on idle was used")
	}
}

func TestDialKeys(t *testing.T) {
	u, _ := newUI(132, 64, phone())
	press(t, u, "1 2 3")
	d, ok := u.Screen().(*dialScreen)
	if !ok || d.number != "123" {
		t.Fatalf("digits opened %T %+v", u.Screen(), d)
	}
	if keys := d.Softkeys(u.env()); keys[0].Label != "" || keys[0].Do != nil {
		t.Fatalf("Dial offered with no dialer: %+v", keys[0])
	}
	press(t, u, "OK") // no dialer: nothing happens
	if u.Screen() != Screen(d) {
		t.Fatal("OK without a dialer left the dial screen")
	}
	press(t, u, "BACK SOFT2")
	if d.number != "1" {
		t.Fatalf("BACK and Delete left %q", d.number)
	}
	press(t, u, "BACK")
	if u.Depth() != 0 {
		t.Fatalf("BACK on the last digit left depth %d", u.Depth())
	}
	press(t, u, "4 SOFT4")
	if u.Depth() != 0 {
		t.Fatal("Cancel did not go home")
	}
	for range maxDigits + 5 {
		u.HandleKey(hal.Key9)
	}
	if d := u.Screen().(*dialScreen); len(d.number) != maxDigits {
		t.Fatalf("dial buffer holds %d digits", len(d.number))
	}
}

func TestDialerAndRedial(t *testing.T) {
	u, _ := newUI(320, 240, phone())
	var dialed []string
	u.SetDialer(func(n string) {
		dialed = append(dialed, n)
		u.Depth() // the dialer may call back into the UI
	})
	press(t, u, "SOFT3") // no Redial before a number was dialed
	if u.Depth() != 0 {
		t.Fatal("Redial acted with nothing dialed")
	}
	press(t, u, "2 0 0 # SOFT1")
	if len(dialed) != 1 || dialed[0] != "200#" || u.Depth() != 0 {
		t.Fatalf("Dial handed %q, depth %d", dialed, u.Depth())
	}
	press(t, u, "SOFT3 OK")
	if len(dialed) != 2 || dialed[1] != "200#" {
		t.Fatalf("Redial then OK dialed %q", dialed)
	}
}

func TestInoperableRefusesDigits(t *testing.T) {
	p := phone()
	p.Inoperable = "802.1X authentication failed: wrong credentials"
	u, _ := newUI(320, 240, p)
	if u.HandleKey(hal.Key5) || u.Depth() != 0 {
		t.Fatal("a digit opened the dial screen on a phone out of service")
	}
	press(t, u, "MENU") // the menu stays reachable, to fix the cause
	if u.Depth() != 1 {
		t.Fatal("MENU refused on a phone out of service")
	}
}

func TestSettingsErrorShowsNoName(t *testing.T) {
	hub := status.NewHub(phone())
	broken := New(newFakeDisplay(320, 240), newFakeKeypad(), hub, fakeSettings{fail: true}, now)
	unnamed := New(newFakeDisplay(320, 240), newFakeKeypad(), hub, fakeSettings{}, now)
	if broken.State().PhoneName != "" {
		t.Fatal("a failing store gave a name")
	}
	if d := golden.Diff(broken.Frame(), encodePNG(t, unnamed.Frame())); d != "" {
		t.Errorf("a failing store draws differently from an unset name: %s", d)
	}
	named, _ := newUI(320, 240, phone())
	if golden.Diff(named.Frame(), encodePNG(t, unnamed.Frame())) == "" {
		t.Error("phone.name is not shown")
	}
}

func TestUntilNextMinute(t *testing.T) {
	for in, want := range map[time.Time]time.Duration{
		fixedNow:                              time.Minute,
		fixedNow.Add(59 * time.Second):        time.Second,
		fixedNow.Add(1500 * time.Millisecond): 58500 * time.Millisecond,
	} {
		if got := untilNextMinute(in); got != want {
			t.Errorf("untilNextMinute(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestStatusPageScrolls(t *testing.T) {
	u, _ := newUI(132, 64, phone())
	press(t, u, "SOFT2")
	page := u.Screen().(*InfoPage)
	top := u.Frame()
	press(t, u, "UP") // already at the top
	if page.scroll != 0 {
		t.Fatalf("UP at the top scrolled to %d", page.scroll)
	}
	for range 50 {
		u.HandleKey(hal.KeyDown)
		u.Frame() // a frame learns how far the page can scroll
	}
	if page.scroll == 0 || page.scroll != page.max {
		t.Fatalf("scrolled to %d of %d", page.scroll, page.max)
	}
	if golden.Diff(u.Frame(), encodePNG(t, top)) == "" {
		t.Fatal("scrolling did not change the frame")
	}
	golden.Check(t, "status_end_132x64", u.Frame())
}

func TestStatusNamesRejectedFiles(t *testing.T) {
	u, hub := newUI(320, 240, phone())
	hub.Update(func(p *status.Phone) {
		p.Provision.Result = "partial"
		p.Provision.Files = []status.FileResult{
			{Name: "SEP02005E100001.cnf.xml", Outcome: "applied"},
			{Name: "46xxsettings.txt", Outcome: "rejected", Reason: "line 7: setting dot1x.mode: not one of 0-7"},
		}
	})
	var got []InfoRow
	for _, r := range statusRows(u.env()) {
		if r.Label == "46xxsettings.txt" || r.Label == "SEP02005E100001.cnf.xml" {
			got = append(got, r)
		}
	}
	if len(got) != 1 || got[0].Value != "rejected: line 7: setting dot1x.mode: not one of 0-7" {
		t.Fatalf("status rows for the files: %+v", got)
	}
}
