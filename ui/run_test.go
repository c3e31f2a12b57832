package ui

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/status"
)

func encodePNG(t testing.TB, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRunRedrawsAndStops(t *testing.T) {
	disp, keys := newFakeDisplay(320, 240), newFakeKeypad()
	hub := status.NewHub(phone())
	u := New(disp, keys, hub, fakeSettings{}, now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()

	first := <-disp.frames
	keys.keys <- hal.KeyVolUp // used by no screen: no frame
	keys.keys <- hal.KeyMenu
	menu := <-disp.frames
	if bytes.Equal(first.Pix, menu.Pix) {
		t.Fatal("MENU redrew the same frame")
	}
	if u.Depth() != 1 {
		t.Fatalf("MENU through the keypad: depth %d", u.Depth())
	}
	keys.keys <- hal.KeyBack
	if idle := <-disp.frames; !bytes.Equal(idle.Pix, first.Pix) {
		t.Fatal("BACK did not bring idle back")
	}

	hub.Update(func(p *status.Phone) { p.Inoperable = "802.1X authentication failed: wrong credentials" })
	out := <-disp.frames
	want := Render(disp.info, idleScreen{}, State{Phone: func() status.Phone { p, _ := hub.Snapshot(); return p }(), Now: fixedNow})
	if !bytes.Equal(out.Pix, want.Pix) {
		t.Fatal("the frame after a status change is not the new state's")
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if n := keys.busy(); n != 0 {
		t.Fatalf("%d NextKey calls still running after Run returned", n)
	}
	if leaked := runGoroutines(); leaked != "" {
		t.Fatalf("goroutines of Run still running:\n%s", leaked)
	}
	if len(disp.frames) != 0 {
		t.Fatalf("%d frames shown for nothing", len(disp.frames))
	}
}

func TestRunReturnsKeypadError(t *testing.T) {
	disp, keys := newFakeDisplay(132, 64), newFakeKeypad()
	u := New(disp, keys, status.NewHub(phone()), nil, now)
	done := make(chan error, 1)
	go func() { done <- u.Run(context.Background()) }()
	<-disp.frames
	close(keys.keys)
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "keypad unplugged") {
		t.Fatalf("Run with a failed keypad: %v", err)
	}
	if leaked := runGoroutines(); leaked != "" {
		t.Fatalf("goroutines of Run still running:\n%s", leaked)
	}
}

// runGoroutines returns the stacks of goroutines started by Run. Run waits
// for its goroutines before returning, so there must be none.
func runGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "ui.(*UI).Run.func") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// TestRunRedrawsAtTheMinute starts 10 ms before a minute boundary: the
// frame after the boundary must show the new minute.
func TestRunRedrawsAtTheMinute(t *testing.T) {
	var mu sync.Mutex
	clock := fixedNow.Add(59*time.Second + 990*time.Millisecond)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	disp := newFakeDisplay(132, 64)
	u := New(disp, newFakeKeypad(), status.NewHub(phone()), nil, now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	first := <-disp.frames
	mu.Lock()
	clock = fixedNow.Add(time.Minute)
	mu.Unlock()
	next := <-disp.frames
	want := Render(disp.info, idleScreen{}, State{Phone: phone(), Now: fixedNow.Add(time.Minute)})
	if bytes.Equal(first.Pix, next.Pix) || !bytes.Equal(next.Pix, want.Pix) {
		t.Fatal("the frame after the minute boundary does not show 08:31")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestRunCommitsTheOpenLetter: with no key pressed, Run redraws when the
// multi-tap letter's time is up, and the password's letter is masked.
func TestRunCommitsTheOpenLetter(t *testing.T) {
	s := newStoreUI(t, image.Pt(132, 64), phone())
	disp, keys := s.display.(*fakeDisplay), s.keypad.(*fakeKeypad)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	<-disp.frames
	for _, k := range []hal.Key{hal.KeyMenu, hal.KeyDown, hal.KeyOK, hal.Key2} {
		keys.keys <- k
		<-disp.frames
	}
	open := s.Frame()
	s.clock.advance(multiTapTimeout)
	committed := <-disp.frames // no key: the wake-up's frame
	if bytes.Equal(committed.Pix, open.Pix) || !bytes.Equal(committed.Pix, s.Frame().Pix) {
		t.Fatal("the frame after the multi-tap timeout does not show the letter committed")
	}
	if gate := s.Screen().(*adminGate); gate.pendKey != "" || string(gate.text) != "a" {
		t.Fatalf("after the timeout: open %q, text %q", gate.pendKey, string(gate.text))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
