package provision

import (
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"time"

	"deskphone/provision/settings"
)

// Config is what the firmware knows about the phone when it sets up
// provisioning.
type Config struct {
	DataDir    string
	Model      string // e.g. "1230"
	MAC        string
	Hardware   string              // firmware manifests' hardware id ("" = Model)
	Roots      *x509.CertPool      // the rootfs trust store for HTTPS (nil = none)
	DeviceCert *tls.Certificate    // for mutual TLS (nil = none)
	Anchors    []ed25519.PublicKey // rootfs signer keys (may sign anything)
	DataKeys   [][]byte            // device and site keys for encrypted files
	// RequireSigned refuses configuration files that are not signed.
	RequireSigned bool
	Log           *slog.Logger
	// Now and ClockSource are the phone's clock for HTTPS certificate
	// validity and its source, for the errors (nil: the system clock).
	Now         func() time.Time
	ClockSource func() string
}

// New sets up a Provisioner on store: HTTP(S) with the rootfs roots and
// the roots provisioning installed, the server credentials and TLS floor
// from the settings (provision.http_user, provision.http_password,
// security.tls_min_client), TFTP and FTP; the trust lists and firmware
// slots in the data directory. A stored trust list that does not load is
// reported in the error, and the Provisioner is still returned (without
// that list).
func New(store *settings.Store, cfg Config) (*Provisioner, error) {
	var errs []error
	roots, err := LoadRoots(cfg.DataDir, cfg.Roots)
	errs = append(errs, err)
	minTLS := uint16(tls.VersionTLS12)
	if store.String("security.tls_min_client") == "1.3" {
		minTLS = tls.VersionTLS13
	}
	h := &HTTPFetcher{Roots: roots, Cert: cfg.DeviceCert, MinTLS: minTLS, Now: cfg.Now, ClockSource: cfg.ClockSource,
		User: store.String("provision.http_user"), Password: store.String("provision.http_password")}
	trust, err := OpenTrust(cfg.DataDir, cfg.Anchors)
	errs = append(errs, err)
	p := &Provisioner{
		Store: store, DataDir: cfg.DataDir, Model: cfg.Model, MAC: cfg.MAC, Hardware: cfg.Hardware,
		Fetcher: Schemes{"http": h, "https": h, "tftp": &TFTPFetcher{},
			"ftp": &FTPFetcher{User: store.String("provision.http_user"), Password: store.String("provision.http_password")}},
		Trust: trust, RequireSigned: cfg.RequireSigned, DataKeys: cfg.DataKeys,
		Slots: OpenSlots(cfg.DataDir), Log: cfg.Log,
	}
	return p, errors.Join(errs...)
}
