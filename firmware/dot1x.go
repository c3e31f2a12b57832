package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"deskphone/hal"
	"deskphone/net8021x"
	"deskphone/provision"
	"deskphone/provision/settings"
	"deskphone/status"
)

// inoperablePrefix marks the status.Phone.Inoperable text this component
// owns: it clears only its own reason, never another part's.
const inoperablePrefix = "802.1X: "

// eapolSocket is the raw EAPOL socket of the LAN port.
type eapolSocket interface {
	net8021x.Frames
	Close() error
}

// dot1x runs the 802.1X supplicant on the LAN port from the settings:
// dot1x.mode, dot1x.identity, dot1x.password, dot1x.reauth_period,
// dot1x.fragment_size, and the certificates provisioning installs in the
// data directory: DATA/certs/dot1x-ca.pem (the CAs that verify the
// authentication server, from dot1x.ca_cert_url) and
// DATA/certs/dot1x-device.pem (the EAP-TLS certificate and its key in one
// PEM file, from dot1x.device_cert_url).
type dot1x struct {
	store   *settings.Store
	hub     *status.Hub
	port    hal.Port
	dataDir string
	clock   phoneClock // nil: the host's clock
	log     *slog.Logger

	// listen opens the raw socket (net8021x.ListenEAPOL); lab tests open
	// it inside the phone's network namespace.
	listen func(ifname string) (eapolSocket, error)
	// timers are the supplicant PAE timers (zero: the 802.1X defaults).
	timers net8021x.Timers

	mu     sync.Mutex
	cfgErr error // why the settings did not make a usable configuration
}

// runDot1X is the 802.1X component of the running phone. On a port without
// a network interface (the plain simulator) it publishes "disabled" and
// waits for ctx.
func runDot1X(ctx context.Context, store *settings.Store, hub *status.Hub, port hal.Port, dataDir string, clock phoneClock, log *slog.Logger) error {
	d := &dot1x{store: store, hub: hub, port: port, dataDir: dataDir, clock: clock, log: log,
		listen: func(ifname string) (eapolSocket, error) { return net8021x.ListenEAPOL(ifname) }}
	return d.run(ctx)
}

func (d *dot1x) run(ctx context.Context) error {
	if d.port == nil || d.port.Interface() == "" {
		d.hub.Update(func(p *status.Phone) { p.Dot1X = status.Dot1X{State: status.Dot1XDisabled} })
		<-ctx.Done()
		return nil
	}
	// Subscribe before reading, so a change in between is not lost.
	changed, cancel := d.store.Watch("dot1x.")
	defer cancel()
	frames, err := d.listen(d.port.Interface())
	if err != nil {
		return fmt.Errorf("802.1X: %w", err)
	}
	defer frames.Close()
	sup := net8021x.New(d.port, frames, d.config(), d.publish)

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	for {
		select {
		case <-changed:
			d.log.Info("802.1X settings changed; reconfiguring")
			sup.Reconfigure(d.config())
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// config maps the settings onto the supplicant's configuration. A
// certificate file that cannot be used leaves its part out, so the
// supplicant refuses the mode, and is remembered to name in the status.
func (d *dot1x) config() net8021x.Config {
	cfg := net8021x.Config{
		Mode:         net8021x.Mode(d.store.Int("dot1x.mode")),
		Identity:     d.store.String("dot1x.identity"),
		Password:     d.store.String("dot1x.password"),
		ReauthPeriod: time.Duration(d.store.Int("dot1x.reauth_period")) * time.Second,
		FragmentSize: d.store.Int("dot1x.fragment_size"),
		Timers:       d.timers,
		Logger:       d.log.With("component", "dot1x"),
		// EAP-FAST keeps its PACs on the flash, one file per server.
		FASTPACDir:           filepath.Join(d.dataDir, "8021x-pac"),
		FASTAnonProvisioning: d.store.Bool("dot1x.pac_anonymous"),
	}
	if d.clock != nil {
		// Certificates are checked against the phone's clock, which never
		// goes below the build time, and a refusal names that clock.
		cfg.Clock, cfg.ClockSource = d.clock.Now, d.clock.Source
	}
	var errs []error
	if cfg.Mode != net8021x.ModeDisabled && cfg.Mode != net8021x.ModeMD5 {
		pool, err := loadCAs(filepath.Join(d.dataDir, provision.Dot1XCAFile))
		cfg.CAs = pool
		errs = append(errs, err)
	}
	if cfg.Mode == net8021x.ModeTLS {
		cert, err := loadDeviceCert(filepath.Join(d.dataDir, provision.Dot1XDeviceFile))
		cfg.Certificate = cert
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	if err != nil {
		d.log.Error("802.1X certificates", "err", err)
	}
	d.mu.Lock()
	d.cfgErr = err
	d.mu.Unlock()
	return cfg
}

// loadCAs reads the 802.1X CA file; a missing file is no CA (nil).
func loadCAs(path string) (*x509.CertPool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read 802.1X CA %s: %w", path, err)
	}
	pool, err := loadRoots(path)
	if err != nil {
		return nil, fmt.Errorf("802.1X: %w", err)
	}
	return pool, nil
}

// loadDeviceCert reads the EAP-TLS certificate and key, kept together in
// one PEM file; a missing file is no certificate (nil).
func loadDeviceCert(path string) (*tls.Certificate, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read 802.1X device certificate %s: %w", path, err)
	}
	cert, err := tls.X509KeyPair(b, b)
	if err != nil {
		return nil, fmt.Errorf("read 802.1X device certificate %s: %w", path, err)
	}
	return &cert, nil
}

// publish writes the supplicant's state into the hub and keeps
// Inoperable in step: set to the reason when an authentication or a
// re-authentication failed, cleared once authenticated (or disabled).
func (d *dot1x) publish(s status.Dot1X) {
	d.mu.Lock()
	cfgErr := d.cfgErr
	d.mu.Unlock()
	if s.State == status.Dot1XFailed && cfgErr != nil {
		s.Reason = cfgErr.Error() // the cause behind "needs CA certificates"
	}
	d.hub.Update(func(p *status.Phone) {
		p.Dot1X = s
		ours := p.Inoperable == "" || strings.HasPrefix(p.Inoperable, inoperablePrefix)
		switch s.State {
		case status.Dot1XAuthenticated, status.Dot1XDisabled:
			if ours {
				p.Inoperable = ""
			}
		case status.Dot1XFailed, status.Dot1XHeld:
			if ours {
				p.Inoperable = inoperablePrefix + s.Reason
			}
		}
	})
}

// phoneClock is the phone's clock (netconf.Clock): its time, and where that
// time comes from ("sntp", "build time", "saved time").
type phoneClock interface {
	Now() time.Time
	Source() string
}
