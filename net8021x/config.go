package net8021x

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Mode is the Htek 802.1X mode number.
type Mode int

// Htek modes. ModeFAST (7) is EAP-FAST with PAC provisioning.
const (
	ModeDisabled     Mode = 0
	ModeMD5          Mode = 1
	ModeTLS          Mode = 2
	ModePEAPMSCHAPv2 Mode = 3
	ModeTTLSMSCHAPv2 Mode = 4
	ModePEAPGTC      Mode = 5
	ModeTTLSGTC      Mode = 6
	ModeFAST         Mode = 7
)

// String is the method name printed by the CLI and published to the UI.
func (m Mode) String() string {
	switch m {
	case ModeDisabled:
		return "disabled"
	case ModeMD5:
		return "MD5"
	case ModeTLS:
		return "TLS"
	case ModePEAPMSCHAPv2:
		return "PEAP/MSCHAPv2"
	case ModeTTLSMSCHAPv2:
		return "TTLS/EAP-MSCHAPv2"
	case ModePEAPGTC:
		return "PEAP/GTC"
	case ModeTTLSGTC:
		return "TTLS/EAP-GTC"
	case ModeFAST:
		return "FAST"
	}
	return fmt.Sprintf("mode %d", int(m))
}

// Defaults of 802.1X-2010 (supplicant PAE) and of the TLS framing.
const (
	DefaultStartPeriod  = 30 * time.Second
	DefaultHeldPeriod   = 60 * time.Second
	DefaultAuthPeriod   = 30 * time.Second
	DefaultMaxStart     = 3
	DefaultStartRepeat  = time.Second
	DefaultFragmentSize = 1398
	DefaultMaxMessage   = 64 << 10
)

// Timers are the supplicant PAE timers; zero fields take the defaults.
// Tests shorten them.
type Timers struct {
	StartPeriod time.Duration // between EAPOL-Starts while nothing answers
	MaxStart    int           // EAPOL-Starts before giving up
	// StartRepeat is the first pause before the first EAPOL-Start is sent
	// again within the first StartPeriod, doubling each time (see
	// Supplicant.sendStart); these repeats do not count toward MaxStart.
	StartRepeat time.Duration
	HeldPeriod  time.Duration // quiet time after a failure
	AuthPeriod  time.Duration // how long to wait for the server's next request
}

func (t Timers) withDefaults() Timers {
	if t.StartPeriod <= 0 {
		t.StartPeriod = DefaultStartPeriod
	}
	if t.MaxStart <= 0 {
		t.MaxStart = DefaultMaxStart
	}
	if t.StartRepeat <= 0 {
		t.StartRepeat = DefaultStartRepeat
	}
	if t.HeldPeriod <= 0 {
		t.HeldPeriod = DefaultHeldPeriod
	}
	if t.AuthPeriod <= 0 {
		t.AuthPeriod = DefaultAuthPeriod
	}
	return t
}

// Config is everything the supplicant needs; the firmware maps its settings
// onto it. It is copied by value; CAs and Certificate are not modified.
type Config struct {
	Mode     Mode
	Identity string
	// OuterIdentity is sent in the clear by the tunnelled methods (PEAP,
	// TTLS) instead of Identity; "" sends Identity.
	OuterIdentity string
	Password      string
	// CAs verifies the server certificate of the TLS-based methods. Nil
	// refuses them unless NoServerVerify is set.
	CAs *x509.CertPool
	// ServerName, when set, must match the server certificate's DNS names.
	ServerName string
	// NoServerVerify skips server certificate checks (lab use only).
	NoServerVerify bool
	// Certificate is the client certificate (required by EAP-TLS).
	Certificate *tls.Certificate
	// TLSMaxVersion caps EAP-TLS (default TLS 1.3, RFC 9190); PEAP and TTLS
	// always stop at TLS 1.2 (their TLS 1.3 keying, RFC 9427, is not done).
	TLSMaxVersion uint16
	// FragmentSize is the most TLS bytes sent in one EAP message.
	FragmentSize int
	// MaxMessage caps the reassembly of one fragmented TLS message.
	MaxMessage int
	// FASTPACDir is the flash directory of EAP-FAST's PACs (required by
	// ModeFAST); one file per server A-ID.
	FASTPACDir string
	// FASTAnonProvisioning allows EAP-FAST anonymous PAC provisioning
	// (unauthenticated DH, RFC 5422 3.2.2) when the phone has no PAC: only
	// the inner MSCHAPv2 protects it. Off, a PAC comes only from a server
	// whose certificate checks against CAs.
	FASTAnonProvisioning bool
	// ReauthPeriod, when not zero, re-authenticates from the phone's side.
	ReauthPeriod time.Duration
	Timers       Timers
	// Clock is the phone's clock, used for certificate validity (time.Now
	// when nil).
	Clock func() time.Time
	// ClockSource names where Clock's time comes from ("sntp", "build
	// time", "saved", ...), for certificate errors ("" when unknown).
	ClockSource func() string
	// Rand is the randomness source (crypto/rand when nil).
	Rand   io.Reader
	Logger *slog.Logger
}

func (c Config) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func (c Config) outerIdentity() string {
	if c.OuterIdentity != "" {
		return c.OuterIdentity
	}
	return c.Identity
}

func (c Config) fragmentSize() int {
	if c.FragmentSize <= 0 {
		return DefaultFragmentSize
	}
	return c.FragmentSize
}

func (c Config) maxMessage() int {
	if c.MaxMessage <= 0 {
		return DefaultMaxMessage
	}
	return c.MaxMessage
}

// Validate names what is missing for the configured mode.
func (c Config) Validate() error {
	switch c.Mode {
	case ModeDisabled:
		return nil
	case ModeMD5, ModePEAPMSCHAPv2, ModeTTLSMSCHAPv2, ModePEAPGTC, ModeTTLSGTC:
		if c.Identity == "" {
			return newError(ReasonConfig, nil, "802.1X mode %d (%s) needs an identity", int(c.Mode), c.Mode)
		}
	case ModeTLS:
		if c.Identity == "" {
			return newError(ReasonConfig, nil, "802.1X mode %d (%s) needs an identity", int(c.Mode), c.Mode)
		}
		if c.Certificate == nil {
			return newError(ReasonConfig, nil, "802.1X mode %d (%s) needs a client certificate", int(c.Mode), c.Mode)
		}
	case ModeFAST:
		if c.Identity == "" {
			return newError(ReasonConfig, nil, "802.1X mode 7 (FAST) needs an identity")
		}
		if c.FASTPACDir == "" {
			return newError(ReasonConfig, nil, "802.1X mode 7 (FAST) needs a PAC directory")
		}
		if c.CAs == nil && !c.NoServerVerify && !c.FASTAnonProvisioning {
			return newError(ReasonConfig, nil, "802.1X mode 7 (FAST) needs CA certificates to check the server, or anonymous PAC provisioning allowed")
		}
		return nil
	default:
		return newError(ReasonConfig, nil, "802.1X mode %d unknown (0-7)", int(c.Mode))
	}
	if c.Mode != ModeMD5 && c.CAs == nil && !c.NoServerVerify {
		return newError(ReasonConfig, nil, "802.1X mode %d (%s) needs CA certificates to check the server", int(c.Mode), c.Mode)
	}
	return nil
}
