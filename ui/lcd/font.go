package lcd

import (
	"strings"
	"unicode/utf8"
)

// Font is a 1-bit bitmap font. Every glyph's bitmap is Ascent+Descent rows
// tall, its top row Ascent pixels above the baseline; glyphs may differ in
// width (the small font is proportional, digits excepted).
type Font struct {
	Name    string
	Ascent  int // rows above the baseline, the baseline row included
	Descent int // rows below the baseline
	glyphs  map[rune]*Glyph
}

// Glyph is one character's picture and how far it moves the pen.
type Glyph struct {
	*Bitmap
	Advance int
}

// Height is the rows a line of the font covers.
func (f *Font) Height() int { return f.Ascent + f.Descent }

// Glyph returns r's glyph: accented Latin letters fall back to their base
// letter and anything else the font lacks to '?'.
func (f *Font) Glyph(r rune) *Glyph {
	if g, ok := f.glyphs[r]; ok {
		return g
	}
	if b, ok := fold[r]; ok {
		if g, ok := f.glyphs[b]; ok {
			return g
		}
	}
	return f.glyphs['?']
}

// Width is how many pixels s covers, from its first glyph's left edge to
// its last glyph's right edge.
func (f *Font) Width(s string) int {
	w, last := 0, 0
	for _, r := range s {
		g := f.Glyph(r)
		w += g.Advance
		last = g.Advance - g.W
	}
	return max(w-last, 0)
}

// ellipsis marks text cut to fit.
const ellipsis = "..."

// Fit returns s, or as much of s as fits in w pixels followed by "...".
func (f *Font) Fit(s string, w int) string {
	if f.Width(s) <= w {
		return s
	}
	for len(s) > 0 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
		if t := strings.TrimRight(s, " ") + ellipsis; f.Width(t) <= w {
			return t
		}
	}
	if f.Width(ellipsis) <= w {
		return ellipsis
	}
	return ""
}

// FitLeft returns s, or as much of the end of s as fits in w pixels after
// "..." (a long dialed number keeps its last digits in view).
func (f *Font) FitLeft(s string, w int) string {
	if f.Width(s) <= w {
		return s
	}
	for len(s) > 0 {
		_, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		if t := ellipsis + s; f.Width(t) <= w {
			return t
		}
	}
	return ""
}

// Wrap breaks s into lines no wider than w pixels, at spaces where it can
// and inside a word that is wider than a line by itself.
func (f *Font) Wrap(s string, w int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			cand := word
			if line != "" {
				cand = line + " " + word
			}
			if f.Width(cand) <= w {
				line = cand
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			// A word wider than the line is cut where it must be.
			for f.Width(word) > w {
				cut := 0
				for i := range word {
					if i > 0 && f.Width(word[:i]) > w {
						break
					}
					cut = i
				}
				if cut == 0 {
					_, cut = utf8.DecodeRuneInString(word)
				}
				lines = append(lines, word[:cut])
				word = word[cut:]
			}
			line = word
		}
		lines = append(lines, line)
	}
	return lines
}

// Text draws s with its baseline at y, starting at x, and returns the x
// after its last glyph's advance.
func (c *Canvas) Text(x, y int, f *Font, s string, ink Ink) int {
	return c.TextScaled(x, y, f, s, 1, ink)
}

// TextScaled draws s with every font pixel a scale x scale block; the
// baseline is at y and the glyphs' tops are scale*Ascent above it.
func (c *Canvas) TextScaled(x, y int, f *Font, s string, scale int, ink Ink) int {
	scale = max(scale, 1)
	top := y - (f.Ascent-1)*scale - (scale - 1)
	for _, r := range s {
		g := f.Glyph(r)
		c.Bitmap(x, top, g.Bitmap, scale, ink)
		x += g.Advance * scale
	}
	return x
}

// fold maps the accented Latin-1 letters names and labels commonly carry to
// the base letter the fonts have.
var fold = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'A': "ÀÁÂÃÄÅ", 'C': "Ç", 'E': "ÈÉÊË", 'I': "ÌÍÎÏ", 'N': "Ñ", 'O': "ÒÓÔÕÖØ", 'U': "ÙÚÛÜ", 'Y': "Ý",
		'a': "àáâãäå", 'c': "ç", 'e': "èéêë", 'i': "ìíîï", 'n': "ñ", 'o': "òóôõöø", 'u': "ùúûü", 'y': "ýÿ",
		's': "ß",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
