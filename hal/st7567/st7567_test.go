package st7567

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/spi/spitest"
)

// tx is one SPI write with the A0 level it went out under.
type tx struct {
	data bool // A0 high
	b    []byte
}

func (t tx) String() string {
	kind := "cmd"
	if t.data {
		kind = "data"
	}
	return fmt.Sprintf("%s % x", kind, t.b)
}

// a0Pin notes, at each level change, how many SPI writes came before it.
type a0Pin struct {
	gpiotest.Pin
	rec   *spitest.Record
	marks []struct {
		op    int
		level gpio.Level
	}
}

func (p *a0Pin) Out(l gpio.Level) error {
	p.rec.Lock()
	n := len(p.rec.Ops)
	p.rec.Unlock()
	p.marks = append(p.marks, struct {
		op    int
		level gpio.Level
	}{n, l})
	return p.Pin.Out(l)
}

// transcript pairs the recorded writes with the A0 level of each.
func (p *a0Pin) transcript() []tx {
	var out []tx
	for i, op := range p.rec.Ops {
		level := gpio.Level(false)
		for _, m := range p.marks {
			if m.op <= i {
				level = m.level
			}
		}
		out = append(out, tx{data: bool(level), b: op.W})
	}
	return out
}

func newRecorded(t *testing.T, cfg Config) (*Dev, *a0Pin, *gpiotest.Pin) {
	t.Helper()
	rec := &spitest.Record{}
	a0 := &a0Pin{Pin: gpiotest.Pin{N: "A0"}, rec: rec}
	rst := &gpiotest.Pin{N: "RST"}
	d, err := New(rec, a0, rst, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d, a0, rst
}

func cmd(b ...byte) tx   { return tx{b: b} }
func data(b []byte) tx   { return tx{data: true, b: b} }
func zeros(n int) []byte { return make([]byte, n) }
func page(p, col int) tx { return cmd(0xB0|byte(p), 0x10|byte(col>>4), byte(col&0xf)) }

// wantInit is the datasheet's power-on flow for DefaultConfig: reset, bias
// 1/9, SEG normal, COM reverse, start line 0, ratio 5, volume 0x20, power
// on, normal display, all 9 pages cleared, display on.
func wantInit() []tx {
	want := []tx{
		cmd(0xE2),
		cmd(0xAE, 0xA2, 0xA0, 0xC8, 0x40, 0x25, 0x81, 0x20, 0x2F, 0xA6, 0xA4),
	}
	for p := 0; p <= 8; p++ {
		want = append(want, page(p, 0), data(zeros(132)))
	}
	return append(want, cmd(0xAF))
}

func compare(t *testing.T, got, want []tx) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d writes, want %d:\n%s", len(got), len(want), dump(got))
	}
	for i := range want {
		if got[i].data != want[i].data || !bytes.Equal(got[i].b, want[i].b) {
			t.Fatalf("write %d: %v\nwant %v", i, got[i], want[i])
		}
	}
}

func dump(txs []tx) string {
	var s []string
	for _, t := range txs {
		s = append(s, t.String())
	}
	return strings.Join(s, "\n")
}

func TestInitSequence(t *testing.T) {
	d, a0, rst := newRecorded(t, DefaultConfig())
	compare(t, a0.transcript(), wantInit())
	if rst.Read() != gpio.High {
		t.Fatal("reset pin left low")
	}
	if info := d.Info(); info.Width != 132 || info.Height != 64 || !info.Mono {
		t.Fatalf("Info() = %+v", info)
	}
}

// testFrame is white with dark pixels at (0,0), (5,7), (131,63) and a
// vertical line at x=10 from y=8 to 15.
func testFrame() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 132, 64))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	img.SetGray(0, 0, color.Gray{0})
	img.SetGray(5, 7, color.Gray{0x7f})
	img.SetGray(6, 7, color.Gray{0x80}) // half grey is light: not drawn
	img.SetGray(131, 63, color.Gray{0})
	for y := 8; y < 16; y++ {
		img.SetGray(10, y, color.Gray{0})
	}
	return img
}

func wantFrame() [][]byte {
	pages := make([][]byte, 8)
	for p := range pages {
		pages[p] = zeros(132)
	}
	pages[0][0] = 0x01
	pages[0][5] = 0x80
	pages[1][10] = 0xff
	pages[7][131] = 0x80
	return pages
}

func TestShowFrame(t *testing.T) {
	d, a0, _ := newRecorded(t, DefaultConfig())
	n := len(a0.rec.Ops)
	frame := testFrame()
	if err := d.Show(frame); err != nil {
		t.Fatal(err)
	}
	var want []tx
	for p, b := range wantFrame() {
		want = append(want, page(p, 0), data(b))
	}
	compare(t, a0.transcript()[n:], want)

	// The same frame again sends nothing; a change in page 0 sends page 0.
	n = len(a0.rec.Ops)
	if err := d.Show(frame); err != nil {
		t.Fatal(err)
	}
	frame.SetGray(0, 0, color.Gray{0xff})
	if err := d.Show(frame); err != nil {
		t.Fatal(err)
	}
	p0 := wantFrame()[0]
	p0[0] = 0
	compare(t, a0.transcript()[n:], []tx{page(0, 0), data(p0)})
}

func TestNarrowPanel(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Width, cfg.ColumnOffset, cfg.SEGReverse, cfg.COMReverse, cfg.Bias17 = 128, 4, true, false, true
	d, a0, _ := newRecorded(t, cfg)
	if got := a0.transcript()[1]; !bytes.Equal(got.b, []byte{0xAE, 0xA3, 0xA1, 0xC0, 0x40, 0x25, 0x81, 0x20, 0x2F, 0xA6, 0xA4}) {
		t.Fatalf("init %v", got)
	}
	n := len(a0.rec.Ops)
	img := image.NewGray(image.Rect(0, 0, 128, 64)) // all black
	if err := d.Show(img); err != nil {
		t.Fatal(err)
	}
	got := a0.transcript()[n:]
	if len(got) != 16 || !bytes.Equal(got[0].b, []byte{0xB0, 0x10, 0x04}) || !bytes.Equal(got[1].b, bytes.Repeat([]byte{0xff}, 128)) {
		t.Fatalf("frame:\n%s", dump(got))
	}
}

// The recorded flow plays back exactly: nothing more, nothing less.
func TestPlayback(t *testing.T) {
	var ops []conntest.IO
	for _, w := range wantInit() {
		ops = append(ops, conntest.IO{W: w.b})
	}
	for p, b := range wantFrame() {
		ops = append(ops, conntest.IO{W: page(p, 0).b}, conntest.IO{W: b})
	}
	pb := &spitest.Playback{Playback: conntest.Playback{Ops: ops, DontPanic: true}}
	d, err := New(pb, &gpiotest.Pin{N: "A0"}, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Show(testFrame()); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
	// One write more than recorded fails.
	if err := d.Halt(); err == nil {
		t.Fatal("a write past the playback succeeded")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Width: 133},
		{Width: 128, ColumnOffset: 5},
		{Width: 132, RegulationRatio: 8},
		{Width: 132, Contrast: 64},
	} {
		if _, err := New(&spitest.Record{}, &gpiotest.Pin{}, nil, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}
