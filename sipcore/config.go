package sipcore

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"deskphone/media"
)

// Transport is a line's signalling transport.
type Transport string

// Transports.
const (
	UDP Transport = "udp"
	TCP Transport = "tcp"
	TLS Transport = "tls"
)

// Security is a line's security mode.
type Security string

// Security modes. Authenticated and Encrypted require TLS signalling;
// Encrypted also requires SRTP for calls.
const (
	Nonsecure     Security = "nonsecure"
	Authenticated Security = "authenticated"
	Encrypted     Security = "encrypted"
)

// Line is one SIP account, as the firmware maps it from the settings.
type Line struct {
	Index   int // 1-based, stable across Reconfigure
	Enabled bool
	// Problem says why a line the admin enabled cannot be used (the
	// firmware found its settings incomplete): it is not started, and is
	// published as failed with this reason instead of as disabled.
	Problem     string
	Label       string
	DisplayName string
	User        string // address-of-record user
	AuthUser    string // digest user name; "" = User
	Password    string
	Domain      string // "" = the registrar host

	Registrar     string // host or IP
	RegistrarPort int    // 0 = 5060 (5061 for TLS)
	Transport     Transport
	// OutboundProxy and BackupRegistrar are host or host:port ("" = none).
	OutboundProxy   string
	BackupRegistrar string
	Expiry          time.Duration // requested expiry; 0 = 3600 s
	Security        Security      // "" = nonsecure
}

// TLSConfig is the phone-wide TLS client side of SIP signalling.
type TLSConfig struct {
	Roots        *x509.CertPool    // the phone's trust store; nil trusts nothing
	Certificates []tls.Certificate // the device certificate, sent when the server asks
	MinVersion   uint16            // 0 = tls.VersionTLS12; tls.VersionTLS13 selectable
	Time         func() time.Time  // the phone's clock; nil = time.Now
	ClockSource  func() string     // where Time comes from ("sntp", "build time", ...), for errors; nil = unknown
}

// Timing holds the engine's timers; zero fields take the defaults.
type Timing struct {
	RetryMin          time.Duration // first wait after a failed round; default 5 s
	RetryMax          time.Duration // cap of the doubling wait; default 5 min
	ProbeInterval     time.Duration // OPTIONS to the primary while on the backup; default 60 s
	RequestTimeout    time.Duration // one REGISTER/OPTIONS transaction; default 32 s (Timer F)
	UnregisterTimeout time.Duration // REGISTER Expires: 0 at shutdown; default 1.5 s
}

// Config is everything the engine runs from. The firmware fills it from the
// settings store; sipcore never reads the store itself.
type Config struct {
	Listen    string // local address for UDP and TCP, "host:port"; default ":5060"
	UserAgent string // User-Agent header; default "deskphone"
	Lines     []Line
	TLS       TLSConfig
	// Codecs are the audio codecs calls offer and accept, in preference
	// order ("PCMU", "PCMA", "G722"); nil = the media package's default.
	Codecs []string

	ChecksyncChallenge bool          // challenge check-sync NOTIFYs (Snom challenge_checksync)
	ChecksyncRealm     string        // realm of that challenge; default "deskphone"
	NonceLifetime      time.Duration // check-sync nonce lifetime; default 30 s

	Timing Timing
}

// Defaults.
const (
	DefaultExpiry  = 3600 * time.Second
	DefaultListen  = ":5060"
	DefaultRealm   = "deskphone"
	defaultUA      = "deskphone"
	maxLineIndex   = 64
	minExpiry      = time.Second
	maxFieldLength = 255
)

// withDefaults returns c with the zero fields filled in.
func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.UserAgent == "" {
		c.UserAgent = defaultUA
	}
	if c.ChecksyncRealm == "" {
		c.ChecksyncRealm = DefaultRealm
	}
	if c.NonceLifetime <= 0 {
		c.NonceLifetime = 30 * time.Second
	}
	t := &c.Timing
	if t.RetryMin <= 0 {
		t.RetryMin = 5 * time.Second
	}
	if t.RetryMax <= 0 {
		t.RetryMax = 5 * time.Minute
	}
	if t.RetryMax < t.RetryMin {
		t.RetryMax = t.RetryMin
	}
	if t.ProbeInterval <= 0 {
		t.ProbeInterval = 60 * time.Second
	}
	if t.RequestTimeout <= 0 {
		t.RequestTimeout = 32 * time.Second
	}
	if t.UnregisterTimeout <= 0 {
		t.UnregisterTimeout = 1500 * time.Millisecond
	}
	c.Lines = append([]Line(nil), c.Lines...)
	for i := range c.Lines {
		c.Lines[i] = c.Lines[i].withDefaults()
	}
	return c
}

func (l Line) withDefaults() Line {
	if l.Transport == "" {
		l.Transport = UDP
	}
	if l.Security == "" {
		l.Security = Nonsecure
	}
	if l.AuthUser == "" {
		l.AuthUser = l.User
	}
	if l.RegistrarPort == 0 {
		l.RegistrarPort = defaultPort(l.Transport)
	}
	if l.Expiry <= 0 {
		l.Expiry = DefaultExpiry
	}
	if l.Label == "" {
		l.Label = l.User
	}
	return l
}

func defaultPort(t Transport) int {
	if t == TLS {
		return 5061
	}
	return 5060
}

// Validate checks c and names what is wrong. Disabled lines are checked
// for their transport and security mode only.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.withDefaults().Listen); err != nil {
		return fmt.Errorf("sip listen address %q: %w", c.Listen, err)
	}
	switch c.TLS.MinVersion {
	case 0, tls.VersionTLS12, tls.VersionTLS13:
	default:
		return fmt.Errorf("sip tls minimum version %#04x: only TLS 1.2 or 1.3", c.TLS.MinVersion)
	}
	seen := map[int]bool{}
	users := map[string]int{}
	var errs []error
	for _, name := range c.Codecs {
		if _, err := media.NewCodec(name, 0); err != nil {
			errs = append(errs, fmt.Errorf("sip codecs: %q is not PCMU, PCMA or G722", name))
		}
	}
	for _, l := range c.Lines {
		if l.Index < 1 || l.Index > maxLineIndex {
			errs = append(errs, fmt.Errorf("sip line index %d: must be 1 to %d", l.Index, maxLineIndex))
			continue
		}
		if seen[l.Index] {
			errs = append(errs, fmt.Errorf("sip line %d: defined twice", l.Index))
			continue
		}
		seen[l.Index] = true
		if err := l.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if l.Enabled {
			if other, ok := users[l.User]; ok {
				errs = append(errs, fmt.Errorf("sip line %d: user %q already used by line %d (check-sync could not tell them apart)", l.Index, l.User, other))
			}
			users[l.User] = l.Index
		}
	}
	return errors.Join(errs...)
}

// Validate checks one line.
func (l Line) Validate() error {
	l = l.withDefaults()
	bad := func(field, why string) error {
		return fmt.Errorf("sip line %d: %s: %s", l.Index, field, why)
	}
	switch l.Transport {
	case UDP, TCP, TLS:
	default:
		return bad("transport", fmt.Sprintf("%q is not udp, tcp or tls", l.Transport))
	}
	switch l.Security {
	case Nonsecure:
	case Authenticated, Encrypted:
		if l.Transport != TLS {
			return bad("security", fmt.Sprintf("%s requires transport tls, not %s", l.Security, l.Transport))
		}
	default:
		return bad("security", fmt.Sprintf("%q is not nonsecure, authenticated or encrypted", l.Security))
	}
	if !l.Enabled {
		return nil
	}
	if l.User == "" {
		return bad("user", "empty")
	}
	if strings.ContainsAny(l.User, "@:;<>\" \t\r\n") || len(l.User) > maxFieldLength {
		return bad("user", fmt.Sprintf("%q is not a SIP user part", l.User))
	}
	if strings.ContainsAny(l.AuthUser, "\"\\\r\n") || len(l.AuthUser) > maxFieldLength {
		return bad("auth user", "contains a quote, backslash or line break")
	}
	if strings.ContainsAny(l.DisplayName, "\"\\\r\n") {
		return bad("display name", "contains a quote, backslash or line break")
	}
	if err := checkHost(l.Registrar, false); err != nil {
		return bad("registrar", err.Error())
	}
	if l.RegistrarPort < 1 || l.RegistrarPort > 65535 {
		return bad("registrar port", strconv.Itoa(l.RegistrarPort)+" is not 1 to 65535")
	}
	if l.Domain != "" {
		if err := checkHost(l.Domain, false); err != nil {
			return bad("domain", err.Error())
		}
	}
	if l.OutboundProxy != "" {
		if err := checkHost(l.OutboundProxy, true); err != nil {
			return bad("outbound proxy", err.Error())
		}
	}
	if l.BackupRegistrar != "" {
		if err := checkHost(l.BackupRegistrar, true); err != nil {
			return bad("backup registrar", err.Error())
		}
	}
	if l.Expiry < minExpiry {
		return bad("expiry", l.Expiry.String()+" is below 1 s")
	}
	return nil
}

// checkHost accepts a host name or IP, and with withPort also host:port.
func checkHost(s string, withPort bool) error {
	if s == "" {
		return errors.New("empty")
	}
	host := s
	if withPort {
		if h, p, err := net.SplitHostPort(s); err == nil {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return fmt.Errorf("%q: bad port", s)
			}
			host = h
		}
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if len(host) > maxFieldLength {
		return fmt.Errorf("%q: too long", s)
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("%q is not a host name or IP address", s)
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Errorf("%q is not a host name or IP address", s)
			}
		}
	}
	return nil
}

// hostPort splits a host or host:port with a default port.
func hostPort(s string, def int) (string, int) {
	if h, p, err := net.SplitHostPort(s); err == nil {
		if n, err := strconv.Atoi(p); err == nil {
			return h, n
		}
	}
	return strings.Trim(s, "[]"), def
}
