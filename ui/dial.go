package ui

import (
	"image"

	"deskphone/hal"
	"deskphone/ui/lcd"
)

// maxDigits bounds the dialed number, as a phone's dial buffer is bounded.
const maxDigits = 32

// dialScreen collects a number to dial. Placing the call is the firmware's:
// Dial hands the number to its dialer, and without one the screen offers no
// Dial at all.
type dialScreen struct {
	number string
}

func (d *dialScreen) Title(*Env) string { return "Dial" }

func (d *dialScreen) Softkeys(e *Env) []Softkey {
	keys := []Softkey{
		{},
		{Label: "Delete", Do: d.deleteDigit},
		{},
		{Label: "Cancel", Do: func(e *Env) { e.Home() }},
	}
	if e.CanDial() {
		keys[0] = Softkey{Label: "Dial", Do: d.dial}
	}
	return keys
}

func (d *dialScreen) dial(e *Env) {
	if !e.CanDial() || d.number == "" {
		return
	}
	e.Dial(d.number)
	e.Home()
}

// deleteDigit removes the last digit and leaves when none is left.
func (d *dialScreen) deleteDigit(e *Env) {
	if len(d.number) > 0 {
		d.number = d.number[:len(d.number)-1]
	}
	if d.number == "" {
		e.Pop()
	}
}

func (d *dialScreen) Key(k hal.Key, e *Env) bool {
	switch {
	case k.Digit():
		if len(d.number) < maxDigits {
			d.number += string(k)
		}
	case k == hal.KeyBack:
		d.deleteDigit(e)
	case k == hal.KeyOK:
		d.dial(e)
	default:
		return false
	}
	return true
}

// Draw shows the number enlarged in the middle of the body, its last digits
// kept in view, with a cursor bar after it.
func (d *dialScreen) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th := e.Theme
	f, s := th.Font, th.BigScale
	c.Text(body.Min.X+th.Pad, th.Baseline(body.Min.Y, th.RowHeight), f, "Number:", lcd.Black)
	cursor := f.Width("0") * s
	avail := (body.Dx() - 2*th.Pad - cursor - s) / s
	shown := f.FitLeft(d.number, avail)
	base := body.Min.Y + th.RowHeight + (body.Dy()-th.RowHeight-f.Height()*s)/2 + f.Ascent*s - 1
	end := c.TextScaled(body.Min.X+th.Pad, base, f, shown, s, lcd.Black)
	c.Fill(image.Rect(end+s, base+s, end+s+cursor, base+2*s), lcd.Black)
}
