package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"time"

	"deskphone/provision"
	"deskphone/ui"
)

// securityInfo answers the Security and 802.1X menus from the flash: the
// certificates provisioning installed and the trust store. The menus ask
// while they draw, so a certificate is parsed again only when its file
// changed.
type securityInfo struct {
	dataDir string
	trust   *provision.Trust // nil when provisioning could not load it

	mu    sync.Mutex
	cache map[string]cachedCert
}

var _ ui.SecurityInfo = (*securityInfo)(nil)

type cachedCert struct {
	mod  time.Time
	size int64
	info ui.CertInfo
}

func newSecurityInfo(dataDir string, trust *provision.Trust) *securityInfo {
	return &securityInfo{dataDir: dataDir, trust: trust, cache: map[string]cachedCert{}}
}

// Certificate describes an installed certificate. There is no LSC until
// the phone enrolls for one, so it is never installed yet.
func (s *securityInfo) Certificate(which ui.Cert) ui.CertInfo {
	var file string
	switch which {
	case ui.CertDot1XCA:
		file = provision.Dot1XCAFile
	case ui.CertDot1XDevice:
		file = provision.Dot1XDeviceFile
	default:
		return ui.CertInfo{}
	}
	return s.cert(filepath.Join(s.dataDir, file))
}

func (s *securityInfo) cert(path string) ui.CertInfo {
	fi, err := os.Stat(path)
	if err != nil {
		return ui.CertInfo{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[path]; ok && c.mod.Equal(fi.ModTime()) && c.size == fi.Size() {
		return c.info
	}
	info := readCertInfo(path)
	s.cache[path] = cachedCert{mod: fi.ModTime(), size: fi.Size(), info: info}
	return info
}

// readCertInfo reads the first certificate of a PEM file (a device file
// also holds its key, which is never read here).
func readCertInfo(path string) ui.CertInfo {
	data, err := os.ReadFile(path)
	if err != nil {
		return ui.CertInfo{}
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return ui.CertInfo{}
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return ui.CertInfo{}
		}
		return ui.CertInfo{Installed: true, Subject: c.Subject.String(), Issuer: c.Issuer.String(),
			NotBefore: c.NotBefore, NotAfter: c.NotAfter}
	}
}

// TrustList reports the installed CTL and ITL and the last update.
func (s *securityInfo) TrustList() ui.TrustListInfo {
	if s.trust == nil {
		return ui.TrustListInfo{}
	}
	i := s.trust.Info()
	return ui.TrustListInfo{CTL: i.CTL, ITL: i.ITL, Signer: i.Signer, Updated: i.Last.At, Result: int(i.Last.Result)}
}
