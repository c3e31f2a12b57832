package ui

import (
	"image"
	"time"

	"deskphone/hal"
	"deskphone/status"
	"deskphone/ui/lcd"
)

// State is what a frame shows of the phone: one status snapshot, the
// settings the screens read, and the time.
type State struct {
	Phone     status.Phone
	PhoneName string // setting phone.name, "" when unset or unreadable
	Now       time.Time
}

// Screen is one page of the LCD. Screens keep their own cursor and input;
// the UI keeps a stack of them, idle at the bottom.
type Screen interface {
	// Title is shown in the top bar; "" shows the status icons instead.
	Title(e *Env) string
	// Softkeys are the labels over SOFT1-SOFT4 and what they do.
	Softkeys(e *Env) []Softkey
	// Draw paints the body, the area between the top bar and the softkeys.
	Draw(c *lcd.Canvas, body image.Rectangle, e *Env)
	// Key handles a key other than a softkey or MENU, and reports whether
	// the screen used it.
	Key(k hal.Key, e *Env) bool
}

// Softkey is one soft key: its label and its action. An empty label with no
// action leaves the key blank and inert.
type Softkey struct {
	Label string
	Do    func(e *Env)
}

// Env is what a screen sees while it draws or handles a key: the state, the
// panel's theme, and the UI it may navigate (nil when a lone screen is
// rendered, and then navigation does nothing).
type Env struct {
	State
	Theme *Theme
	ui    *UI
}

// Push opens s over the current screen.
func (e *Env) Push(s Screen) {
	if e.ui != nil {
		e.ui.stack = append(e.ui.stack, s)
	}
}

// Pop goes back to the previous screen; idle is never popped.
func (e *Env) Pop() {
	if e.ui != nil && len(e.ui.stack) > 1 {
		e.ui.stack = e.ui.stack[:len(e.ui.stack)-1]
	}
}

// Home goes back to idle.
func (e *Env) Home() {
	if e.ui != nil {
		e.ui.stack = e.ui.stack[:1]
	}
}

// CanDial reports whether the firmware has wired a dialer.
func (e *Env) CanDial() bool { return e.ui != nil && e.ui.dial != nil }

// Dial hands number to the firmware's dialer and remembers it for Redial.
func (e *Env) Dial(number string) {
	if !e.CanDial() || number == "" {
		return
	}
	e.ui.lastDialed = number
	e.ui.toDial = number // called once the UI's lock is released
}

// LastDialed is the last number handed to the dialer ("" when none).
func (e *Env) LastDialed() string {
	if e.ui == nil {
		return ""
	}
	return e.ui.lastDialed
}

// Render draws one frame of s for a panel: top bar, body, softkeys. It is
// pure: the screen is not navigated and nothing is shown.
func Render(info hal.DisplayInfo, s Screen, st State) *image.Gray {
	e := &Env{State: st, Theme: ThemeFor(info)}
	c := lcd.NewCanvas(info.Width, info.Height)
	draw(c, s, e)
	return c.Img
}

// draw paints a whole frame of s into c.
func draw(c *lcd.Canvas, s Screen, e *Env) {
	c.Clear()
	th := e.Theme
	drawTopBar(c, th, s.Title(e), e)
	s.Draw(c, th.Body(), e)
	drawSoftkeys(c, th, s.Softkeys(e))
}
