package provision

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"deskphone/provision/flash"
)

// Certificates the provisioning installs, under the data directory:
//
//	certs/roots/<name>.pem     roots from [USER_KEYS] (the HTTPS trust store)
//	certs/device.pem           the device certificate and key from [DEV_CERT]
//	certs/dot1x-ca.pem         the 802.1X CA (Htek P20987, dot1x.ca_cert_url)
//	certs/dot1x-device.pem     the 802.1X device certificate and key (P20988)
const (
	CertDir         = "certs"
	RootsDir        = "certs/roots"
	DeviceCertFile  = "certs/device.pem"
	Dot1XCAFile     = "certs/dot1x-ca.pem"
	Dot1XDeviceFile = "certs/dot1x-device.pem"
)

// parseCerts reads certificates as PEM (one or more CERTIFICATE blocks) or
// as one DER certificate (.crt files are often DER).
func parseCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, errors.New("no certificate (neither PEM nor DER)")
		}
		out = append(out, c)
	}
	return out, nil
}

func certsPEM(certs []*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// checkCA wants CA certificates (a root to trust).
func checkCA(certs []*x509.Certificate) error {
	for _, c := range certs {
		if !c.IsCA {
			return fmt.Errorf("certificate %q is not a CA", clip(c.Subject.CommonName))
		}
	}
	return nil
}

// checkKeyPair wants a PEM file holding a certificate and its private key.
func checkKeyPair(data []byte) error {
	if _, err := tls.X509KeyPair(data, data); err != nil {
		return fmt.Errorf("certificate and key: %w", err)
	}
	return nil
}

// installFile writes a file under the data directory atomically.
func installFile(dataDir, rel string, data []byte) error {
	return flash.WriteFile(filepath.Join(dataDir, filepath.Dir(rel)), filepath.Base(rel), data)
}

// LoadRoots is base (the rootfs trust store; may be nil) plus the roots
// installed by provisioning: the pool for the HTTPS fetcher.
func LoadRoots(dataDir string, base *x509.CertPool) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if base != nil {
		pool = base.Clone()
	}
	ents, err := os.ReadDir(filepath.Join(dataDir, RootsDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return pool, fmt.Errorf("load roots: %w", err)
	}
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".pem") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dataDir, RootsDir, e.Name()))
		if err != nil {
			return pool, fmt.Errorf("load roots: %w", err)
		}
		pool.AppendCertsFromPEM(data)
	}
	return pool, nil
}
