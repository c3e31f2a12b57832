package ui

import (
	"image"

	"deskphone/hal"
	"deskphone/ui/lcd"
)

// symbols are what `*` offers in text entry: the printable ASCII
// punctuation, the space first.
var symbols = []rune(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

// symbolGrid is the symbol picker: a grid worked with the arrows; OK puts
// the highlighted symbol in the text and goes back.
type symbolGrid struct {
	pick func(r rune)
	sel  int
	cols int // the last frame's columns, for UP and DOWN
}

func newSymbolGrid(pick func(r rune)) *symbolGrid { return &symbolGrid{pick: pick, cols: 8} }

func (g *symbolGrid) Title(*Env) string { return "Symbol" }

func (g *symbolGrid) Softkeys(*Env) []Softkey {
	return []Softkey{{Label: "Insert", Do: g.choose}, {}, {}, {Label: "Cancel", Do: func(e *Env) { e.Pop() }}}
}

func (g *symbolGrid) choose(e *Env) {
	g.pick(symbols[g.sel])
	e.Pop()
}

func (g *symbolGrid) Key(k hal.Key, e *Env) bool {
	n := len(symbols)
	switch k {
	case hal.KeyLeft:
		g.sel = (g.sel - 1 + n) % n
	case hal.KeyRight:
		g.sel = (g.sel + 1) % n
	case hal.KeyUp:
		g.sel = (g.sel - g.cols + n) % n
	case hal.KeyDown:
		g.sel = (g.sel + g.cols) % n
	case hal.KeyOK:
		g.choose(e)
	case hal.KeyBack:
		e.Pop()
	default:
		return false
	}
	return true
}

// Draw lays the symbols out in as many columns as fit, the highlighted
// cell inverted.
func (g *symbolGrid) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th, f := e.Theme, e.Theme.Font
	cw := f.Width("M") + 2*th.Pad
	ch := f.Height() + th.Pad
	if th.Compact {
		ch = f.Height() + 1
	}
	g.cols = max((body.Dx()-2*th.Pad)/cw, 1)
	rows := (len(symbols) + g.cols - 1) / g.cols
	x0 := body.Min.X + (body.Dx()-g.cols*cw)/2
	y0 := body.Min.Y + max((body.Dy()-rows*ch)/2, 0)
	for i, r := range symbols {
		cell := image.Rect(x0+(i%g.cols)*cw, y0+(i/g.cols)*ch, x0+(i%g.cols+1)*cw, y0+(i/g.cols+1)*ch)
		ink := lcd.Black
		if i == g.sel {
			c.Fill(cell, lcd.Black)
			ink = lcd.White
		}
		w := glyphWidth(f, r)
		drawGlyph(c, f, cell.Min.X+(cw-w+1)/2, th.Baseline(cell.Min.Y, ch), r, ink)
	}
}

// glyphWidth is how wide drawGlyph draws r.
func glyphWidth(f *lcd.Font, r rune) int {
	if r == ' ' {
		return f.Width("M")
	}
	return f.Width(string(r))
}

// drawGlyph draws one character where it is offered for picking; the
// space, which has no picture, is drawn as a bracket open at the top, so
// that it is not taken for the underscore.
func drawGlyph(c *lcd.Canvas, f *lcd.Font, x, base int, r rune, ink lcd.Ink) {
	if r != ' ' {
		c.Text(x, base, f, string(r), ink)
		return
	}
	w := glyphWidth(f, r)
	c.HLine(x, x+w-1, base, ink)
	c.VLine(x, base-2, base, ink)
	c.VLine(x+w-1, base-2, base, ink)
}
