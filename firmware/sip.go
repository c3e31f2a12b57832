package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"deskphone/provision"
	"deskphone/provision/settings"
	"deskphone/sipcore"
	"deskphone/status"
)

// sipConfig maps the settings to the SIP engine's configuration:
// sip.line1-4.*, sip.checksync_challenge and security.tls_min_client. TLS
// signalling trusts the phone's trust store, the roots provisioning
// installs in DATA/certs/roots/*.pem (provision.LoadRoots; none installed
// means nothing is trusted), and presents DATA/certs/device.pem (the device
// certificate and key) when the server asks for one.
//
// A line whose settings do not make a usable account (enabled without a
// registrar, a user already used by a lower line, ...) is left disabled:
// the other lines still run. The returned error lists those lines, without
// any secret.
func sipConfig(store *settings.Store, dataDir string) (sipcore.Config, error) {
	cfg := sipcore.Config{
		ChecksyncChallenge: store.Bool("sip.checksync_challenge"),
		// Unregistering must fit in the phone's stop grace (stopGrace).
		Timing: sipcore.Timing{UnregisterTimeout: stopGrace - 500*time.Millisecond},
	}
	var errs []error
	if store.String("security.tls_min_client") == "1.3" {
		cfg.TLS.MinVersion = tls.VersionTLS13
	} else {
		cfg.TLS.MinVersion = tls.VersionTLS12
	}
	if dataDir != "" {
		roots, err := provision.LoadRoots(dataDir, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("sip trust store: %w", err))
		}
		cfg.TLS.Roots = roots
		if pem, err := os.ReadFile(filepath.Join(dataDir, provision.DeviceCertFile)); err == nil {
			cert, err := tls.X509KeyPair(pem, pem)
			if err != nil {
				errs = append(errs, fmt.Errorf("sip device certificate %s: %w", provision.DeviceCertFile, err))
			} else {
				cfg.TLS.Certificates = []tls.Certificate{cert}
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("sip device certificate: %w", err))
		}
	}
	users := map[string]int{}
	for n := 1; n <= settings.Lines; n++ {
		get := func(field string) string { return store.String(settings.LineName(n, field)) }
		l := sipcore.Line{
			Index:           n,
			Enabled:         store.Bool(settings.LineName(n, "enabled")),
			Label:           get("label"),
			DisplayName:     get("display_name"),
			User:            get("user"),
			AuthUser:        get("auth_user"),
			Password:        get("password"),
			Domain:          get("domain"),
			Registrar:       get("registrar"),
			RegistrarPort:   store.Int(settings.LineName(n, "registrar_port")),
			Transport:       sipcore.Transport(get("transport")),
			OutboundProxy:   get("outbound_proxy"),
			BackupRegistrar: get("backup_registrar"),
			Expiry:          time.Duration(store.Int(settings.LineName(n, "expiry"))) * time.Second,
			Security:        sipcore.Security(get("security")),
		}
		if err := l.Validate(); err != nil {
			errs = append(errs, err)
			l.Enabled, l.Problem = false, problem(err)
		}
		if l.Enabled {
			if other, ok := users[l.User]; ok {
				errs = append(errs, fmt.Errorf("sip line %d: user %q already used by line %d", n, l.User, other))
				l.Enabled, l.Problem = false, fmt.Sprintf("user already used by line %d", other)
			} else {
				users[l.User] = n
			}
		}
		cfg.Lines = append(cfg.Lines, l)
	}
	return cfg, errors.Join(errs...)
}

// sipPhone is the SIP component of the running phone: the engine, kept in
// step with the settings. Suspend and Resume are for the 802.1X wiring
// (port lost: suspend without unregistering; authorized again: resume);
// they may be called before or while Run runs.
type sipPhone struct {
	store   *settings.Store
	hub     *status.Hub
	dataDir string
	resync  func(reboot bool)
	log     *slog.Logger
	listen  string       // "" = sipcore.DefaultListen; tests listen on loopback
	calls   *callControl // nil: the phone places and takes no calls
	clock   phoneClock   // nil: the host's clock

	mu        sync.Mutex
	eng       *sipcore.Engine // while Run runs
	suspended string          // "" = running
}

func newSIPPhone(store *settings.Store, hub *status.Hub, dataDir string, resync func(reboot bool), log *slog.Logger) *sipPhone {
	if log == nil {
		log = slog.Default()
	}
	return &sipPhone{store: store, hub: hub, dataDir: dataDir, resync: resync, log: log}
}

// runSIP runs the SIP lines from the settings without a trust store or
// device certificate (a phone without a data directory); the phone itself
// uses newSIPPhone(...).Run.
func runSIP(ctx context.Context, store *settings.Store, hub *status.Hub, resync func(reboot bool), log *slog.Logger) error {
	return newSIPPhone(store, hub, "", resync, log).Run(ctx)
}

// Suspend stops the lines without unregistering; reason is published.
func (s *sipPhone) Suspend(reason string) {
	if reason == "" {
		reason = "suspended"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suspended = reason
	if s.eng != nil {
		s.eng.Suspend(reason)
	}
}

// Resume starts the lines again.
func (s *sipPhone) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suspended = ""
	if s.eng != nil {
		s.eng.Resume()
	}
}

// Run runs the engine until ctx ends (then the lines unregister) and
// applies every change of a sip.* setting or of the TLS minimum version.
func (s *sipPhone) Run(ctx context.Context) error {
	routeSIPLog(s.log)
	changed, cancel := s.store.Watch("sip.", "security.tls_min_client")
	defer cancel()
	cfg, err := s.config()
	if err != nil {
		s.log.Warn("sip settings", "err", err)
	}
	hooks := sipcore.Hooks{Status: s.hub, Resync: s.resync, Log: s.log}
	if s.calls != nil {
		s.calls.hook(&hooks)
	}
	eng, err := sipcore.New(cfg, hooks)
	if err != nil {
		return fmt.Errorf("sip: %w", err)
	}
	if s.calls != nil {
		s.calls.setEngine(eng)
		defer s.calls.setEngine(nil)
	}
	s.mu.Lock()
	s.eng = eng
	if s.suspended != "" {
		eng.Suspend(s.suspended)
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.eng = nil
		s.mu.Unlock()
	}()

	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	for {
		select {
		case err := <-done:
			return err
		case <-changed:
			cfg, err := s.config()
			if err != nil {
				s.log.Warn("sip settings", "err", err)
			}
			if err := eng.Reconfigure(cfg); err != nil {
				s.log.Error("sip settings refused; lines keep their last configuration", "err", err)
			}
		}
	}
}

// withCalls makes the phone place and take calls through cc (its audio,
// tones and status); call before Run. Run cc.Run beside the phone and
// hand cc to the LCD (ui.UI.SetCallControl).
func (s *sipPhone) withCalls(cc *callControl) *sipPhone {
	s.calls = cc
	return s
}

// withClock makes TLS check certificates against the phone's clock (its
// lower bound until SNTP answers) and name that clock when it refuses one.
func (s *sipPhone) withClock(c phoneClock) *sipPhone {
	s.clock = c
	return s
}

func (s *sipPhone) config() (sipcore.Config, error) {
	cfg, err := sipConfig(s.store, s.dataDir)
	cfg.Listen = s.listen
	if s.clock != nil {
		cfg.TLS.Time, cfg.TLS.ClockSource = s.clock.Now, s.clock.Source
	}
	return cfg, err
}

// routeSIPLog sends sipgo's process-wide logger (used where it has no
// per-stack logger) to log, warnings and errors only: its debug output
// is per packet.
func routeSIPLog(log *slog.Logger) {
	sip.SetDefaultLogger(slog.New(minLevel{log.Handler(), slog.LevelWarn}))
}

// minLevel drops records below its level.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

// problem is what the status says of a line whose settings are incomplete:
// the validation error without its "sip line N: " prefix.
func problem(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "sip line ") {
		return rest
	}
	return msg
}
