package ui

import (
	"image"

	"deskphone/hal"
	"deskphone/ui/lcd"
)

// TextPage is a titled page of wrapped text, left with BACK.
type TextPage struct {
	title, text string
}

// NewTextPage makes a page showing text.
func NewTextPage(title, text string) *TextPage { return &TextPage{title: title, text: text} }

// NotYet is the page of a menu entry whose screens are not written yet: it
// says so plainly rather than showing anything that does not work.
func NotYet(title, what string) *TextPage {
	return NewTextPage(title, what+": not yet available")
}

// Title implements Screen.
func (p *TextPage) Title(*Env) string { return p.title }

// Softkeys implements Screen.
func (p *TextPage) Softkeys(*Env) []Softkey { return backOnly }

// Key implements Screen.
func (p *TextPage) Key(k hal.Key, e *Env) bool {
	if k == hal.KeyBack || k == hal.KeyLeft {
		e.Pop()
		return true
	}
	return false
}

// Draw implements Screen.
func (p *TextPage) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th := e.Theme
	drawLines(c, th, body.Inset(th.Pad), th.Font.Wrap(p.text, body.Dx()-2*th.Pad), false)
}

var backOnly = []Softkey{{}, {}, {}, {Label: "Back", Do: func(e *Env) { e.Pop() }}}

// drawLines draws lines from the top of r, one per row, as many as fit; the
// last one that fits is cut with "..." when more follow. centred centres
// each line.
func drawLines(c *lcd.Canvas, th *Theme, r image.Rectangle, lines []string, centred bool) {
	step := th.Font.Height() + 2
	n := max(r.Dy()/step, 1)
	for i, l := range lines {
		if i == n {
			break
		}
		if i == n-1 && len(lines) > n {
			l = th.Font.Fit(l+" "+lines[n], r.Dx())
			if th.Font.Width(l+"...") <= r.Dx() {
				l += "..."
			}
		}
		x := r.Min.X
		if centred {
			x += (r.Dx() - th.Font.Width(l)) / 2
		}
		c.Text(x, r.Min.Y+i*step+th.Font.Ascent-1, th.Font, l, lcd.Black)
	}
}

// InfoRow is one fact on an InfoPage.
type InfoRow struct{ Label, Value string }

// InfoPage is a read-only, scrolling page of label/value facts, taken
// afresh from the state at each frame.
type InfoPage struct {
	title  string
	rows   func(e *Env) []InfoRow
	scroll int
	max    int // the last frame's largest scroll
}

// NewInfoPage makes a page whose facts rows gives.
func NewInfoPage(title string, rows func(e *Env) []InfoRow) *InfoPage {
	return &InfoPage{title: title, rows: rows}
}

// Title implements Screen.
func (p *InfoPage) Title(*Env) string { return p.title }

// Softkeys implements Screen.
func (p *InfoPage) Softkeys(*Env) []Softkey { return backOnly }

// Key implements Screen: UP and DOWN scroll a line.
func (p *InfoPage) Key(k hal.Key, e *Env) bool {
	switch k {
	case hal.KeyUp:
		p.scroll = max(p.scroll-1, 0)
	case hal.KeyDown:
		p.scroll = min(p.scroll+1, p.max)
	case hal.KeyBack, hal.KeyLeft:
		e.Pop()
	default:
		return false
	}
	return true
}

// infoLine is one drawn line: a label on the left, a value on the right or,
// when they do not fit side by side, below the label, indented.
type infoLine struct {
	label, value string
	indent       bool
}

// layout turns the facts into lines w pixels wide.
func (p *InfoPage) layout(th *Theme, rows []InfoRow, w int) []infoLine {
	var out []infoLine
	gap := 3 * th.Font.Width(" ")
	for _, r := range rows {
		if th.Font.Width(r.Label)+gap+th.Font.Width(r.Value) <= w {
			out = append(out, infoLine{label: r.Label, value: r.Value})
			continue
		}
		out = append(out, infoLine{label: r.Label})
		indent := 2 * th.Pad
		for _, v := range th.Font.Wrap(r.Value, w-indent) {
			out = append(out, infoLine{value: v, indent: true})
		}
	}
	return out
}

// Draw implements Screen.
func (p *InfoPage) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th := e.Theme
	rows := max(body.Dy()/th.RowHeight, 1)
	right := body.Max.X - th.Pad
	lines := p.layout(th, p.rows(e), right-th.Pad-(th.Pad+3))
	p.max = max(len(lines)-rows, 0)
	p.scroll = min(p.scroll, p.max)
	if len(lines) > rows {
		right -= th.Pad + 3
		drawScrollbar(c, th, body, p.scroll, rows, len(lines))
	} else {
		right = body.Max.X - th.Pad
	}
	y := body.Min.Y + (body.Dy()-rows*th.RowHeight)/2
	for i := p.scroll; i < len(lines) && i < p.scroll+rows; i++ {
		l := lines[i]
		base := th.Baseline(y, th.RowHeight)
		x := body.Min.X + th.Pad
		if l.indent {
			c.Text(x+2*th.Pad, base, th.Font, l.value, lcd.Black)
		} else {
			c.Text(x, base, th.Font, l.label, lcd.Black)
			c.Text(right-th.Font.Width(l.value), base, th.Font, l.value, lcd.Black)
		}
		y += th.RowHeight
	}
}
