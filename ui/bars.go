package ui

import (
	"image"

	"deskphone/status"
	"deskphone/ui/lcd"
)

// clockLayout is the idle bar's date and time, as "Mon 23 Nov  08:30".
const clockLayout = "Mon 02 Jan  15:04"

// drawTopBar paints the inverted bar at the top: the status icons (title
// "") or the screen's title on the left, the clock on the right.
func drawTopBar(c *lcd.Canvas, th *Theme, title string, e *Env) {
	bar := image.Rect(0, 0, th.Size.X, th.BarHeight)
	c.Fill(bar, lcd.Black)
	base := th.Baseline(0, th.BarHeight)
	right := th.Size.X - th.Pad
	x := th.Pad
	if title == "" {
		for _, ic := range statusIcons(th.Icons, &e.Phone) {
			c.Bitmap(x, (th.BarHeight-ic.H+1)/2, ic, 1, lcd.White)
			x += ic.W + th.Pad
		}
	}
	clock := ""
	if !e.Now.IsZero() {
		clock = e.Now.Format("15:04")
		if title == "" {
			clock = e.Now.Format(clockLayout)
			if th.Font.Width(clock) > right-x-th.Pad {
				clock = e.Now.Format("02 Jan 15:04")
			}
		}
	}
	cw := th.Font.Width(clock)
	c.Text(right-cw, base, th.Font, clock, lcd.White)
	if title != "" {
		c.Text(x, base, th.Font, th.Font.Fit(title, right-cw-2*th.Pad-x), lcd.White)
	}
}

// statusIcons are the idle bar's icons: the LAN link, 802.1X when it is in
// use, and the security of the signalling.
func statusIcons(icons *lcd.Icons, p *status.Phone) []*lcd.Bitmap {
	out := []*lcd.Bitmap{icons.LinkDown}
	if p.Network.LinkUp {
		out[0] = icons.Link
	}
	switch p.Dot1X.State {
	case status.Dot1XAuthenticated:
		out = append(out, icons.Key)
	case status.Dot1XConnecting, status.Dot1XAuthenticating:
		out = append(out, icons.Pending)
	case status.Dot1XFailed, status.Dot1XHeld:
		out = append(out, icons.KeyFailed)
	}
	switch p.Security.Mode {
	case "encrypted":
		out = append(out, icons.Lock)
	case "authenticated":
		out = append(out, icons.Shield)
	}
	return out
}

// drawSoftkeys paints the softkey row: four equal cells over the four soft
// keys, the labels centred, a rule above and (on large panels) ticks
// between.
func drawSoftkeys(c *lcd.Canvas, th *Theme, keys []Softkey) {
	top := th.Size.Y - th.SoftHeight
	c.HLine(0, th.Size.X-1, top, lcd.Black)
	cell := th.Size.X / 4
	base := th.Baseline(top+1, th.SoftHeight-1)
	for i := 0; i < 4; i++ {
		x0 := i * cell
		// On a small panel the labels need the cells' full width.
		if i > 0 && !th.Compact {
			c.VLine(x0, top+2, th.Size.Y-3, lcd.Black)
		}
		if i >= len(keys) || keys[i].Label == "" {
			continue
		}
		// Without ticks between the cells a label may take all but a pixel.
		room := cell - 3
		if th.Compact {
			room = cell - 1
		}
		label := th.Font.Fit(keys[i].Label, room)
		w := th.Font.Width(label)
		c.Text(x0+(cell-w+1)/2, base, th.Font, label, lcd.Black)
	}
}
