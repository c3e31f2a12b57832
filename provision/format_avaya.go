package provision

import (
	"bytes"
	"fmt"
	"strings"
)

// maxAvayaLine is the Avaya 1200 limit: a longer line makes the real phone
// ignore the rest of the file; this phone rejects the whole file instead,
// naming the line, so nothing half-read is applied.
const maxAvayaLine = 80

// The sections of an Avaya master file this phone acts on.
var avayaSections = map[string]bool{
	"FW": true, "DEVICE_CONFIG": true, "DIALING_PLAN": true, "LANGUAGE": true,
	"TONES": true, "SEC_POLICY": true, "DEV_CERT": true, "CTL": true,
	"USER_KEYS": true, "USER_CONFIG": true,
}

// AvayaSection is one [SECTION] of an Avaya master file (12xxSIP.cfg).
type AvayaSection struct {
	Name      string // e.g. "DEVICE_CONFIG"
	Line      int    // of the header
	Version   string
	Filenames []string
	Forced    bool   // DOWNLOAD_MODE FORCED (AUTO otherwise)
	Protocol  string // TFTP, FTP, HTTP, HTTPS; "" = the master's own
	ServerIP  string // "" = the master's server
	User      string // SRV_USER_NAME
	Password  string // SRV_USER_PASS (secret)
	// PKCS12Pass is this phone's keyword for [DEV_CERT]: the password of
	// the PKCS#12 file (the real phone prompts for it).
	PKCS12Pass string
}

// AvayaMaster is a parsed master file.
type AvayaMaster struct {
	Sections []AvayaSection
	// Unknown lists what this phone does not act on (unknown sections and
	// keywords), as "file:line: what", for the report.
	Unknown []string
}

// ParseAvayaMaster reads an Avaya 1200 master file: "[SECTION]" headers,
// "KEYWORD value" lines, "#" comments, lines of at most 80 characters.
// VERSION and FILENAME are mandatory in each section this phone acts on
// (USER_CONFIG's file name is SIP<MAC>.cfg and may be left out).
func ParseAvayaMaster(name string, data []byte) (*AvayaMaster, error) {
	m := &AvayaMaster{}
	var cur *AvayaSection
	skip := false
	err := avayaLines(name, data, func(n int, line string) error {
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return fmt.Errorf("%s:%d: bad section header %q", name, n, clip(line))
			}
			sec := strings.ToUpper(strings.TrimSpace(line[1 : len(line)-1]))
			if !avayaSections[sec] {
				m.Unknown = append(m.Unknown, fmt.Sprintf("%s:%d: section [%s]", name, n, clip(sec)))
				skip, cur = true, nil
				return nil
			}
			m.Sections = append(m.Sections, AvayaSection{Name: sec, Line: n})
			cur, skip = &m.Sections[len(m.Sections)-1], false
			return nil
		}
		if skip {
			return nil
		}
		if cur == nil {
			return fmt.Errorf("%s:%d: keyword outside a section", name, n)
		}
		key, val := splitKeyword(line)
		if !validKeyword(key) {
			return fmt.Errorf("%s:%d: bad keyword %q", name, n, clip(key))
		}
		switch key {
		case "VERSION":
			if !validVersion(val) {
				return fmt.Errorf("%s:%d: [%s] VERSION %q: want 1 to 19 letters, digits, '.', '_' or '-'", name, n, cur.Name, clip(val))
			}
			cur.Version = val
		case "FILENAME":
			if val == "" || strings.Contains(val, "..") || strings.HasPrefix(val, "/") {
				return fmt.Errorf("%s:%d: [%s] FILENAME %q: want a relative file name", name, n, cur.Name, clip(val))
			}
			cur.Filenames = append(cur.Filenames, val)
		case "DOWNLOAD_MODE":
			switch strings.ToUpper(val) {
			case "AUTO":
				cur.Forced = false
			case "FORCED":
				cur.Forced = true
			default:
				return fmt.Errorf("%s:%d: [%s] DOWNLOAD_MODE %q: want AUTO or FORCED", name, n, cur.Name, clip(val))
			}
		case "PROTOCOL":
			switch p := strings.ToUpper(val); p {
			case "TFTP", "FTP", "HTTP", "HTTPS":
				cur.Protocol = p
			default:
				return fmt.Errorf("%s:%d: [%s] PROTOCOL %q: want TFTP, FTP, HTTP or HTTPS", name, n, cur.Name, clip(val))
			}
		case "SERVER_IP":
			if val == "" || strings.ContainsAny(val, "/@?#") {
				return fmt.Errorf("%s:%d: [%s] SERVER_IP %q: want a host or host:port", name, n, cur.Name, clip(val))
			}
			cur.ServerIP = val
		case "SRV_USER_NAME":
			cur.User = val
		case "SRV_USER_PASS":
			cur.Password = val
		case "PKCS12_PASS":
			cur.PKCS12Pass = val
		default:
			m.Unknown = append(m.Unknown, fmt.Sprintf("%s:%d: [%s] keyword %s", name, n, cur.Name, clip(key)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range m.Sections {
		if s.Version == "" {
			return nil, fmt.Errorf("%s:%d: [%s] has no VERSION", name, s.Line, s.Name)
		}
		if len(s.Filenames) == 0 && s.Name != "USER_CONFIG" {
			return nil, fmt.Errorf("%s:%d: [%s] has no FILENAME", name, s.Line, s.Name)
		}
	}
	return m, nil
}

// ParseAvayaConfig reads a device or user configuration file: "KEYWORD
// value" lines (the keyword, a space or tab, the rest of the line), "#"
// comments, lines of at most 80 characters. It checks the syntax only.
func ParseAvayaConfig(name string, data []byte) ([]Assignment, error) {
	var out []Assignment
	err := avayaLines(name, data, func(n int, line string) error {
		key, val := splitKeyword(line)
		if strings.HasPrefix(key, "[") {
			return fmt.Errorf("%s:%d: section header in a configuration file", name, n)
		}
		if !validKeyword(key) {
			return fmt.Errorf("%s:%d: bad keyword %q", name, n, clip(key))
		}
		out = append(out, Assignment{Line: n, Name: key, Value: val})
		return nil
	})
	return out, err
}

// avayaLines calls fn with each line that is not blank or a comment,
// trimmed, after checking every line's length.
func avayaLines(name string, data []byte, fn func(n int, line string) error) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for n, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		if len(raw) > maxAvayaLine {
			return fmt.Errorf("%s:%d: line is %d characters, at most %d", name, n+1, len(raw), maxAvayaLine)
		}
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(n+1, line); err != nil {
			return err
		}
	}
	return nil
}

// validKeyword: keywords are ASCII letters, digits, '_', '.' and '-'.
func validKeyword(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return k != ""
}

func splitKeyword(line string) (string, string) {
	i := strings.IndexAny(line, " \t")
	if i < 0 {
		return strings.ToUpper(line), ""
	}
	return strings.ToUpper(line[:i]), strings.TrimSpace(line[i+1:])
}

func validVersion(v string) bool {
	if v == "" || len(v) > 19 {
		return false
	}
	for _, r := range v {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// compareVersions orders Avaya VERSION values: runs of digits compare as
// numbers, anything else as text, so "SIP12x004.04.10.00" is above
// "SIP12x004.04.09.00" and "000010" above "000009".
func compareVersions(a, b string) int {
	for a != "" && b != "" {
		ra, rest1 := versionRun(a)
		rb, rest2 := versionRun(b)
		if c := compareRun(ra, rb); c != 0 {
			return c
		}
		a, b = rest1, rest2
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func versionRun(s string) (string, string) {
	digit := s[0] >= '0' && s[0] <= '9'
	i := 1
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') == digit {
		i++
	}
	return s[:i], s[i:]
}

func compareRun(a, b string) int {
	da := a[0] >= '0' && a[0] <= '9'
	db := b[0] >= '0' && b[0] <= '9'
	if da && db {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			if len(a) < len(b) {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}
