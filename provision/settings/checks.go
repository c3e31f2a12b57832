package settings

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the rootfs may have no zoneinfo; time zones must still validate and work
)

// The custom checks of single settings. Each gets the canonical value (may
// be empty) and returns an error whose text becomes a ValueError's reason.

// suffixCheck wants a URL path ending in one of the suffixes (any case).
func suffixCheck(suffixes ...string) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil {
			return errors.New("not a URL")
		}
		p := strings.ToLower(u.Path)
		for _, s := range suffixes {
			if strings.HasSuffix(p, s) {
				return nil
			}
		}
		return fmt.Errorf("the file must end in %s", strings.Join(suffixes, " or "))
	}
}

// Re-authentication periods: 0 is off; anything shorter than these makes
// the phone hammer the authenticator (an EAP-TLS exchange is the slowest).
const (
	minReauth    = 10
	minReauthTLS = 20
)

func reauthCheck(v string) error {
	n, _ := strconv.Atoi(v)
	if n != 0 && n < minReauth {
		return fmt.Errorf("out of range: %d, from %d to 86400 (or 0 for off)", n, minReauth)
	}
	return nil
}

func ipv4Check(v string) error {
	if v == "" {
		return nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil || !a.Is4() {
		return fmt.Errorf("not an IPv4 address: %q", v)
	}
	return nil
}

func maskCheck(v string) error {
	if v == "" {
		return nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil || !a.Is4() {
		return fmt.Errorf("not an IPv4 network mask: %q", v)
	}
	b := a.As4()
	m := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if m&(^m>>1) != 0 || m == 0 { // ones must be contiguous from the top
		return fmt.Errorf("not a network mask (contiguous ones): %q", v)
	}
	return nil
}

// hostCheck wants a DNS name or an IP address (IPv6 in brackets when a port
// follows), with a port if withPort.
func hostCheck(withPort bool) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		host := v
		if withPort {
			if h, p, err := splitHostPort(v); err == nil {
				if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
					return fmt.Errorf("bad port in %q", clip(v))
				}
				host = h
			}
		}
		if validHost(host) {
			return nil
		}
		return fmt.Errorf("not a host name or address: %q", clip(v))
	}
}

// splitHostPort splits "host:port" and "[v6]:port"; a bare IPv6 address or
// a host without a port is an error.
func splitHostPort(v string) (host, port string, err error) {
	if strings.HasPrefix(v, "[") {
		end := strings.Index(v, "]")
		if end < 0 || !strings.HasPrefix(v[end+1:], ":") {
			return "", "", errors.New("no port")
		}
		return v[1:end], v[end+2:], nil
	}
	if strings.Count(v, ":") != 1 {
		return "", "", errors.New("no port")
	}
	h, p, _ := strings.Cut(v, ":")
	return h, p, nil
}

func validHost(h string) bool {
	if a, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return a.Zone() == ""
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// userCheck wants a SIP user part: no spaces, no "@" (the domain is its own
// setting).
func userCheck(v string) error {
	if strings.ContainsAny(v, " @") {
		return errors.New(`a SIP user has no spaces and no "@" (the domain is set apart)`)
	}
	return nil
}

func timezoneCheck(v string) error {
	_, err := ParseTimeZone(v)
	return err
}

// ParseTimeZone reads a net.timezone value: a tz database name ("UTC",
// "Europe/Berlin") or a fixed offset from UTC, written "UTC+01:00",
// "GMT-5", "+05:30" (from -12:00 to +14:00).
func ParseTimeZone(v string) (*time.Location, error) {
	if v == "" {
		return nil, errors.New("no time zone")
	}
	if off, ok, err := parseOffset(v); ok {
		if err != nil {
			return nil, err
		}
		return time.FixedZone(v, off), nil
	}
	// LoadLocation also opens files: keep to names of the tz database.
	if strings.Contains(v, "..") || strings.HasPrefix(v, "/") || v == "Local" {
		return nil, fmt.Errorf("not a time zone: %q", clip(v))
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return nil, fmt.Errorf("not a time zone: %q", clip(v))
	}
	return loc, nil
}

// parseOffset reads "[UTC|GMT]±H[H][:MM]"; ok says whether v has that shape.
func parseOffset(v string) (secs int, ok bool, err error) {
	s := v
	for _, p := range []string{"UTC", "GMT"} {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			s = s[len(p):]
		}
	}
	if s == "" || (s[0] != '+' && s[0] != '-') {
		return 0, false, nil
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	hs, ms, hasMin := strings.Cut(s[1:], ":")
	bad := fmt.Errorf("not a UTC offset (like UTC+01:00): %q", clip(v))
	if !digits(hs, 1, 2) || hasMin && !digits(ms, 2, 2) {
		return 0, true, bad
	}
	h, _ := strconv.Atoi(hs)
	m := 0
	if hasMin {
		if m, _ = strconv.Atoi(ms); m > 59 {
			return 0, true, bad
		}
	}
	secs = sign * (h*3600 + m*60)
	if secs < -12*3600 || secs > 14*3600 {
		return 0, true, fmt.Errorf("UTC offset out of range: %q, from -12:00 to +14:00", clip(v))
	}
	return secs, true, nil
}

// digits says whether s is from least to most ASCII digits.
func digits(s string, least, most int) bool {
	if len(s) < least || len(s) > most {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
