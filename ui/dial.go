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
	number     string
	precedence string // MLPP level picked with the Prec softkey; "" = none
}

// precedences are the MLPP levels the Prec softkey cycles through, none
// first (the dsn namespace of AS-SIP, lowest to highest).
var precedences = []string{"", "routine", "priority", "immediate", "flash", "flash-override"}

// canCall reports whether the call control is wired (it dials with a
// precedence).
func (e *Env) canCall() bool { return e.ui != nil && e.ui.calls != nil }

// cyclePrecedence picks the next MLPP level.
func (d *dialScreen) cyclePrecedence(*Env) {
	for i, p := range precedences {
		if p == d.precedence {
			d.precedence = precedences[(i+1)%len(precedences)]
			return
		}
	}
	d.precedence = ""
}

func (d *dialScreen) Title(*Env) string { return "Dial" }

func (d *dialScreen) Softkeys(e *Env) []Softkey {
	keys := []Softkey{
		{},
		{Label: "Delete", Do: d.deleteDigit},
		{},
		{Label: "Cancel", Do: func(e *Env) { e.Home() }},
	}
	if e.CanDial() || e.canCall() {
		keys[0] = Softkey{Label: "Dial", Do: d.dial}
	}
	if e.canCall() {
		label := "Prec"
		if d.precedence != "" {
			label = precedenceShort[d.precedence]
		}
		keys[2] = Softkey{Label: label, Do: d.cyclePrecedence}
	}
	return keys
}

// precedenceShort are the levels as a softkey fits them.
var precedenceShort = map[string]string{"routine": "Rout", "priority": "Prio", "immediate": "Imm", "flash": "Flash", "flash-override": "F-Ovr"}

func (d *dialScreen) dial(e *Env) {
	if d.number == "" {
		return
	}
	if e.canCall() {
		number, prec := d.number, d.precedence
		e.ui.lastDialed = number
		e.callDo(func(cc CallControl) error { cc.DialWith(number, prec); return nil })
		e.Home()
		return
	}
	if !e.CanDial() {
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
	label := "Number:"
	if d.precedence != "" {
		label = "Number (" + precedenceWords(d.precedence) + "):"
	}
	c.Text(body.Min.X+th.Pad, th.Baseline(body.Min.Y, th.RowHeight), f, f.Fit(label, body.Dx()-2*th.Pad), lcd.Black)
	cursor := f.Width("0") * s
	avail := (body.Dx() - 2*th.Pad - cursor - s) / s
	shown := f.FitLeft(d.number, avail)
	base := body.Min.Y + th.RowHeight + (body.Dy()-th.RowHeight-f.Height()*s)/2 + f.Ascent*s - 1
	end := c.TextScaled(body.Min.X+th.Pad, base, f, shown, s, lcd.Black)
	c.Fill(image.Rect(end+s, base+s, end+s+cursor, base+2*s), lcd.Black)
}
