package ui

import (
	"image"
	"strconv"
	"strings"
	"time"

	"deskphone/hal"
	"deskphone/ui/lcd"
)

// multiTapTimeout is how long after a digit key its letter stays open to a
// further press of the same key; then (or at another key) it is committed.
// It is measured on the UI's clock, so tests move it by hand.
const multiTapTimeout = time.Second

// entryMode is what the digit keys type.
type entryMode int

const (
	modeLower entryMode = iota
	modeUpper
	modeDigits
)

func (m entryMode) String() string {
	return [...]string{"abc", "ABC", "123"}[m]
}

// tapLetters are the characters each digit key cycles through in lower
// case; upper case is the same upper-cased. 1 has the punctuation an
// identity or an address needs; 0 the space.
var tapLetters = map[hal.Key]string{
	hal.Key1: ".@-_,?!:/1",
	hal.Key2: "abc2", hal.Key3: "def3",
	hal.Key4: "ghi4", hal.Key5: "jkl5", hal.Key6: "mno6",
	hal.Key7: "pqrs7", hal.Key8: "tuv8", hal.Key9: "wxyz9",
	hal.Key0: " 0",
}

// cycle is what k cycles through in mode m.
func (m entryMode) cycle(k hal.Key) []rune {
	s := tapLetters[k]
	if m == modeUpper {
		s = strings.ToUpper(s)
	}
	return []rune(s)
}

// TextEntry is a one-line text editor worked from the keypad: multi-tap on
// the digit keys (2 = abc2, ... 9 = wxyz9, 1 punctuation, 0 space), `*`
// for a list of symbols, `#` (or the mode softkey) to switch between lower
// case, upper case and digits. The letter being tapped commits after
// multiTapTimeout or at another key. OK saves, Delete (or BACK) removes the
// last character, BACK on an empty field or Cancel leaves.
//
// A secret field shows every committed character as '*'; only the letter
// being tapped is shown in clear, until it commits (about a second), since
// multi-tap cannot be worked blind. Nothing else ever shows the text.
type TextEntry struct {
	title, label string
	text         []rune
	secret       bool
	maxLen       int       // runes; 0 = no limit
	digitsOnly   bool      // the mode stays 123
	mode         entryMode // what the digit keys type now
	pendKey      hal.Key   // the key whose letter is open, "" when none
	pendIdx      int       // which of its letters
	pendAt       time.Time // when it was last pressed
	msg          string    // a refusal to show under the field
	replace      bool      // the text is selected: the first key replaces it
	hint         string    // shown right of the label instead of the count
	saveLabel    string
	// save gets the text on OK; it navigates when it accepts the text,
	// and returns a message to show when it refuses it.
	save func(e *Env, text string) string
}

// NewTextEntry makes an editor holding text. save runs on OK or the Save
// softkey.
func NewTextEntry(title, label, text string, maxLen int, save func(e *Env, text string) string) *TextEntry {
	return &TextEntry{title: title, label: label, text: []rune(text), maxLen: maxLen, save: save, saveLabel: "Save"}
}

// Text is the text entered so far, the open letter included.
func (t *TextEntry) Text() string { return string(t.full()) }

func (t *TextEntry) full() []rune {
	if t.pendKey == "" {
		return t.text
	}
	return append(append([]rune(nil), t.text...), t.pending())
}

func (t *TextEntry) pending() rune {
	c := t.mode.cycle(t.pendKey)
	return c[t.pendIdx%len(c)]
}

// settle commits the open letter once its time is up.
func (t *TextEntry) settle(now time.Time) {
	if t.pendKey != "" && !now.Before(t.pendAt.Add(multiTapTimeout)) {
		t.commit()
	}
}

func (t *TextEntry) commit() {
	if t.pendKey != "" {
		t.text = append(t.text, t.pending())
		t.pendKey = ""
	}
}

// room reports whether one more character fits after the committed text.
func (t *TextEntry) room() bool { return t.maxLen <= 0 || len(t.text) < t.maxLen }

// unselect drops a selected text before the first character typed.
func (t *TextEntry) unselect() {
	if t.replace {
		t.text, t.replace = t.text[:0], false
	}
}

// insert commits the open letter and adds r.
func (t *TextEntry) insert(r rune) {
	t.commit()
	t.unselect()
	if t.room() {
		t.text = append(t.text, r)
	} else {
		t.msg = "At most " + strconv.Itoa(t.maxLen) + " characters"
	}
}

// WakeAt implements waker: the open letter commits on its own.
func (t *TextEntry) WakeAt(time.Time) time.Time {
	if t.pendKey == "" {
		return time.Time{}
	}
	return t.pendAt.Add(multiTapTimeout)
}

// Title implements Screen.
func (t *TextEntry) Title(*Env) string { return t.title }

// Softkeys implements Screen: the third shows the mode and switches it.
func (t *TextEntry) Softkeys(e *Env) []Softkey {
	mode := Softkey{Label: t.mode.String(), Do: func(e *Env) { t.switchMode(e) }}
	if t.digitsOnly {
		mode = Softkey{Label: "123"}
	}
	return []Softkey{
		{Label: t.saveLabel, Do: t.doSave},
		{Label: "Delete", Do: func(e *Env) { t.settle(e.Now); t.deleteLast() }},
		mode,
		{Label: "Cancel", Do: func(e *Env) { e.Pop() }},
	}
}

func (t *TextEntry) switchMode(e *Env) {
	t.settle(e.Now)
	t.commit()
	if !t.digitsOnly {
		t.mode = (t.mode + 1) % 3
	}
}

func (t *TextEntry) deleteLast() {
	t.msg = ""
	if t.replace {
		t.unselect()
		return
	}
	switch {
	case t.pendKey != "":
		t.pendKey = ""
	case len(t.text) > 0:
		t.text = t.text[:len(t.text)-1]
	}
}

func (t *TextEntry) doSave(e *Env) {
	t.commit()
	t.msg = ""
	if t.save != nil {
		t.msg = t.save(e, string(t.text))
	}
}

// Key implements Screen.
func (t *TextEntry) Key(k hal.Key, e *Env) bool {
	t.settle(e.Now)
	switch {
	case k.Digit() && k != hal.KeyStar && k != hal.KeyPound:
		t.tap(k, e.Now)
	case k == hal.KeyPound:
		t.switchMode(e)
	case k == hal.KeyStar:
		t.commit()
		if t.digitsOnly {
			return true
		}
		e.Push(newSymbolGrid(func(r rune) { t.insert(r) }))
	case k == hal.KeyOK:
		t.doSave(e)
	case k == hal.KeyBack || k == hal.KeyLeft:
		if len(t.text) == 0 && t.pendKey == "" {
			e.Pop()
		} else {
			t.deleteLast()
		}
	default:
		return false
	}
	return true
}

// tap is a digit key: the next letter of the open key, or a new letter.
func (t *TextEntry) tap(k hal.Key, now time.Time) {
	t.msg = ""
	if t.mode == modeDigits || t.digitsOnly {
		t.insert(rune(k[0]))
		return
	}
	if t.pendKey == k {
		t.pendIdx++
		t.pendAt = now
		return
	}
	t.commit()
	t.unselect()
	if !t.room() {
		t.msg = "At most " + strconv.Itoa(t.maxLen) + " characters"
		return
	}
	t.pendKey, t.pendIdx, t.pendAt = k, 0, now
}

// Draw implements Screen: the label, the field with the open letter
// inverted and a cursor after it, the letters of the open key (large
// panels), and a refusal when there is one.
func (t *TextEntry) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	t.settle(e.Now)
	th, f := e.Theme, e.Theme.Font
	x0, x1 := body.Min.X+th.Pad, body.Max.X-th.Pad
	y := body.Min.Y
	if !th.Compact {
		y += th.Pad
	}
	count := strconv.Itoa(len(t.full()))
	if t.maxLen > 0 {
		count += "/" + strconv.Itoa(t.maxLen)
	}
	if t.hint != "" {
		count = t.hint
	}
	base := th.Baseline(y, th.RowHeight)
	c.Text(x1-f.Width(count), base, f, count, lcd.Black)
	c.Text(x0, base, f, f.Fit(t.label, x1-x0-f.Width(count)-2*th.Pad), lcd.Black)
	y += th.RowHeight

	// The field: a box one row high.
	box := image.Rect(x0, y, x1, y+th.RowHeight+2)
	c.Frame(box, lcd.Black)
	shown := string(t.text)
	if t.secret {
		shown = strings.Repeat("*", len(t.text))
	}
	cw := f.Width("M")
	open := ""
	if t.pendKey != "" {
		open = string(t.pending())
	}
	avail := box.Dx() - 2*th.Pad - cw - 2
	if open != "" {
		avail -= glyphWidth(f, t.pending()) + 2
	}
	shown = f.FitLeft(shown, avail)
	fb := th.Baseline(box.Min.Y+1, th.RowHeight)
	x := box.Min.X + th.Pad
	if t.replace && shown != "" {
		// Selected: inverted, as the first key replaces it.
		c.Fill(image.Rect(x-1, box.Min.Y+2, x+f.Width(shown)+1, box.Max.Y-2), lcd.Black)
		x = c.Text(x, fb, f, shown, lcd.White)
	} else {
		x = c.Text(x, fb, f, shown, lcd.Black)
	}
	if open != "" {
		r := t.pending()
		w := glyphWidth(f, r)
		c.Fill(image.Rect(x-1, box.Min.Y+2, x+w+1, box.Max.Y-2), lcd.Black)
		drawGlyph(c, f, x, fb, r, lcd.White)
		x += w + 2
	}
	c.Fill(image.Rect(x, fb+1, x+cw, fb+2), lcd.Black)
	y = box.Max.Y + th.Pad

	if t.pendKey != "" && !th.Compact {
		// The open key's letters, the one it is at inverted.
		x := x0
		base := th.Baseline(y, th.RowHeight)
		letters := t.mode.cycle(t.pendKey)
		for i, r := range letters {
			w := glyphWidth(f, r)
			ink := lcd.Black
			if i == t.pendIdx%len(letters) {
				c.Fill(image.Rect(x-2, y+1, x+w+2, y+th.RowHeight-1), lcd.Black)
				ink = lcd.White
			}
			drawGlyph(c, f, x, base, r, ink)
			x += w + 6
		}
		y += th.RowHeight
	}
	if t.msg != "" {
		r := image.Rect(x0, y, x1, body.Max.Y)
		drawLines(c, th, r, f.Wrap(t.msg, r.Dx()), false)
	}
}
