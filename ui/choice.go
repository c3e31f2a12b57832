package ui

import "deskphone/provision/settings"

// choiceList is the options of a choice setting, the current one marked;
// OK (or Select) picks one and goes back.
func choiceList(title string, opts []settings.Option, current func() string, pick func(e *Env, value string)) *List {
	items := make([]Item, len(opts))
	sel := 0
	cur := current()
	for i, o := range opts {
		items[i] = Item{
			Label:   o.Label,
			Checked: func(*Env) bool { return current() == o.Value },
			Do: func(e *Env) {
				pick(e, o.Value)
				e.Pop()
			},
		}
		if o.Value == cur {
			sel = i
		}
	}
	l := NewList(title, items...)
	l.sel = sel
	return l
}
