package lcd

import (
	"fmt"
	"strings"
)

// Bitmap is a small 1-bit image: a glyph or an icon.
type Bitmap struct {
	W, H int
	bits []bool // row by row
}

// At reports whether pixel (x, y) is set; outside the bitmap it is not.
func (b *Bitmap) At(x, y int) bool {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return false
	}
	return b.bits[y*b.W+x]
}

// NewBitmap makes an empty w x h bitmap.
func NewBitmap(w, h int) *Bitmap {
	return &Bitmap{W: w, H: h, bits: make([]bool, w*h)}
}

// SetBit sets or clears pixel (x, y); outside the bitmap it does nothing.
func (b *Bitmap) SetBit(x, y int, on bool) {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return
	}
	b.bits[y*b.W+x] = on
}

// ParseArt reads a bitmap drawn as text: rows of '#' (set) and '.' (clear),
// all the same width. Bitmaps are drawn in the source this way so that a
// reader sees the picture.
func ParseArt(rows ...string) (*Bitmap, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("bitmap: no rows")
	}
	w := len(rows[0])
	b := NewBitmap(w, len(rows))
	for y, r := range rows {
		if len(r) != w {
			return nil, fmt.Errorf("bitmap: row %d is %d wide, want %d (%q)", y, len(r), w, r)
		}
		for x, ch := range r {
			switch ch {
			case '#':
				b.SetBit(x, y, true)
			case '.':
			default:
				return nil, fmt.Errorf("bitmap: row %d: unexpected %q", y, ch)
			}
		}
	}
	return b, nil
}

// mustArt is ParseArt for the bitmaps compiled into the program, which a
// test draws in full.
func mustArt(rows ...string) *Bitmap {
	b, err := ParseArt(rows...)
	if err != nil {
		panic(err)
	}
	return b
}

// art splits one space-separated picture into rows.
func art(s string) *Bitmap { return mustArt(strings.Fields(s)...) }
