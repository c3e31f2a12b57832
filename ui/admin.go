package ui

import (
	"crypto/subtle"
	"fmt"
	"image"
	"log/slog"
	"time"

	"deskphone/hal"
	"deskphone/ui/lcd"
)

// adminPasswordSetting is the setting that guards the menus.
const adminPasswordSetting = "security.admin_password"

// adminTries wrong passwords in a row lock the menus for adminLockout, on
// the UI's clock.
const (
	adminTries   = 3
	adminLockout = time.Minute
)

// adminLock is the UI's admin state: rights (until back at idle) and the
// count of wrong passwords. It lives in the UI, not in one gate, so that
// leaving and coming back does not reset the count. A restart does.
type adminLock struct {
	unlocked bool
	failures int       // wrong passwords since the last lock or success
	until    time.Time // locked until then
}

// remaining is how long the lock still holds at now (0 when it does not).
func (a *adminLock) remaining(now time.Time) time.Duration {
	return max(a.until.Sub(now), 0)
}

// adminOnly is the opener of a screen that needs the admin password: the
// screen itself once the password was given since leaving idle, the
// password gate before.
func adminOnly(open func(e *Env) Screen) func(e *Env) Screen {
	return func(e *Env) Screen {
		if e.ui != nil && e.ui.admin.unlocked {
			return open(e)
		}
		a := &adminLock{} // a lone rendered screen has no UI to keep it
		if e.ui != nil {
			a = &e.ui.admin
		}
		return newAdminGate(a, open)
	}
}

// adminGate asks the admin password, then opens its screen in its place.
// While locked it shows the time left and takes no password.
type adminGate struct {
	*TextEntry
	open func(e *Env) Screen
	a    *adminLock // the UI's
}

func newAdminGate(a *adminLock, open func(e *Env) Screen) *adminGate {
	g := &adminGate{open: open, a: a}
	g.TextEntry = NewTextEntry("Admin", "Admin password", "", mustDef(adminPasswordSetting).MaxLen, g.check)
	g.secret = true
	g.saveLabel = "OK"
	return g
}

// check compares the entry with the admin password, in constant time.
func (g *adminGate) check(e *Env, text string) string {
	a := g.a
	if a.remaining(e.Now) > 0 {
		return ""
	}
	g.text = g.text[:0]
	want, ok := e.adminPassword()
	if !ok {
		return "Settings unavailable"
	}
	if subtle.ConstantTimeCompare([]byte(text), []byte(want)) != 1 {
		a.failures++
		if a.failures >= adminTries {
			a.failures = 0
			a.until = e.Now.Add(adminLockout)
			slog.Warn("ui: admin password refused; menus locked", "tries", adminTries, "for", adminLockout)
			return ""
		}
		slog.Info("ui: admin password refused", "failures", a.failures)
		left := adminTries - a.failures
		return fmt.Sprintf("Wrong password, %d %s left", left, map[bool]string{true: "try", false: "tries"}[left == 1])
	}
	a.failures, a.unlocked = 0, true
	e.Pop()
	e.Push(g.open(e))
	return ""
}

// adminPassword reads the password; a store that cannot answer opens
// nothing.
func (e *Env) adminPassword() (string, bool) {
	if e.ui == nil || e.ui.settings == nil {
		return "", false
	}
	v, err := e.ui.settings.Get(adminPasswordSetting)
	return v, err == nil
}

// Locked reports whether the gate refuses passwords now.
func (g *adminGate) locked(e *Env) bool { return g.a.remaining(e.Now) > 0 }

func (g *adminGate) Softkeys(e *Env) []Softkey {
	if g.locked(e) {
		return []Softkey{{}, {}, {}, {Label: "Cancel", Do: func(e *Env) { e.Pop() }}}
	}
	return g.TextEntry.Softkeys(e)
}

func (g *adminGate) Key(k hal.Key, e *Env) bool {
	if g.locked(e) {
		if k == hal.KeyBack || k == hal.KeyLeft {
			e.Pop()
		}
		return true // the keypad is not a way around the lock
	}
	return g.TextEntry.Key(k, e)
}

// WakeAt implements waker: the countdown ticks each second, and the open
// letter commits.
func (g *adminGate) WakeAt(now time.Time) time.Time {
	at := g.TextEntry.WakeAt(now)
	if g.a.until.IsZero() {
		return at
	}
	if left := g.a.until.Sub(now); left > 0 {
		tick := now.Add(left % time.Second)
		if left%time.Second == 0 {
			tick = now.Add(time.Second)
		}
		if at.IsZero() || tick.Before(at) {
			at = tick
		}
	}
	return at
}

func (g *adminGate) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	a := g.a
	wait := a.remaining(e.Now)
	if wait == 0 {
		g.TextEntry.Draw(c, body, e)
		return
	}
	th := e.Theme
	secs := int((wait + time.Second - 1) / time.Second)
	left := fmt.Sprintf("%d:%02d", secs/60, secs%60)
	lines := []string{"Too many wrong", "passwords.", "Try again in " + left}
	if !th.Compact {
		lines = []string{"Too many wrong passwords.", "", "Try again in", left}
	}
	step := th.Font.Height() + 2
	top := body.Min.Y + max((body.Dy()-len(lines)*step)/2, 0)
	drawLines(c, th, image.Rect(body.Min.X+th.Pad, top, body.Max.X-th.Pad, body.Max.Y), lines, true)
}
