package sim

import (
	"context"
	"errors"
	"image"
	"image/color"
	"net"
	"testing"
	"time"

	"deskphone/hal"
)

func TestDisplayShowAndWait(t *testing.T) {
	d := NewDisplay(hal.DisplayInfo{Width: 4, Height: 2})
	_, seq := d.Frame()
	if seq != 0 {
		t.Fatalf("fresh display seq = %d, want 0", seq)
	}
	if err := d.Show(image.NewRGBA(image.Rect(0, 0, 5, 2))); err == nil {
		t.Fatal("Show of a wrong-sized frame succeeded")
	}
	got := make(chan uint64)
	go func() {
		_, s, _ := d.WaitFrame(context.Background(), 0)
		got <- s
	}()
	f := image.NewRGBA(image.Rect(0, 0, 4, 2))
	f.Set(1, 1, color.Black)
	if err := d.Show(f); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != 1 {
		t.Fatalf("WaitFrame returned seq %d, want 1", s)
	}
	frame, _ := d.Frame()
	if r, _, _, _ := frame.At(1, 1).RGBA(); r != 0 {
		t.Fatal("pixel (1,1) not black after Show")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := d.WaitFrame(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitFrame on a cancelled context: %v", err)
	}
}

// TestDisplayFramesAreCopies: a frame handed out stays as it was when the
// panel shows the next ones, and showing a frame does not allocate one (the
// call screen redraws every second for the whole call).
func TestDisplayFramesAreCopies(t *testing.T) {
	d := NewDisplay(hal.DisplayInfo{Width: 320, Height: 240})
	black := image.NewGray(image.Rect(0, 0, 320, 240))
	white := image.NewGray(black.Rect)
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	if err := d.Show(black); err != nil {
		t.Fatal(err)
	}
	held, seq := d.Frame()
	for _, f := range []*image.Gray{white, black, white} {
		if err := d.Show(f); err != nil {
			t.Fatal(err)
		}
	}
	if c := held.RGBAAt(5, 5); c.R != 0 || seq != 1 {
		t.Errorf("frame %d held by a reader changed to %v after later frames", seq, c)
	}
	if now, s := d.Frame(); now.RGBAAt(5, 5).R != 255 || s != 4 || d.Seq() != 4 {
		t.Errorf("frame %d (Seq %d) shows %v, want the last one, white", s, d.Seq(), now.RGBAAt(5, 5))
	}
	frames := []*image.Gray{black, white}
	var k int
	// One allocation is the readers' wake-up channel; a frame is 300 kB.
	if n := testing.AllocsPerRun(50, func() { d.Show(frames[k%2]); k++ }); n > 1 {
		t.Errorf("Show allocates %.0f times per frame, want at most 1", n)
	}
}

func TestMonoDisplayThresholds(t *testing.T) {
	d := NewDisplay(hal.DisplayInfo{Width: 2, Height: 1, Mono: true})
	f := image.NewRGBA(image.Rect(0, 0, 2, 1))
	f.Set(0, 0, color.Gray{Y: 100})
	f.Set(1, 0, color.Gray{Y: 200})
	if err := d.Show(f); err != nil {
		t.Fatal(err)
	}
	frame, _ := d.Frame()
	if c := frame.RGBAAt(0, 0); c.R != 0 {
		t.Errorf("dark grey shown as %v, want black", c)
	}
	if c := frame.RGBAAt(1, 0); c.R != 255 {
		t.Errorf("light grey shown as %v, want white", c)
	}
}

func TestKeypadOrderAndWaitTaken(t *testing.T) {
	k := NewKeypad()
	n := k.Press(hal.KeyMenu, hal.Key1)
	if n != 2 {
		t.Fatalf("Press returned %d, want 2", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	taken := make(chan error)
	go func() { taken <- k.WaitTaken(ctx, n) }()
	for _, want := range []hal.Key{hal.KeyMenu, hal.Key1} {
		got, err := k.NextKey(ctx)
		if err != nil || got != want {
			t.Fatalf("NextKey = %q, %v; want %q", got, err, want)
		}
	}
	if err := <-taken; err != nil {
		t.Fatalf("WaitTaken: %v", err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if _, err := k.NextKey(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("NextKey on an empty keypad: %v", err)
	}
}

func TestPortWaitLink(t *testing.T) {
	p := NewPort(hal.LAN, "eth0", net.HardwareAddr{2, 0, 0, 0, 0, 1})
	if p.Up() {
		t.Fatal("new port is up")
	}
	go p.SetLink(true)
	up, err := p.WaitLink(context.Background(), false)
	if err != nil || !up {
		t.Fatalf("WaitLink = %v, %v; want up", up, err)
	}
	if p.Interface() != "eth0" || p.Role() != hal.LAN || p.MAC().String() != "02:00:00:00:00:01" {
		t.Fatalf("port identity: %s %s %s", p.Interface(), p.Role(), p.MAC())
	}
}

func TestAudioEndpoints(t *testing.T) {
	a := NewAudio()
	if _, err := a.Open(hal.Handset, hal.AudioFormat{SampleRate: 44100}); err == nil {
		t.Fatal("opened at 44.1 kHz")
	}
	if _, err := a.Open("bluetooth", hal.AudioFormat{SampleRate: 8000}); err == nil {
		t.Fatal("opened an unknown endpoint")
	}
	a.SetMicrophone(hal.Handset, []int16{1, 2, 3})
	s, err := a.Open(hal.Handset, hal.AudioFormat{SampleRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int16, 5)
	if n, err := s.Read(buf); err != nil || n != 5 {
		t.Fatalf("Read = %d, %v", n, err)
	}
	if buf[0] != 1 || buf[2] != 3 || buf[3] != 0 || buf[4] != 0 {
		t.Fatalf("microphone read %v, want 1 2 3 then silence", buf)
	}
	s.Write([]int16{7, 8})
	if got := a.Recorded(hal.Handset); len(got) != 2 || got[1] != 8 {
		t.Fatalf("recorded %v", got)
	}
	if a.Opened(hal.Handset) != 1 || a.Opened(hal.Speaker) != 0 {
		t.Fatalf("open counts: handset %d speaker %d", a.Opened(hal.Handset), a.Opened(hal.Speaker))
	}
	s.Close()
	if _, err := s.Read(buf); err == nil {
		t.Fatal("read after close succeeded")
	}
}

func TestLEDs(t *testing.T) {
	l := NewLEDs()
	l.SetLED(hal.LEDMessage, hal.LEDBlink)
	if got := l.State()[hal.LEDMessage]; got != hal.LEDBlink {
		t.Fatalf("message LED %v, want blink", got)
	}
}

func TestDisplayShowsGrayFrames(t *testing.T) {
	d := NewDisplay(hal.DisplayInfo{Width: 3, Height: 2})
	g := image.NewGray(image.Rect(0, 0, 3, 2))
	g.SetGray(2, 1, color.Gray{Y: 0x80})
	g.SetGray(0, 0, color.Gray{Y: 0xff})
	if err := d.Show(g); err != nil {
		t.Fatal(err)
	}
	f, _ := d.Frame()
	if c := f.RGBAAt(2, 1); c != (color.RGBA{0x80, 0x80, 0x80, 0xff}) {
		t.Errorf("pixel (2,1) = %v", c)
	}
	if c := f.RGBAAt(0, 0); c != (color.RGBA{0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("pixel (0,0) = %v", c)
	}
	if c := f.RGBAAt(1, 1); c != (color.RGBA{0, 0, 0, 0xff}) {
		t.Errorf("pixel (1,1) = %v", c)
	}
}
