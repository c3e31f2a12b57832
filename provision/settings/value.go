package settings

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValueError is a value refused for a setting. Its message names the
// setting (canonical and vendor names) and what was wrong, and never quotes
// the value of a secret.
type ValueError struct {
	Name   string // canonical name
	Vendor string // vendor names, as Def.VendorNames; may be empty
	Reason string // what was wrong, e.g. "too long: 40 characters, at most 31"
}

func (e *ValueError) Error() string {
	if e.Vendor != "" {
		return fmt.Sprintf("setting %s (%s): %s", e.Name, e.Vendor, e.Reason)
	}
	return fmt.Sprintf("setting %s: %s", e.Name, e.Reason)
}

// UnknownError is a name that is no setting's.
type UnknownError struct {
	Name string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown setting %q", clip(e.Name))
}

func (d Def) errorf(format string, args ...any) *ValueError {
	return &ValueError{Name: d.Name, Vendor: d.VendorNames(), Reason: fmt.Sprintf(format, args...)}
}

// quote shows a refused value in an error: clipped, and never a secret's.
func (d Def) quote(v string) string {
	if d.Secret {
		return "(secret value not shown)"
	}
	return strconv.Quote(clip(v))
}

func clip(s string) string {
	const most = 40
	if utf8.RuneCountInString(s) <= most {
		return s
	}
	return string([]rune(s)[:most]) + "..."
}

// Normalize validates v for d and returns its canonical form: bools as
// "on"/"off" (accepting on/off/1/0/true/false/yes/no), ints in decimal,
// choices as their value (accepting the label too, any case). Strings keep
// their spaces; the other kinds are trimmed. It checks d alone: checks that
// involve other settings are done by the Store when values change.
func (d Def) Normalize(v string) (string, error) {
	switch d.Kind {
	case KindBool:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on", "1", "true", "yes":
			v = "on"
		case "off", "0", "false", "no":
			v = "off"
		default:
			return "", d.errorf("not on or off: %s", d.quote(v))
		}
	case KindInt:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return "", d.errorf("not a whole number: %s", d.quote(v))
		}
		if n < d.Min || n > d.Max {
			return "", d.errorf("out of range: %d, from %d to %d", n, d.Min, d.Max)
		}
		v = strconv.Itoa(n)
	case KindChoice:
		c, ok := d.choose(strings.TrimSpace(v))
		if !ok {
			return "", d.errorf("not one of %s: %s", d.optionList(), d.quote(v))
		}
		v = c
	case KindString:
		if err := d.checkText(v); err != nil {
			return "", err
		}
	case KindURL:
		v = strings.TrimSpace(v)
		if err := d.checkText(v); err != nil {
			return "", err
		}
		if err := d.checkURL(v); err != nil {
			return "", err
		}
	default:
		return "", d.errorf("has no kind")
	}
	if d.Check != nil {
		if err := d.Check(v); err != nil {
			return "", d.errorf("%v", err)
		}
	}
	return v, nil
}

// choose finds a choice's option by value or label, ignoring case.
func (d Def) choose(v string) (string, bool) {
	for _, o := range d.Options {
		if strings.EqualFold(v, o.Value) || strings.EqualFold(v, o.Label) {
			return o.Value, true
		}
	}
	return "", false
}

// optionList is "udp, tcp, tls", or "0 Disable, 1 EAP-MD5, ..." when the
// labels say more than the values.
func (d Def) optionList() string {
	parts := make([]string, len(d.Options))
	for i, o := range d.Options {
		parts[i] = o.Value
		if !strings.EqualFold(o.Value, o.Label) {
			parts[i] += " " + o.Label
		}
	}
	return strings.Join(parts, ", ")
}

func (d Def) checkText(v string) error {
	if !utf8.ValidString(v) {
		return d.errorf("not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(v); d.MaxLen > 0 && n > d.MaxLen {
		return d.errorf("too long: %d characters, at most %d", n, d.MaxLen)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return d.errorf("has a control character (a line break or tab)")
	}
	return nil
}

func (d Def) checkURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || !u.IsAbs() || u.Host == "" || strings.ContainsAny(v, " ") {
		return d.errorf("not an absolute URL: %s", d.quote(v))
	}
	scheme := strings.ToLower(u.Scheme)
	for _, s := range d.Schemes {
		if s == scheme {
			return nil
		}
	}
	return d.errorf("URL scheme %q is not one of %s", clip(u.Scheme), strings.Join(d.Schemes, ", "))
}
