package sim

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"deskphone/hal"
	"deskphone/status"
)

// echoPhone stands in for the phone's UI: each key it reads is drawn as a
// new frame whose top-left pixel is black for MENU and white otherwise.
func echoPhone(ctx context.Context, s *Sim) {
	for {
		k, err := s.Keypad.NextKey(ctx)
		if err != nil {
			return
		}
		f := image.NewRGBA(image.Rect(0, 0, 320, 240))
		c := color.RGBA{255, 255, 255, 255}
		if k == hal.KeyMenu {
			c = color.RGBA{0, 0, 0, 255}
		}
		f.Set(0, 0, c)
		s.Display.Show(f)
	}
}

func newTestSim(t *testing.T) (*Sim, *httptest.Server, *status.Hub) {
	t.Helper()
	hub := status.NewHub(status.Phone{Firmware: "test", Dot1X: status.Dot1X{State: status.Dot1XDisabled}})
	s, err := New(Config{Display: hal.DisplayInfo{Width: 320, Height: 240}, Status: hub})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { echoPhone(ctx, s); close(done) }()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		cancel()
		<-done
	})
	return s, srv, hub
}

func screen(t *testing.T, url string) (image.Image, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(resp.Body)
	if err != nil {
		t.Fatalf("screen is not a PNG: %v", err)
	}
	return img, resp.Header.Get("X-Frame")
}

func TestKeysChangeTheScreen(t *testing.T) {
	_, srv, _ := newTestSim(t)
	img, _ := screen(t, srv.URL+"/api/screen.png")
	if img.Bounds().Dx() != 320 || img.Bounds().Dy() != 240 {
		t.Fatalf("screen is %v, want 320x240", img.Bounds())
	}
	if r, _, _, _ := img.At(0, 0).RGBA(); r == 0 {
		t.Fatal("blank screen has a black pixel")
	}

	resp, err := http.Post(srv.URL+"/api/keys", "text/plain", strings.NewReader("MENU"))
	if err != nil {
		t.Fatal(err)
	}
	var reply keysReply
	json.NewDecoder(resp.Body).Decode(&reply)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(reply.Pressed) != 1 || reply.Pressed[0] != hal.KeyMenu {
		t.Fatalf("POST /api/keys: %s %+v", resp.Status, reply)
	}
	img, _ = screen(t, fmt.Sprintf("%s/api/screen.png?after=%d", srv.URL, reply.Frame))
	if r, _, _, _ := img.At(0, 0).RGBA(); r != 0 {
		t.Fatal("MENU did not change the screen")
	}
}

func TestBadKeyPressesNothing(t *testing.T) {
	s, srv, _ := newTestSim(t)
	resp, err := http.Post(srv.URL+"/api/keys", "text/plain", strings.NewReader("MENU NOPE"))
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 200)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body[:n]), "NOPE") {
		t.Fatalf("bad key: %s %q", resp.Status, body[:n])
	}
	if _, seq := s.Display.Frame(); seq != 0 {
		t.Fatal("a key was pressed although one name was wrong")
	}
}

func TestCrossSiteKeysRefused(t *testing.T) {
	_, srv, _ := newTestSim(t)
	req, _ := http.NewRequest("POST", srv.URL+"/api/keys", strings.NewReader("MENU"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %s, want 403", resp.Status)
	}
}

func TestStatusJSON(t *testing.T) {
	_, srv, hub := newTestSim(t)
	hub.Update(func(p *status.Phone) {
		p.SetLine(status.Line{Index: 1, Label: "1001", State: status.LineRegistered})
	})
	resp, err := http.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p status.Phone
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Firmware != "test" || p.Dot1X.State != "disabled" || len(p.Lines) != 1 || p.Lines[0].State != "registered" {
		t.Fatalf("status = %+v", p)
	}
}

func TestEventsAnnounceFrames(t *testing.T) {
	s, srv, _ := newTestSim(t)
	resp, err := http.Get(srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	line, _ := r.ReadString('\n')
	if line != "data: 0\n" {
		t.Fatalf("first event %q", line)
	}
	r.ReadString('\n')
	s.Keypad.Press(hal.KeyOK)
	line, _ = r.ReadString('\n')
	if line != "data: 1\n" {
		t.Fatalf("event after a frame %q", line)
	}
}

func TestLinkEndpoint(t *testing.T) {
	s, srv, _ := newTestSim(t)
	if !s.LAN.Up() {
		t.Fatal("LAN cable not plugged at start")
	}
	resp, _ := http.Post(srv.URL+"/api/link?port=lan&up=0", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || s.LAN.Up() {
		t.Fatalf("unplug: %s, up=%v", resp.Status, s.LAN.Up())
	}
	resp, _ = http.Post(srv.URL+"/api/link?port=wan&up=0", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown port: %s", resp.Status)
	}
}

func TestPageServed(t *testing.T) {
	_, srv, _ := newTestSim(t)
	for path, want := range map[string]string{"/": "sim.js", "/sim.js": "EventSource", "/sim.css": "#lcd"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		if !strings.Contains(string(b), want) {
			t.Fatalf("GET %s lacks %q", path, want)
		}
	}
}

func TestDecodeTermKeys(t *testing.T) {
	got := decodeTermKeys([]byte("12\x1b[A\r\x7fm\x1bOQ#*h\x03x"))
	want := []hal.Key{hal.Key1, hal.Key2, hal.KeyUp, hal.KeyOK, hal.KeyBack, hal.KeyMenu, hal.KeySoft2,
		hal.KeyPound, hal.KeyStar, termHook, termQuit}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("decoded %v, want %v", got, want)
	}
}

func TestBrailleFrame(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.Set(0, 0, color.Black)
	img.Set(3, 3, color.Black)
	if got := brailleFrame(img, 10, 10); got != "\u2801\u2880\n" {
		t.Fatalf("1:1 braille %q", got)
	}
	// Scaled down to one cell, both dots survive as the pooled cells.
	if got := brailleFrame(img, 1, 1); got != "\u2811\n" {
		t.Fatalf("scaled braille %q", got)
	}
}

// TestEarpiecesNotRecorded: the simulator phone keeps nothing of what it
// plays (nobody reads it back), so a long call does not grow its memory.
func TestEarpiecesNotRecorded(t *testing.T) {
	s, _, _ := newTestSim(t)
	st, err := s.Audio.Open(hal.Handset, hal.AudioFormat{SampleRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	frame := make([]int16, 160)
	for i := range frame {
		frame[i] = int16(i)
	}
	for range 50 {
		if _, err := st.Write(frame); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(s.Audio.Recorded(hal.Handset)); got != 0 {
		t.Errorf("the simulator kept %d samples of a second's playing, want none", got)
	}
}
