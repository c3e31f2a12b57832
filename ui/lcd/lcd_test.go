package lcd

import (
	"image"
	"strings"
	"testing"

	"deskphone/ui/internal/golden"
)

func TestFontsCoverPrintableASCII(t *testing.T) {
	for _, f := range []*Font{Large, Small} {
		for r := rune(0x20); r < 0x7f; r++ {
			g, ok := f.glyphs[r]
			if !ok {
				t.Errorf("%s: no glyph for %q", f.Name, r)
				continue
			}
			if g.H != f.Height() || g.Advance <= g.W-1 || g.Advance == 0 {
				t.Errorf("%s %q: %dx%d advance %d, font height %d", f.Name, r, g.W, g.H, g.Advance, f.Height())
			}
		}
	}
	// Times and numbers must not shift as their digits change.
	w := Small.Width("0")
	for _, d := range "123456789" {
		if Small.Width(string(d)) != w {
			t.Errorf("small digit %q is %d wide, '0' is %d", d, Small.Width(string(d)), w)
		}
	}
}

func TestGlyphFallback(t *testing.T) {
	if Small.Glyph('é') != Small.Glyph('e') || Large.Glyph('Ü') != Large.Glyph('U') {
		t.Error("accented letters do not fall back to their base letter")
	}
	if Small.Glyph('→') != Small.Glyph('?') {
		t.Error("an unknown rune is not drawn as '?'")
	}
}

func TestWidthFitWrap(t *testing.T) {
	if got := Large.Width("abc"); got != 7*3-1 {
		t.Errorf("Large.Width(abc) = %d, want 20", got)
	}
	if got := Small.Width("Status"); got > 132/4-2 {
		t.Errorf("Small.Width(Status) = %d: four softkey labels do not fit 132 pixels", got)
	}
	s := "802.1X authentication failed: wrong credentials"
	fit := Small.Fit(s, 60)
	if !strings.HasSuffix(fit, "...") || Small.Width(fit) > 60 || !strings.HasPrefix(s, strings.TrimSuffix(fit, "...")) {
		t.Errorf("Fit = %q (%d px)", fit, Small.Width(fit))
	}
	if got := Small.Fit("short", 60); got != "short" {
		t.Errorf("Fit(short) = %q", got)
	}
	left := Large.FitLeft("0123456789012345", 70)
	if !strings.HasPrefix(left, "...") || !strings.HasSuffix(left, "2345") || Large.Width(left) > 70 {
		t.Errorf("FitLeft = %q", left)
	}
	lines := Small.Wrap(s, 128)
	if strings.Join(lines, " ") != s {
		t.Errorf("Wrap lost text: %q", lines)
	}
	for _, l := range lines {
		if Small.Width(l) > 128 {
			t.Errorf("wrapped line %q is %d px wide", l, Small.Width(l))
		}
	}
	long := Small.Wrap("sip:averyveryverylongusername@example.com", 50)
	if len(long) < 3 || strings.Join(long, "") != "sip:averyveryverylongusername@example.com" {
		t.Errorf("Wrap of a long word = %q", long)
	}
	for _, l := range long {
		if Small.Width(l) > 50 {
			t.Errorf("cut word part %q is %d px wide", l, Small.Width(l))
		}
	}
}

func TestStruck(t *testing.T) {
	for _, set := range []*Icons{LargeIcons, SmallIcons} {
		if set.LinkDown == set.Link || set.LinkDown.W != set.Link.W || set.LinkDown.H != set.Link.H {
			t.Error("struck icon is the icon itself or another size")
		}
		// The slash reaches both corners.
		b := set.PhoneFailed
		if !b.At(0, b.H-1) || !b.At(b.W-1, 0) {
			t.Errorf("slash of a %dx%d icon misses a corner", b.W, b.H)
		}
	}
}

func TestParseArtRejectsRaggedRows(t *testing.T) {
	if _, err := ParseArt("##", "#"); err == nil {
		t.Error("ragged rows accepted")
	}
	if _, err := ParseArt("#x"); err == nil {
		t.Error("stray character accepted")
	}
}

// sheet draws every glyph and icon of a size: the golden picture is where a
// person checks the pixel art.
func sheet(w, h int, f *Font, icons *Icons, scale int) *Canvas {
	c := NewCanvas(w, h)
	y := f.Ascent + 1
	line := ""
	for r := rune(0x20); r < 0x7f; r++ {
		line += string(r)
		if len(line) == 32 || r == 0x7e {
			c.Text(2, y, f, line, Black)
			y += f.Height() + 2
			line = ""
		}
	}
	c.Text(2, y, f, "Mon 23 Nov  08:30  Réception", Black)
	y += f.Height() + 2
	c.TextScaled(2, y+f.Ascent*scale-f.Ascent, f, "0123456789*#", scale, Black)
	y += f.Height()*scale + 2
	x := 2
	for _, ic := range icons.All() {
		c.Bitmap(x, y, ic.Bitmap, 1, Black)
		x += ic.W + 4
	}
	y += 13
	c.Fill(image.Rect(0, y, w, y+13), Black)
	x = 2
	for _, ic := range icons.All() {
		c.Bitmap(x, y+1, ic.Bitmap, 1, White)
		x += ic.W + 4
	}
	return c
}

func TestSheetsGolden(t *testing.T) {
	golden.Check(t, "sheet_large", sheet(320, 150, Large, LargeIcons, 2).Img)
	golden.Check(t, "sheet_small", sheet(200, 100, Small, SmallIcons, 2).Img)
}

func TestOnlyBlackAndWhite(t *testing.T) {
	c := sheet(320, 150, Large, LargeIcons, 3)
	for i, v := range c.Img.Pix {
		if v != 0 && v != 0xff {
			t.Fatalf("pixel %d is gray %#x", i, v)
		}
	}
}
