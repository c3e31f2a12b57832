package ui

import (
	"fmt"
	"image"
	"strings"

	"deskphone/status"
	"deskphone/ui/lcd"
)

// callSecurity is a call's security icon and word: a lock when the call is
// encrypted, a shield when its line's signalling is authenticated (or
// encrypted) but the media are not, nothing for a non-secure call.
func callSecurity(icons *lcd.Icons, p *status.Phone) (*lcd.Bitmap, string) {
	c := p.Call
	if c.Encrypted || c.Security == "encrypted" {
		return icons.Lock, "Encrypted"
	}
	switch c.Security {
	case "authenticated":
		return icons.Shield, "Authenticated"
	case "nonsecure":
		return nil, "Not secure"
	}
	for _, l := range p.Lines {
		if l.Index == c.Line && (l.Security == "authenticated" || l.Security == "encrypted") {
			return icons.Shield, "Authenticated"
		}
	}
	return nil, "Not secure"
}

// callLine is the label of the call's line.
func callLine(p *status.Phone) string {
	for _, l := range p.Lines {
		if l.Index == p.Call.Line {
			return lineLabel(l)
		}
	}
	return lineLabel(status.Line{Index: p.Call.Line})
}

// drawCall fills idle's body with the call: its line and security on top,
// the peer enlarged (where it fits), and the call's state.
func drawCall(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th, f := e.Theme, e.Theme.Font
	p := &e.Phone
	x0, x1 := body.Min.X+th.Pad, body.Max.X-th.Pad
	y := body.Min.Y + th.Pad/2

	icon, secWords := callSecurity(th.Icons, p)
	x := x0
	if icon != nil {
		c.Bitmap(x, y+(th.RowHeight-icon.H+1)/2, icon, 1, lcd.Black)
		x += icon.W + th.Pad + 1
	}
	base := th.Baseline(y, th.RowHeight)
	end := x1
	if !th.Compact {
		end -= f.Width(secWords) + 2*th.Pad
		c.Text(x1-f.Width(secWords), base, f, secWords, lcd.Black)
	}
	c.Text(x, base, f, f.Fit(callLine(p), end-x), lcd.Black)
	y += th.RowHeight
	c.HLine(x0, x1-1, y, lcd.Black)
	y += th.Pad

	if p.Call.State == "refused" {
		// Why matters more than who: the reason, wrapped, under the peer.
		if !th.Compact { // a small panel keeps its rows for the reason
			c.Text(x0, th.Baseline(y, th.RowHeight), f, f.Fit(orNone(p.Call.Peer, "Unknown"), x1-x0), lcd.Black)
			y += th.RowHeight
		}
		why := "Refused: " + orNone(p.Call.Reason, "not secure")
		drawLines(c, th, image.Rect(x0, y, x1, body.Max.Y), f.Wrap(why, x1-x0), false)
		return
	}
	// The peer: enlarged when it fits, else as much as fits.
	peer := orNone(p.Call.Peer, "Unknown")
	scale := th.BigScale
	if th.Compact || f.Width(peer)*scale > x1-x0 {
		scale = 1
	}
	ph := f.Height() * scale
	state := callLineWords(p)
	free := body.Max.Y - y - th.RowHeight
	py := y + max((free-ph)/2, 0)
	shown := f.Fit(peer, (x1-x0)/scale)
	c.TextScaled(x0+(x1-x0-f.Width(shown)*scale)/2, py+f.Ascent*scale-1, f, shown, scale, lcd.Black)
	sb := th.Baseline(body.Max.Y-th.RowHeight, th.RowHeight)
	c.Text(x0+(x1-x0-f.Width(state))/2, sb, f, f.Fit(state, x1-x0), lcd.Black)
}

// callLineWords is the bottom line of the call screen: the state, with
// the precedence of an incoming call, the reason of a refused one, and
// whether another call is held.
func callLineWords(p *status.Phone) string {
	c := p.Call
	var w string
	switch {
	case c.State == "incoming":
		w = "Incoming call"
		if c.Precedence != "" {
			w = precedenceWords(c.Precedence) + " call"
		}
	case c.State == "refused":
		w = "Refused: " + orNone(c.Reason, "not secure")
	case c.Held || c.State == "held":
		w = "On hold"
	case c.RemoteHeld:
		w = "Held by the other party"
	default:
		w = callStateWords(c.State)
		if c.Precedence != "" && c.State != "ended" {
			w += " (" + precedenceWords(c.Precedence) + ")"
		}
	}
	if o := otherCall(p); o != nil {
		w += fmt.Sprintf(" - line %d %s", o.Line, otherWords(o))
	}
	return w
}

// otherWords is a second call's state, briefly.
func otherWords(c *status.Call) string {
	switch {
	case c.State == "incoming":
		return "ringing"
	case c.Held || c.State == "held":
		return "held"
	}
	return c.State
}

// callStateWords is the call's state as the screen says it.
func callStateWords(s string) string {
	if s == "" {
		return "In call"
	}
	return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
}
