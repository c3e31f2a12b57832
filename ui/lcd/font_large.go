package lcd

import "golang.org/x/image/font/basicfont"

// Large is the 7x13 fixed font for 240-line panels, taken from
// x/image's basicfont (a 1-bit font, so nothing is lost in taking it).
var Large = largeFont()

func largeFont() *Font {
	src := basicfont.Face7x13
	f := &Font{Name: "7x13", Ascent: src.Ascent, Descent: src.Descent, glyphs: map[rune]*Glyph{}}
	h := src.Height
	for _, rg := range src.Ranges {
		for r := rg.Low; r < rg.High; r++ {
			i := rg.Offset + int(r-rg.Low)
			b := NewBitmap(src.Width, h)
			for y := 0; y < h; y++ {
				for x := 0; x < src.Width; x++ {
					_, _, _, a := src.Mask.At(x, i*h+y).RGBA()
					b.SetBit(x, y, a >= 0x8000)
				}
			}
			f.glyphs[r] = &Glyph{Bitmap: b, Advance: src.Advance}
		}
	}
	return f
}
