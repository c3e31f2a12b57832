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
	listen  string // "" = sipcore.DefaultListen; tests listen on loopback

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
	eng, err := sipcore.New(cfg, sipcore.Hooks{Status: s.hub, Resync: s.resync, Log: s.log})
	if err != nil {
		return fmt.Errorf("sip: %w", err)
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

// followDot1X suspends the lines while 802.1X keeps the LAN port closed
// and resumes them once it opens (or 802.1X is off). A re-authentication
// of an open port leaves them running: the port stays open meanwhile.
// Run it beside Run, as its own component.
func (s *sipPhone) followDot1X(ctx context.Context, hub *status.Hub) error {
	p, seq := hub.Snapshot()
	authed, suspended := false, false
	for {
		var open bool
		open, authed = portOpen(p.Dot1X.State, authed)
		if !open && !suspended {
			reason := p.Inoperable
			if reason == "" {
				reason = "802.1X: " + p.Dot1X.State
			}
			s.Suspend(reason)
			suspended = true
		} else if open && suspended {
			s.Resume()
			suspended = false
		}
		var err error
		if p, seq, err = hub.Wait(ctx, seq); err != nil {
			return nil // ctx ended
		}
	}
}

// portOpen says whether the LAN port forwards in 802.1X state st; authed
// is whether it was authenticated before (a re-authentication keeps an
// authorized port open).
func portOpen(st string, authed bool) (open, nowAuthed bool) {
	switch st {
	case status.Dot1XAuthenticated:
		return true, true
	case status.Dot1XDisabled:
		return true, false
	case status.Dot1XConnecting, status.Dot1XAuthenticating:
		return authed, authed
	}
	return false, false // failed, held
}

func (s *sipPhone) config() (sipcore.Config, error) {
	cfg, err := sipConfig(s.store, s.dataDir)
	cfg.Listen = s.listen
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
