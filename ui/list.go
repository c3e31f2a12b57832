package ui

import (
	"image"

	"deskphone/hal"
	"deskphone/ui/lcd"
)

// Item is one row of a List. A row opens a screen, runs an action, or only
// shows its value; later rows (toggles, choices, text entry) are items whose
// Value shows the setting and whose Open or Do edits it.
type Item struct {
	Label string
	// Value, when set, is shown right-aligned on the row.
	Value func(e *Env) string
	// Open, when set, gives the screen OK opens.
	Open func(e *Env) Screen
	// Do, when set and Open is not, runs on OK.
	Do func(e *Env)
	// Checked, when set, draws a radio mark before the label, filled when
	// it reports true: the options of a choice.
	Checked func(e *Env) bool
}

// List is a titled, scrolling list of items with one highlighted row,
// worked with UP/DOWN, OK (or RIGHT) and BACK (or LEFT).
type List struct {
	title string
	Items []Item
	sel   int
	top   int // first row shown; kept so the highlight stays in view
}

// NewList makes a list with its first item highlighted.
func NewList(title string, items ...Item) *List {
	return &List{title: title, Items: items}
}

// Selected is the index of the highlighted item.
func (l *List) Selected() int { return l.sel }

// Title implements Screen.
func (l *List) Title(*Env) string { return l.title }

// Softkeys implements Screen.
func (l *List) Softkeys(*Env) []Softkey {
	return []Softkey{
		{Label: "Select", Do: l.activate},
		{},
		{},
		{Label: "Back", Do: func(e *Env) { e.Pop() }},
	}
}

// Key implements Screen. UP and DOWN wrap around the ends.
func (l *List) Key(k hal.Key, e *Env) bool {
	n := len(l.Items)
	switch k {
	case hal.KeyUp:
		if n > 0 {
			l.sel = (l.sel - 1 + n) % n
		}
	case hal.KeyDown:
		if n > 0 {
			l.sel = (l.sel + 1) % n
		}
	case hal.KeyOK, hal.KeyRight:
		l.activate(e)
	case hal.KeyBack, hal.KeyLeft:
		e.Pop()
	default:
		return false
	}
	return true
}

func (l *List) activate(e *Env) {
	if l.sel >= len(l.Items) {
		return
	}
	it := l.Items[l.sel]
	switch {
	case it.Open != nil:
		e.Push(it.Open(e))
	case it.Do != nil:
		it.Do(e)
	}
}

// Draw implements Screen.
func (l *List) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th := e.Theme
	rows := max(body.Dy()/th.RowHeight, 1)
	if l.sel < l.top {
		l.top = l.sel
	}
	if l.sel >= l.top+rows {
		l.top = l.sel - rows + 1
	}
	l.top = max(min(l.top, len(l.Items)-rows), 0)
	scroll := len(l.Items) > rows
	right := body.Max.X - th.Pad
	if scroll {
		right -= th.Pad + 3
		drawScrollbar(c, th, body, l.top, rows, len(l.Items))
	}
	y := body.Min.Y + (body.Dy()-rows*th.RowHeight)/2
	for i := l.top; i < len(l.Items) && i < l.top+rows; i++ {
		it := l.Items[i]
		ink := lcd.Black
		row := image.Rect(body.Min.X, y, right+th.Pad/2, y+th.RowHeight)
		if i == l.sel {
			c.Fill(row, lcd.Black)
			ink = lcd.White
		}
		base := th.Baseline(y, th.RowHeight)
		x := body.Min.X + th.Pad
		if it.Checked != nil {
			x = drawRadio(c, th, x, y, it.Checked(e), ink)
		}
		end := right
		if it.Value != nil {
			v := th.Font.Fit(it.Value(e), (right-x)/2)
			end = right - th.Font.Width(v) - th.Pad
			c.Text(end+th.Pad, base, th.Font, v, ink)
		} else if it.Open != nil {
			ic := th.Icons.Cursor
			end = right - ic.W - th.Pad
			c.Bitmap(right-ic.W, y+(th.RowHeight-ic.H+1)/2, ic, 1, ink)
		}
		c.Text(x, base, th.Font, th.Font.Fit(it.Label, end-x), ink)
		y += th.RowHeight
	}
}

// drawScrollbar paints a thin bar at the body's right edge, its thumb
// showing which part of n rows (from top, rows at a time) is in view.
func drawScrollbar(c *lcd.Canvas, th *Theme, body image.Rectangle, top, rows, n int) {
	x := body.Max.X - th.Pad/2 - 2
	track := image.Rect(x, body.Min.Y+2, x+2, body.Max.Y-2)
	c.VLine(x, track.Min.Y, track.Max.Y-1, lcd.Black)
	h := track.Dy()
	t0 := track.Min.Y + h*top/n
	t1 := track.Min.Y + h*min(top+rows, n)/n
	c.Fill(image.Rect(x-1, t0, x+2, max(t1, t0+3)), lcd.Black)
}

// drawRadio draws a radio mark at x in the row starting at y, filled when
// on, and returns where the label starts.
func drawRadio(c *lcd.Canvas, th *Theme, x, y int, on bool, ink lcd.Ink) int {
	s := th.Font.Ascent - 1 // as tall as a capital
	if s%2 == 0 {
		s-- // odd, so the dot sits in the middle
	}
	top := y + (th.RowHeight-s+1)/2
	box := image.Rect(x, top, x+s, top+s)
	c.Frame(box, ink)
	if on {
		// A small mark is filled whole; a larger one keeps a ring.
		inset := 2
		if s < 7 {
			inset = 1
		}
		c.Fill(box.Inset(inset), ink)
	}
	return x + s + th.Pad + 1
}
