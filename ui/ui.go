// Package ui is what the end user sees on the phone's LCD and how the
// keypad drives it: a stack of screens (idle and the call, dial, menus,
// status pages) drawn from status snapshots with 1-bit fonts and icons
// (package ui/lcd), at the size of the board's panel. The menus behind the
// admin password (Network > 802.1X, Security, Settings) edit the settings
// store with toggles, choice lists and multi-tap text entry, and save each
// screen's edits at once.
package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"

	"deskphone/hal"
	"deskphone/status"
	"deskphone/ui/lcd"
)

// Settings is the part of the settings store the LCD reads and the menus
// write; *settings.Store is one. Apply changes several settings at once,
// all or nothing, and names what it refused (settings.ValueError).
type Settings interface {
	Get(name string) (string, error)
	Apply(changes map[string]string) error
}

// UI drives one display from one keypad.
type UI struct {
	display  hal.Display
	keypad   hal.Keypad
	hub      *status.Hub
	settings Settings
	now      func() time.Time
	theme    *Theme

	mu         sync.Mutex
	secinfo    SecurityInfo // nil: certificates and trust list "not installed"
	admin      adminLock
	stack      []Screen // idle at the bottom, the shown screen on top
	dial       func(number string)
	calls      CallControl // nil: calls are only shown
	todo       []func()    // call actions, run once the lock is released
	lastDialed string
	toDial     string      // a number Dial asked for while handling a key
	canvas     *lcd.Canvas // the frame being drawn
	shown      *lcd.Canvas // the frame last shown
	haveShown  bool
}

// New makes the LCD's UI. hub and s may be nil (nothing to show from them).
func New(d hal.Display, k hal.Keypad, hub *status.Hub, s Settings, now func() time.Time) *UI {
	info := d.Info()
	return &UI{
		display:  d,
		keypad:   k,
		hub:      hub,
		settings: s,
		now:      now,
		theme:    ThemeFor(info),
		stack:    []Screen{idleScreen{}},
		canvas:   lcd.NewCanvas(info.Width, info.Height),
		shown:    lcd.NewCanvas(info.Width, info.Height),
	}
}

// SetDialer wires what the Dial softkey does with the typed number; until
// it is set the dial screen offers no Dial.
func (u *UI) SetDialer(dial func(number string)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.dial = dial
}

// State reads what a frame shows now.
func (u *UI) State() State {
	var st State
	if u.hub != nil {
		st.Phone, _ = u.hub.Snapshot()
	}
	if u.settings != nil {
		name, err := u.settings.Get("phone.name")
		if err != nil {
			slog.Debug("ui: read phone.name", "err", err)
		} else {
			st.PhoneName = name
		}
	}
	st.Now = u.now()
	return st
}

// SetSecurityInfo wires where the menus read certificates and the trust
// list; until it is set they show "not installed".
func (u *UI) SetSecurityInfo(si SecurityInfo) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.secinfo = si
}

func (u *UI) env() *Env { return &Env{State: u.State(), Theme: u.theme, ui: u} }

// Screen is the screen on top, the one shown.
func (u *UI) Screen() Screen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.stack[len(u.stack)-1]
}

// Depth is how many screens are open over idle.
func (u *UI) Depth() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.stack) - 1
}

// HandleKey acts on one key as if it were pressed, and reports whether a
// screen used it. The softkeys run the shown screen's softkeys; MENU opens
// the menu from idle and goes back to idle from anywhere else.
func (u *UI) HandleKey(k hal.Key) bool {
	u.mu.Lock()
	used := u.handleKey(k)
	number, dial := u.toDial, u.dial
	u.toDial = ""
	todo := u.todo
	u.todo = nil
	u.mu.Unlock()
	// The dialer and the call actions run outside the lock, so they may
	// call back into the UI.
	if number != "" && dial != nil {
		dial(number)
	}
	for _, f := range todo {
		f()
	}
	return used
}

func (u *UI) handleKey(k hal.Key) bool {
	used := u.screenKey(k)
	if !used && audioKeys[k] && u.calls != nil {
		// The hook switch and the audio keys always reach the calls (dial
		// tone off hook, the speaker's state), whatever screen is shown.
		cc := u.calls
		u.todo = append(u.todo, func() { cc.Audio(k) })
		used = true
	}
	// Admin rights last while a menu is open: back at idle they are gone.
	if len(u.stack) == 1 {
		u.admin.unlocked = false
	}
	return used
}

func (u *UI) screenKey(k hal.Key) bool {
	e := u.env()
	top := u.top(e)
	switch k {
	case hal.KeySoft1, hal.KeySoft2, hal.KeySoft3, hal.KeySoft4:
		i := int(k[len(k)-1] - '1')
		keys := top.Softkeys(e)
		if i >= len(keys) || keys[i].Do == nil {
			return false
		}
		keys[i].Do(e)
		return true
	case hal.KeyMenu:
		if len(u.stack) == 1 {
			e.Push(mainMenu())
		} else {
			e.Home()
		}
		return true
	}
	return top.Key(k, e)
}

// top is the screen shown: the one on top of the stack, except that a
// call (or a refused call's reason) takes idle's place.
func (u *UI) top(e *Env) Screen {
	s := u.stack[len(u.stack)-1]
	if _, idle := s.(idleScreen); idle && e.Phone.Call != nil && e.Phone.Inoperable == "" {
		return callScreen{}
	}
	return s
}

// log is where the UI reports what it could not do.
func (u *UI) log() *slog.Logger { return slog.Default() }

// Frame renders the shown screen as it is now. The image is the caller's.
func (u *UI) Frame() *image.Gray {
	u.mu.Lock()
	defer u.mu.Unlock()
	c := lcd.NewCanvas(u.theme.Size.X, u.theme.Size.Y)
	e := u.env()
	draw(c, u.top(e), e)
	return c.Img
}

// redraw renders the shown screen and puts it on the display unless it is
// the frame already there (a mono panel over SPI is slow to refresh).
func (u *UI) redraw() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	e := u.env()
	draw(u.canvas, u.top(e), e)
	if u.haveShown && bytes.Equal(u.canvas.Img.Pix, u.shown.Img.Pix) {
		return nil
	}
	if err := u.display.Show(u.canvas.Img); err != nil {
		return fmt.Errorf("ui: show frame: %w", err)
	}
	u.canvas, u.shown = u.shown, u.canvas
	u.haveShown = true
	return nil
}

// Run shows the first frame at once, then redraws after each key, each
// status change and each minute (for the clock), until ctx is done. It
// returns an error when the keypad or the display fails.
func (u *UI) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()

	var seq uint64
	if u.hub != nil {
		_, seq = u.hub.Snapshot()
	}
	if err := u.redraw(); err != nil {
		return err
	}

	keys := make(chan hal.Key)
	keyErr := make(chan error, 1)
	wg.Go(func() {
		for {
			k, err := u.keypad.NextKey(ctx)
			if err != nil {
				if ctx.Err() == nil {
					keyErr <- err
				}
				return
			}
			select {
			case keys <- k:
			case <-ctx.Done():
				return
			}
		}
	})
	changed := make(chan struct{}, 1)
	if u.hub != nil {
		wg.Go(func() {
			for {
				var err error
				if _, seq, err = u.hub.Wait(ctx, seq); err != nil {
					return
				}
				select {
				case changed <- struct{}{}:
				default: // a redraw is already due; it will read the newest state
				}
			}
		})
	}

	tick := time.NewTimer(u.untilWake())
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-keyErr:
			return fmt.Errorf("ui: read keypad: %w", err)
		case k := <-keys:
			u.HandleKey(k)
		case <-changed:
		case <-tick.C:
		}
		if err := u.redraw(); err != nil {
			return err
		}
		// A key or a change may have brought a screen that wakes sooner.
		if !tick.Stop() {
			select {
			case <-tick.C:
			default:
			}
		}
		tick.Reset(u.untilWake())
	}
}

// waker is a screen that changes by itself at a time: a multi-tap letter
// that commits, a lockout's countdown.
type waker interface {
	// WakeAt is when the screen next changes; zero when it does not.
	WakeAt(now time.Time) time.Time
}

// minWake keeps a clock that does not move from spinning the loop.
const minWake = 20 * time.Millisecond

// untilWake is how long until the next redraw that no event brings: the
// clock's minute, or sooner when the shown screen asks.
func (u *UI) untilWake() time.Duration {
	now := u.now()
	d := untilNextMinute(now)
	u.mu.Lock()
	defer u.mu.Unlock()
	if w, ok := u.stack[len(u.stack)-1].(waker); ok {
		if at := w.WakeAt(now); !at.IsZero() && at.Sub(now) < d {
			d = max(at.Sub(now), minWake)
		}
	}
	return d
}

// untilNextMinute is how long from t until the clock's minute changes.
func untilNextMinute(t time.Time) time.Duration {
	return t.Truncate(time.Minute).Add(time.Minute).Sub(t)
}
