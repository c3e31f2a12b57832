package settings

import (
	"fmt"
	"strings"
)

// Kind is the type of a setting's value.
type Kind int

// The kinds of settings.
const (
	KindString Kind = iota // text up to MaxLen characters, no control characters
	KindInt                // decimal integer from Min to Max
	KindBool               // "on" or "off"
	KindChoice             // one of Options (by value, or by label)
	KindURL                // empty, or an absolute URL with one of the URL schemes
)

// String is the kind's name, as `settings list` and the web pages show it.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindInt:
		return "int"
	case KindBool:
		return "bool"
	case KindChoice:
		return "choice"
	case KindURL:
		return "url"
	}
	return fmt.Sprintf("kind %d", int(k))
}

// Option is one value of a choice, with the label the LCD and web pages show.
type Option struct {
	Value string
	Label string
}

// Def is the definition of one setting.
type Def struct {
	Name    string // canonical dotted name, e.g. "dot1x.mode"
	Kind    Kind
	Default string // canonical form
	Desc    string // one line, for menus, web pages and `settings list`

	MaxLen   int      // KindString, KindURL: most characters (runes); 0 = no limit
	Min, Max int      // KindInt: the range
	Options  []Option // KindChoice
	Schemes  []string // KindURL: allowed schemes (lower case)
	// Check is an extra test of the canonical value (after the kind's own);
	// its error text becomes the ValueError's reason, so it must not quote
	// the value of a secret.
	Check func(v string) error

	Secret        bool // masked wherever shown; never logged nor quoted in errors
	ProvisionOnly bool // the keypad menu must not change it; provisioning and the web admin may

	// Vendor names; empty where the vendor has none.
	Htek  string // Htek P-code, e.g. "P8626"
	Snom  string // Snom setting name, e.g. "challenge_checksync"
	Avaya string // Avaya 1200-series keyword, e.g. "SIP_DOMAIN1"
}

// VendorNames lists the vendor names of d, as "Htek P8627, Avaya X" (empty
// when it has none).
func (d Def) VendorNames() string {
	var parts []string
	if d.Htek != "" {
		parts = append(parts, "Htek "+d.Htek)
	}
	if d.Snom != "" {
		parts = append(parts, "Snom "+d.Snom)
	}
	if d.Avaya != "" {
		parts = append(parts, "Avaya "+d.Avaya)
	}
	return strings.Join(parts, ", ")
}

// Label is the label of a choice's value; for other kinds, or a value not
// among the options, it is the value itself.
func (d Def) Label(v string) string {
	for _, o := range d.Options {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

var (
	schema []Def
	// byName maps every name (canonical and vendor), lower-cased, to an
	// index in schema.
	byName map[string]int
)

func init() {
	schema = append(baseDefs(), sipDefs()...)
	byName = make(map[string]int, 4*len(schema))
	for i, d := range schema {
		for _, n := range []string{d.Name, d.Htek, d.Snom, d.Avaya} {
			if n == "" {
				continue
			}
			k := strings.ToLower(n)
			if j, dup := byName[k]; dup && j != i {
				panic(fmt.Sprintf("settings: name %q used by %s and %s", n, schema[j].Name, d.Name))
			}
			byName[k] = i
		}
	}
}

// Schema is every setting, in the order of the table (grouped for menus).
// The Defs are copies; their Options and Schemes slices must not be
// modified.
func Schema() []Def {
	return append([]Def(nil), schema...)
}

// Lookup finds a setting by its canonical name, Htek P-code, Snom name or
// Avaya keyword, ignoring case.
func Lookup(name string) (Def, bool) {
	i, ok := byName[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Def{}, false
	}
	return schema[i], true
}

// def is Lookup for names known at compile time: it panics on an unknown
// name, which is a programming error.
func def(name string) Def {
	d, ok := Lookup(name)
	if !ok {
		panic(fmt.Sprintf("settings: unknown setting %q", name))
	}
	return d
}

// Defaults is every setting's default value, by canonical name.
func Defaults() map[string]string {
	m := make(map[string]string, len(schema))
	for _, d := range schema {
		m[d.Name] = d.Default
	}
	return m
}
