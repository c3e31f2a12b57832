package fbdev

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

// testFrame is 4x2: red, green, blue, white / black, grey, dark, light grey.
func testFrame() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for i, c := range []color.RGBA{
		{0xff, 0, 0, 0xff}, {0, 0xff, 0, 0xff}, {0, 0, 0xff, 0xff}, {0xff, 0xff, 0xff, 0xff},
		{0, 0, 0, 0xff}, {0x80, 0x80, 0x80, 0xff}, {0x10, 0x20, 0x30, 0xff}, {0xc0, 0xc0, 0xc0, 0xff},
	} {
		img.Set(i%4, i/4, c)
	}
	return img
}

func TestDrawXRGB8888(t *testing.T) {
	f := XRGB8888(4, 2)
	f.Stride = 20 // one pad pixel per line, which Draw must leave alone
	mem := bytes.Repeat([]byte{0xee}, 40)
	f.Draw(mem, testFrame())
	want := []byte{
		0x00, 0x00, 0xff, 0x00, 0x00, 0xff, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0xee, 0xee, 0xee, 0xee,
		0x00, 0x00, 0x00, 0x00, 0x80, 0x80, 0x80, 0x00, 0x30, 0x20, 0x10, 0x00, 0xc0, 0xc0, 0xc0, 0x00, 0xee, 0xee, 0xee, 0xee,
	}
	if !bytes.Equal(mem, want) {
		t.Fatalf("XRGB8888 frame\n got % x\nwant % x", mem, want)
	}
}

func TestDrawRGB565(t *testing.T) {
	f := RGB565(4, 2)
	mem := make([]byte, 16)
	f.Draw(mem, testFrame())
	// Little-endian 16-bit words: red f800, green 07e0, blue 001f, white ffff,
	// black 0000, 0x808080 -> 8410, 0x102030 -> 1106, 0xc0c0c0 -> c618.
	want := []byte{
		0x00, 0xf8, 0xe0, 0x07, 0x1f, 0x00, 0xff, 0xff,
		0x00, 0x00, 0x10, 0x84, 0x06, 0x11, 0x18, 0xc6,
	}
	if !bytes.Equal(mem, want) {
		t.Fatalf("RGB565 frame\n got % x\nwant % x", mem, want)
	}
}

func TestDrawMono(t *testing.T) {
	// 10 pixels wide so a line spans two bytes.
	img := image.NewGray(image.Rect(0, 0, 10, 2))
	for x := 0; x < 10; x += 2 {
		img.SetGray(x, 0, color.Gray{0xff})
	}
	img.SetGray(9, 1, color.Gray{0x90})
	img.SetGray(8, 1, color.Gray{0x70}) // below half: black

	f := Mono(10, 2)
	mem := bytes.Repeat([]byte{0x55}, 4)
	f.Draw(mem, img)
	// Only the pixels' bits change: the 6 pad bits of each second byte keep 0x55's.
	want := []byte{0xaa, 0x95, 0x00, 0x55}
	if !bytes.Equal(mem, want) {
		t.Fatalf("mono frame\n got % x\nwant % x", mem, want)
	}

	f.InverseMono = true
	f.Draw(mem, img)
	want = []byte{0x55, 0x55, 0xff, 0x95}
	if !bytes.Equal(mem, want) {
		t.Fatalf("inverse mono frame\n got % x\nwant % x", mem, want)
	}
}

func TestDrawClipsAndOffsets(t *testing.T) {
	// A 2x1 panel panned one line down; a 3x2 frame whose origin is not 0,0.
	f := XRGB8888(2, 1)
	f.Offset = 8
	mem := make([]byte, 16)
	img := image.NewRGBA(image.Rect(5, 5, 8, 7))
	img.Set(5, 5, color.RGBA{0x01, 0x02, 0x03, 0xff})
	img.Set(6, 5, color.RGBA{0x04, 0x05, 0x06, 0xff})
	f.Draw(mem, img)
	want := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x02, 0x01, 0, 0x06, 0x05, 0x04, 0}
	if !bytes.Equal(mem, want) {
		t.Fatalf("got % x\nwant % x", mem, want)
	}
	// A frame smaller than the panel leaves the rest black.
	mem = bytes.Repeat([]byte{0xff}, 16)
	f.Draw(mem, image.NewRGBA(image.Rect(0, 0, 0, 0)))
	if !bytes.Equal(mem[8:], make([]byte, 8)) {
		t.Fatalf("empty frame left % x", mem[8:])
	}
}

func TestValidate(t *testing.T) {
	bad := []Format{
		{Width: 0, Height: 1, Stride: 4, BitsPerPixel: 32},
		{Width: 1, Height: 1, Stride: 1, BitsPerPixel: 8},
		{Width: 4, Height: 1, Stride: 4, BitsPerPixel: 16, Red: Bitfield{11, 5}, Green: Bitfield{5, 6}, Blue: Bitfield{0, 5}},
		{Width: 1, Height: 1, Stride: 2, BitsPerPixel: 16, Red: Bitfield{12, 5}, Green: Bitfield{5, 6}, Blue: Bitfield{0, 5}},
	}
	for _, f := range bad {
		if err := f.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted", f)
		}
	}
	for _, f := range []Format{XRGB8888(320, 240), RGB565(128, 160), Mono(132, 64)} {
		if err := f.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", f, err)
		}
	}
}

func TestDisplayOnMemory(t *testing.T) {
	if _, err := NewDisplay(make([]byte, 10), XRGB8888(4, 2), nil); err == nil {
		t.Fatal("NewDisplay accepted 10 bytes for a 4x2 32 bpp panel")
	}
	mem := make([]byte, 32)
	closed := 0
	d, err := NewDisplay(mem, XRGB8888(4, 2), func() error { closed++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Info(); got.Width != 4 || got.Height != 2 || got.Mono {
		t.Fatalf("Info() = %+v", got)
	}
	if err := d.Show(testFrame()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mem[:4], []byte{0, 0, 0xff, 0}) {
		t.Fatalf("first pixel % x, want red", mem[:4])
	}
	if err := d.Close(); err != nil || closed != 1 {
		t.Fatalf("Close: %v, closer ran %d times", err, closed)
	}
	if err := d.Show(testFrame()); err == nil {
		t.Fatal("Show after Close succeeded")
	}
	if err := d.Close(); err != nil || closed != 1 {
		t.Fatalf("second Close: %v, closer ran %d times", err, closed)
	}
	if m, err := NewDisplay(make([]byte, 2), Mono(10, 1), nil); err != nil || !m.Info().Mono {
		t.Fatalf("mono display: %v %+v", err, m)
	}
}

// The grey fast path gives the same bytes as the general one.
func TestDrawGrayMatchesGeneral(t *testing.T) {
	g := image.NewGray(image.Rect(2, 3, 9, 8)) // 7x5, offset origin
	for i := range g.Pix {
		g.Pix[i] = uint8(i * 37)
	}
	for _, f := range []Format{XRGB8888(8, 6), RGB565(8, 6)} {
		fast := make([]byte, f.Stride*f.Height)
		slow := make([]byte, f.Stride*f.Height)
		f.Draw(fast, g)
		f.Draw(slow, struct{ image.Image }{g}) // hides the type: general path
		if !bytes.Equal(fast, slow) {
			t.Fatalf("%d bpp: grey path differs\nfast % x\nslow % x", f.BitsPerPixel, fast, slow)
		}
	}
}

func BenchmarkDrawGray320x240(b *testing.B) {
	f := XRGB8888(320, 240)
	mem := make([]byte, f.Stride*f.Height)
	g := image.NewGray(image.Rect(0, 0, 320, 240))
	for b.Loop() {
		f.Draw(mem, g)
	}
}

func BenchmarkDrawRGBA320x240(b *testing.B) {
	f := XRGB8888(320, 240)
	mem := make([]byte, f.Stride*f.Height)
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for b.Loop() {
		f.Draw(mem, img)
	}
}
