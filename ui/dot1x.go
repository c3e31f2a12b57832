package ui

import (
	"image"

	"deskphone/hal"
	"deskphone/status"
	"deskphone/ui/lcd"
)

// dot1xForm is Network > 802.1X: the method, the credentials, the
// certificates' status and the supplicant's state. After a Save the
// screen follows the authentication (dot1xProgress).
func dot1xForm() *Form {
	f := NewForm("802.1X").
		Setting("dot1x.mode", "Mode").
		Setting("dot1x.identity", "Identity").
		Setting("dot1x.password", "Password").
		Row(certRow(CertDot1XCA)).
		Row(certRow(CertDot1XDevice)).
		Row(Item{Label: "State", Value: func(e *Env) string { return dot1xHeadline(e.Phone.Dot1X) },
			Open: func(e *Env) Screen { return &dot1xProgress{} }})
	f.saved = func(e *Env) {
		e.Push(&dot1xProgress{waiting: e.setting("dot1x.mode") != "0", before: e.Phone.Dot1X})
	}
	return f
}

// certRow is a row showing whether a certificate is installed, opening its
// details.
func certRow(which Cert) Item {
	label := map[Cert]string{CertDot1XCA: "CA cert", CertDot1XDevice: "Device cert", CertLSC: "LSC"}[which]
	return Item{
		Label: label,
		Value: func(e *Env) string { return installed(e.certificate(which).Installed) },
		Open:  func(*Env) Screen { return certPage(which) },
	}
}

// dot1xHeadline is the supplicant's state in a word or two.
func dot1xHeadline(d status.Dot1X) string {
	switch d.State {
	case status.Dot1XConnecting:
		return "Connecting"
	case status.Dot1XAuthenticating:
		return "Authenticating"
	case status.Dot1XAuthenticated:
		return "Authenticated"
	case status.Dot1XFailed:
		return "Failed"
	case status.Dot1XHeld:
		return "Held"
	case "", status.Dot1XDisabled:
		return "Disabled"
	}
	return d.State
}

// dot1xProgress follows the supplicant: connecting, authenticating (with
// its method), authenticated or failed (with the reason). Opened by a
// Save, it waits for the state to move from the one before the Save, so
// the old result is not taken for the new one.
type dot1xProgress struct {
	waiting bool
	before  status.Dot1X
}

func (p *dot1xProgress) Title(*Env) string { return "802.1X" }

func (p *dot1xProgress) Softkeys(*Env) []Softkey {
	return []Softkey{{}, {}, {}, {Label: "Done", Do: func(e *Env) { e.Pop() }}}
}

func (p *dot1xProgress) Key(k hal.Key, e *Env) bool {
	switch k {
	case hal.KeyOK, hal.KeyBack, hal.KeyLeft:
		e.Pop()
		return true
	}
	return false
}

// Lines is what the screen says now: a headline and the details.
func (p *dot1xProgress) Lines(e *Env) (string, []string) {
	d := e.Phone.Dot1X
	if p.waiting && d == p.before {
		return "Saved", []string{"Waiting for 802.1X to restart"}
	}
	p.waiting = false
	var more []string
	switch d.State {
	case status.Dot1XAuthenticating, status.Dot1XAuthenticated:
		if d.Method != "" {
			more = append(more, d.Method)
		}
	case status.Dot1XFailed, status.Dot1XHeld:
		if d.Reason != "" {
			more = append(more, d.Reason)
		}
	}
	return dot1xHeadline(d), more
}

func (p *dot1xProgress) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th := e.Theme
	head, more := p.Lines(e)
	icon := th.Icons.Pending
	switch st := e.Phone.Dot1X.State; {
	case p.waiting: // still the state from before the Save
	case st == status.Dot1XAuthenticated:
		icon = th.Icons.Key
	case st == status.Dot1XFailed || st == status.Dot1XHeld:
		icon = th.Icons.KeyFailed
	case st == "" || st == status.Dot1XDisabled:
		icon = nil
	}
	scale := 1
	if !th.Compact {
		scale = 2
	}
	y := body.Min.Y + th.Pad
	if !th.Compact {
		y += 2 * th.Pad
	}
	w := th.Font.Width(head) * scale
	x := body.Min.X + (body.Dx()-w)/2
	if icon != nil {
		iw := icon.W*scale + 2*th.Pad
		x = body.Min.X + (body.Dx()-w-iw)/2
		c.Bitmap(x, y+(th.Font.Height()*scale-icon.H*scale)/2, icon, scale, lcd.Black)
		x += iw
	}
	c.TextScaled(x, y+th.Font.Ascent*scale-1, th.Font, th.Font.Fit(head, body.Dx()/scale), scale, lcd.Black)
	y += th.Font.Height()*scale + th.Pad
	c.HLine(body.Min.X+th.Pad, body.Max.X-th.Pad-1, y, lcd.Black)
	y += th.Pad + 1
	var lines []string
	for _, m := range more {
		lines = append(lines, th.Font.Wrap(m, body.Dx()-2*th.Pad)...)
	}
	drawLines(c, th, image.Rect(body.Min.X+th.Pad, y, body.Max.X-th.Pad, body.Max.Y), lines, true)
}
