package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	boardsim "deskphone/board/sim"
	"deskphone/hal"
	"deskphone/provision/settings"
	"deskphone/status"
	"deskphone/ui"
)

// simPhone is the simulator board with the LCD running, in process.
func simPhone(b *testing.B) (*boardsim.Sim, func()) {
	store, err := settings.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	hub := status.NewHub(status.Phone{Firmware: "bench"})
	s, err := boardsim.New(boardsim.Config{Display: hal.DisplayInfo{Width: 320, Height: 240}, Status: hub})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		ui.New(s.Display, s.Keypad, hub, store, time.Now).Run(ctx)
		close(done)
	}()
	if _, _, err := s.Display.WaitFrame(ctx, 0); err != nil {
		b.Fatal(err)
	}
	return s, func() { cancel(); <-done }
}

// BenchmarkKeypressToFrame: from a key press on the simulator's keypad to
// the new frame on its panel (menu navigation, every key changes the frame).
func BenchmarkKeypressToFrame(b *testing.B) {
	s, stop := simPhone(b)
	defer stop()
	ctx := context.Background()
	_, seq := s.Display.Frame()
	s.Keypad.Press(hal.KeyMenu)
	_, seq, _ = s.Display.WaitFrame(ctx, seq)
	keys := []hal.Key{hal.KeyDown, hal.KeyUp}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.Keypad.Press(keys[i%2])
		_, seq, _ = s.Display.WaitFrame(ctx, seq)
	}
}

// BenchmarkKeypressToFrameHTTP: the same through the test API, as a tool
// drives the phone: POST /api/keys, then GET /api/screen.png?after=N.
func BenchmarkKeypressToFrameHTTP(b *testing.B) {
	s, stop := simPhone(b)
	defer stop()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	press := func(key string) uint64 {
		resp, err := http.Post(srv.URL+"/api/keys", "text/plain", strings.NewReader(key))
		if err != nil {
			b.Fatal(err)
		}
		var reply struct{ Frame uint64 }
		if err := jsonDecode(resp, &reply); err != nil {
			b.Fatal(err)
		}
		return reply.Frame
	}
	press("MENU")
	keys := []string{"DOWN", "UP"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f := press(keys[i%2])
		resp, err := http.Get(fmt.Sprintf("%s/api/screen.png?after=%d", srv.URL, f))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
