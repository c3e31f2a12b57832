package ui

import (
	"fmt"
	"image"

	"deskphone/hal"
	"deskphone/status"
	"deskphone/ui/lcd"
)

// idleScreen is the home screen: the phone's name and its lines, or, when
// the phone is out of service, why.
type idleScreen struct{}

func (idleScreen) Title(*Env) string { return "" }

func (idleScreen) Softkeys(e *Env) []Softkey {
	keys := []Softkey{
		{Label: "Menu", Do: func(e *Env) { e.Push(mainMenu()) }},
		{Label: "Status", Do: func(e *Env) { e.Push(statusPage()) }},
		{},
		{},
	}
	if last := e.LastDialed(); last != "" && e.CanDial() && e.Phone.Inoperable == "" {
		keys[2] = Softkey{Label: "Redial", Do: func(e *Env) { e.Push(&dialScreen{number: last}) }}
	}
	if e.Phone.Inoperable != "" && dot1xInUse(e.Phone.Dot1X) {
		// Out of service because of 802.1X: its settings are one key away.
		keys[2] = Softkey{Label: "802.1X", Do: func(e *Env) {
			e.Push(adminOnly(func(*Env) Screen { return dot1xForm() })(e))
		}}
	}
	return keys
}

// dot1xInUse reports whether the supplicant runs (so it may be why the
// phone is out of service).
func dot1xInUse(d status.Dot1X) bool {
	return d.State != "" && d.State != status.Dot1XDisabled
}

// Key opens the dial screen on a digit; a phone out of service has nothing
// to dial with.
func (idleScreen) Key(k hal.Key, e *Env) bool {
	if k.Digit() && e.Phone.Inoperable == "" {
		e.Push(&dialScreen{number: string(k)})
		return true
	}
	return false
}

func (idleScreen) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	if e.Phone.Inoperable != "" {
		drawOutOfService(c, body, e)
		return
	}
	if e.Phone.Call != nil {
		drawCall(c, body, e)
		return
	}
	th := e.Theme
	body = drawNetworkNotice(c, body, e)
	lineH := th.RowHeight + 2
	if th.Compact {
		lineH = th.RowHeight
	}
	rows := body.Dy() / lineH
	y := body.Min.Y + th.Pad/2
	// A disabled line has no key on the phone's face.
	var lines []status.Line
	for _, l := range e.Phone.Lines {
		if l.State != status.LineDisabled {
			lines = append(lines, l)
		}
	}
	if e.PhoneName != "" && len(lines)+1 <= rows {
		name := th.Font.Fit(e.PhoneName, body.Dx()-2*th.Pad)
		c.Text(body.Min.X+th.Pad, th.Baseline(y, lineH), th.Font, name, lcd.Black)
		y += lineH
		// The rule goes below the name's descenders.
		c.HLine(body.Min.X+th.Pad, body.Max.X-th.Pad-1, y, lcd.Black)
		y += th.Pad/2 + 1
	}
	for _, l := range lines {
		if y+lineH > body.Max.Y {
			break
		}
		drawLine(c, th, image.Rect(body.Min.X+th.Pad, y, body.Max.X-th.Pad, y+lineH), l)
		y += lineH
	}
	if len(lines) == 0 {
		c.Text(body.Min.X+th.Pad, th.Baseline(y, lineH), th.Font, "No line configured", lcd.Black)
	}
}

// drawLine is one line's row: its registration icon, its label, and (where
// there is room) its state in words.
func drawLine(c *lcd.Canvas, th *Theme, r image.Rectangle, l status.Line) {
	icon, words := lineLook(th.Icons, l)
	// The icons share one column, so the labels line up.
	col := th.Icons.Phone.W
	c.Bitmap(r.Min.X+(col-icon.W)/2, r.Min.Y+(r.Dy()-icon.H+1)/2, icon, 1, lcd.Black)
	x := r.Min.X + col + th.Pad + 1
	base := th.Baseline(r.Min.Y, r.Dy())
	end := r.Max.X
	if !th.Compact {
		w := th.Font.Fit(words, r.Dx()/2)
		end -= th.Font.Width(w) + 2*th.Pad
		c.Text(r.Max.X-th.Font.Width(w), base, th.Font, w, lcd.Black)
	}
	c.Text(x, base, th.Font, th.Font.Fit(lineLabel(l), end-x), lcd.Black)
}

// lineLabel is what the phone calls a line: its label (the firmware puts
// the user there when the label is unset), or its number.
func lineLabel(l status.Line) string {
	if l.Label != "" {
		return l.Label
	}
	return fmt.Sprintf("Line %d", l.Index)
}

// lineLook is a line's icon and state in words.
func lineLook(icons *lcd.Icons, l status.Line) (*lcd.Bitmap, string) {
	switch l.State {
	case status.LineRegistered:
		return icons.Phone, "Registered"
	case status.LineRegistering:
		return icons.Pending, "Registering"
	case status.LineFailed:
		if l.Reason != "" {
			return icons.PhoneFailed, "Failed: " + l.Reason
		}
		return icons.PhoneFailed, "Failed"
	case status.LineDisabled:
		return icons.PhoneFailed, "Disabled"
	}
	return icons.PhoneFailed, "Not registered"
}

// drawOutOfService fills the body with the phone's refusal to work and its
// reason, as the 802.1X failure needs the user to see.
func drawOutOfService(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th := e.Theme
	head := "Out of service"
	scale := 1
	if !th.Compact {
		scale = 2
	}
	hh := th.Font.Height() * scale
	w := th.Font.Width(head) * scale
	top := body.Min.Y + th.Pad
	if !th.Compact {
		top += th.Pad * 2
	}
	box := image.Rect(body.Min.X+th.Pad, top, body.Max.X-th.Pad, top+hh+2*th.Pad)
	c.Fill(box, lcd.Black)
	base := box.Min.Y + th.Pad + th.Font.Ascent*scale - 1
	c.TextScaled(box.Min.X+(box.Dx()-w)/2, base, th.Font, head, scale, lcd.White)
	text := box.Inset(0)
	text.Min.Y = box.Max.Y + th.Pad + 1
	text.Max.Y = body.Max.Y - th.Pad/2
	if !th.Compact {
		text.Min.Y += th.Pad * 2
	}
	drawLines(c, th, text, th.Font.Wrap(e.Phone.Inoperable, text.Dx()), true)
}

// networkNotice is what the idle screen says of the boot flow while the
// phone is not (or not fully) in service: the stage it waits in and its
// problem. A phone in service without a problem says nothing.
func networkNotice(n status.Network) string {
	words := map[string]string{
		"link":         "No network: check the LAN cable",
		"802.1x":       "802.1X: authenticating",
		"address":      "Getting an address",
		"time":         "Getting the time",
		"provisioning": "Provisioning",
		"registering":  "Registering",
	}
	stage, ok := words[n.Stage]
	switch {
	case n.Error != "" && n.Stage == "link":
		return stage
	case n.Error != "":
		return n.Error
	case ok:
		return stage + "..."
	}
	return ""
}

// drawNetworkNotice writes the boot flow's notice at the foot of body,
// under a rule, and returns what is left of body above it.
func drawNetworkNotice(c *lcd.Canvas, body image.Rectangle, e *Env) image.Rectangle {
	note := networkNotice(e.Phone.Network)
	if note == "" {
		return body
	}
	th := e.Theme
	rows := th.Font.Wrap(note, body.Dx()-2*th.Pad)
	shown := min(len(rows), 2) // drawLines ends a cut notice with "..."
	if th.Compact {
		shown = 1
	}
	h := shown*(th.Font.Height()+2) + th.Pad/2
	r := image.Rect(body.Min.X+th.Pad, body.Max.Y-h, body.Max.X-th.Pad, body.Max.Y)
	c.HLine(r.Min.X, r.Max.X-1, r.Min.Y-2, lcd.Black)
	drawLines(c, th, r, rows, false)
	body.Max.Y = r.Min.Y - 3
	return body
}
