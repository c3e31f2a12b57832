package ui

import (
	"errors"
	"fmt"
	"image"
	"log/slog"

	"deskphone/hal"
	"deskphone/provision/settings"
	"deskphone/ui/lcd"
)

// Form is a list of settings edited together: toggles flip on OK, choices
// open their options, text opens a TextEntry. Edits are kept on the form
// until Save applies them all at once (Settings.Apply: all or nothing); a
// refusal opens a page naming each refused setting and the edits stay.
// BACK with unsaved edits warns once; a second BACK drops them. A setting
// only provisioning may change (Def.ProvisionOnly) is shown, and says so.
type Form struct {
	title  string
	list   *List
	edits  map[string]string // canonical name -> new canonical value
	labels map[string]string // canonical name -> its row's label
	names  []string          // each row's setting, "" for other rows
	msg    string            // shown in the footer until the next key
	armed  bool              // BACK warned of unsaved edits once
	saved  func(e *Env)      // after a successful Save
}

// NewForm makes an empty form.
func NewForm(title string) *Form {
	return &Form{title: title, list: NewList(title), edits: map[string]string{}, labels: map[string]string{}}
}

// Row adds a row that is no setting (a page to open, a fact to show).
func (f *Form) Row(it Item) *Form { return f.row(it, "") }

func (f *Form) row(it Item, name string) *Form {
	f.list.Items = append(f.list.Items, it)
	f.names = append(f.names, name)
	return f
}

// Setting adds a row editing the setting name (canonical, as the schema
// names it), shown as label. An unknown name is a programming error.
func (f *Form) Setting(name, label string) *Form {
	d, ok := settings.Lookup(name)
	if !ok || d.Name != name {
		panic(fmt.Sprintf("ui: form %s: unknown setting %q", f.title, name))
	}
	f.labels[name] = label
	it := Item{Label: label, Value: func(e *Env) string { return showValue(d, f.value(e, name)) }}
	switch {
	case d.ProvisionOnly:
		it.Do = func(*Env) { f.msg = "Set by provisioning only" }
	case d.Kind == settings.KindBool:
		it.Do = func(e *Env) {
			v := "on"
			if f.value(e, name) == "on" {
				v = "off"
			}
			f.set(e, name, v)
		}
	case d.Kind == settings.KindChoice:
		it.Open = func(e *Env) Screen {
			return choiceList(label, d.Options, func() string { return f.value(e, name) },
				func(e *Env, v string) { f.set(e, name, v) })
		}
	default:
		it.Open = func(e *Env) Screen { return f.textEditor(e, d, label) }
	}
	return f.row(it, name)
}

// textEditor edits a text or number setting; a secret starts empty, so its
// old value is never on the screen.
func (f *Form) textEditor(e *Env, d settings.Def, label string) *TextEntry {
	initial := f.value(e, d.Name)
	if d.Secret {
		initial = ""
	}
	t := NewTextEntry(f.title, label, initial, d.MaxLen, func(e *Env, text string) string {
		v, err := d.Normalize(text)
		if err != nil {
			var ve *settings.ValueError
			if errors.As(err, &ve) {
				return ve.Reason
			}
			return err.Error()
		}
		f.set(e, d.Name, v)
		e.Pop()
		return ""
	})
	t.secret = d.Secret
	if d.Kind == settings.KindInt {
		// A number is typed anew more often than changed digit by digit.
		t.digitsOnly, t.mode, t.replace = true, modeDigits, true
		t.hint = fmt.Sprintf("%d-%d", d.Min, d.Max)
	}
	return t
}

// value is the setting as the form would save it: the edit, or the store's.
func (f *Form) value(e *Env, name string) string {
	if v, ok := f.edits[name]; ok {
		return v
	}
	return e.setting(name)
}

// set records an edit; setting the stored value back drops it.
func (f *Form) set(e *Env, name, v string) {
	if v == e.setting(name) {
		delete(f.edits, name)
	} else {
		f.edits[name] = v
	}
	f.armed = false
}

// Edited reports whether the form holds unsaved edits.
func (f *Form) Edited() bool { return len(f.edits) > 0 }

// Save applies the edits at once; on a refusal it opens a page naming
// what was refused and keeps the edits.
func (f *Form) Save(e *Env) {
	if len(f.edits) == 0 {
		return
	}
	if err := e.apply(f.edits); err != nil {
		rows := refusals(err, f.labels)
		e.Push(NewInfoPage("Not saved", func(*Env) []InfoRow { return rows }))
		return
	}
	f.edits = map[string]string{}
	f.armed = false
	f.msg = "Saved"
	if f.saved != nil {
		f.saved(e)
	}
}

// showValue is a setting's value as a row shows it.
func showValue(d settings.Def, v string) string {
	switch {
	case d.Secret && v != "":
		return "********"
	case v == "":
		return "not set"
	case d.Kind == settings.KindBool:
		if v == "on" {
			return "On"
		}
		return "Off"
	case d.Kind == settings.KindChoice:
		return d.Label(v)
	}
	return v
}

// refusals are the rows of the "Not saved" page: each refused setting, by
// its label on the form and its canonical name (or the name alone when it
// is not on the form), with the store's reason, which never quotes a
// secret.
func refusals(err error, labels map[string]string) []InfoRow {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var rows []InfoRow
	for _, one := range errs {
		var ve *settings.ValueError
		if !errors.As(one, &ve) {
			rows = append(rows, InfoRow{"Error", one.Error()})
			continue
		}
		name := ve.Name
		if l := labels[ve.Name]; l != "" {
			name = l + " (" + ve.Name + ")"
		}
		rows = append(rows, InfoRow{name, ve.Reason})
	}
	return rows
}

// Title implements Screen.
func (f *Form) Title(*Env) string { return f.title }

// Softkeys implements Screen: Save only when there is something to save.
func (f *Form) Softkeys(*Env) []Softkey {
	keys := []Softkey{{}, {Label: "Select", Do: f.list.activate}, {}, {Label: "Back", Do: f.back}}
	if f.Edited() {
		keys[0] = Softkey{Label: "Save", Do: f.Save}
	}
	return keys
}

func (f *Form) back(e *Env) {
	if f.Edited() && !f.armed {
		f.armed = true
		f.msg = "Not saved: BACK again drops it"
		return
	}
	e.Pop()
}

// Key implements Screen.
func (f *Form) Key(k hal.Key, e *Env) bool {
	f.msg = ""
	if k == hal.KeyBack || k == hal.KeyLeft {
		f.back(e)
		return true
	}
	f.armed = false
	return f.list.Key(k, e)
}

// Draw implements Screen: the rows, and a footer line for a message or
// for a provisioning-only row's reason.
func (f *Form) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) {
	th := e.Theme
	note := f.msg
	if note == "" && f.list.sel < len(f.list.Items) {
		if d, ok := settings.Lookup(f.nameAt(f.list.sel)); ok && d.ProvisionOnly {
			note = "Set by provisioning only"
		}
	}
	if note == "" {
		f.list.Draw(c, body, e)
		return
	}
	foot := body
	foot.Min.Y = body.Max.Y - th.RowHeight
	rest := body
	rest.Max.Y = foot.Min.Y - 1
	f.list.Draw(c, rest, e)
	c.HLine(body.Min.X+th.Pad, body.Max.X-th.Pad-1, foot.Min.Y-1, lcd.Black)
	c.Text(body.Min.X+th.Pad, th.Baseline(foot.Min.Y, foot.Dy()), th.Font,
		th.Font.Fit(note, body.Dx()-2*th.Pad), lcd.Black)
}

// nameAt is the setting of row i, "" for a row that is no setting.
func (f *Form) nameAt(i int) string { return f.names[i] }

// setting reads one setting for a screen; an unreadable one shows as unset.
func (e *Env) setting(name string) string {
	if e.ui == nil || e.ui.settings == nil {
		return ""
	}
	v, err := e.ui.settings.Get(name)
	if err != nil {
		slog.Debug("ui: read setting", "name", name, "err", err)
		return ""
	}
	return v
}

// apply writes settings through the store, all or nothing.
func (e *Env) apply(changes map[string]string) error {
	if e.ui == nil || e.ui.settings == nil {
		return errors.New("no settings store")
	}
	return e.ui.settings.Apply(changes)
}
