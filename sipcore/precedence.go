package sipcore

import (
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Precedence is an MLPP (Assured Services SIP) precedence level, carried in
// the Resource-Priority header in the dsn namespace (RFC 4412 section 9).
// "" is no precedence: the header is not sent.
type Precedence string

// Precedence levels, lowest first.
const (
	Routine       Precedence = "routine"
	Priority      Precedence = "priority"
	Immediate     Precedence = "immediate"
	Flash         Precedence = "flash"
	FlashOverride Precedence = "flash-override"
)

// Precedences are the dsn levels, lowest first: the order a picker cycles.
var Precedences = []Precedence{Routine, Priority, Immediate, Flash, FlashOverride}

// Valid reports whether p is "" or a dsn level.
func (p Precedence) Valid() bool {
	if p == "" {
		return true
	}
	for _, q := range Precedences {
		if p == q {
			return true
		}
	}
	return false
}

// header is the Resource-Priority value of p ("dsn.flash").
func (p Precedence) header() string { return "dsn." + string(p) }

// precedenceOf reads the dsn level of a request's Resource-Priority headers
// ("" when there is none we know; other namespaces are ignored).
func precedenceOf(req *sip.Request) Precedence {
	for _, h := range req.GetHeaders("Resource-Priority") {
		if p, ok := parsePrecedence(h.Value()); ok {
			return p
		}
	}
	return ""
}

// parsePrecedence finds the dsn level in one Resource-Priority value: a
// comma-separated list of namespace.priority tokens.
func parsePrecedence(v string) (Precedence, bool) {
	for _, tok := range strings.Split(v, ",") {
		ns, level, ok := strings.Cut(strings.TrimSpace(tok), ".")
		if !ok || !strings.EqualFold(ns, "dsn") {
			continue
		}
		p := Precedence(strings.ToLower(level))
		if p != "" && p.Valid() {
			return p, true
		}
	}
	return "", false
}

// checkPrecedence refuses an unknown level, naming it.
func checkPrecedence(p Precedence) error {
	if !p.Valid() {
		return fmt.Errorf("precedence %q: not routine, priority, immediate, flash or flash-override", clipValue(string(p)))
	}
	return nil
}

// clipValue bounds a value quoted in an error.
func clipValue(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
