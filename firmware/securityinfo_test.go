package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"deskphone/provision"
	"deskphone/ui"
)

func TestSecurityInfoReadsInstalledCertificates(t *testing.T) {
	dir := t.TempDir()
	si := newSecurityInfo(dir, nil)
	if si.Certificate(ui.CertDot1XCA).Installed {
		t.Fatal("a CA is reported before one is installed")
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Lab Root CA"},
		NotBefore: from, NotAfter: from.AddDate(2, 0, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, provision.Dot1XCAFile)
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	got := si.Certificate(ui.CertDot1XCA)
	if !got.Installed || got.Subject != "CN=Lab Root CA" || !got.NotBefore.Equal(from) {
		t.Fatalf("CA info %+v", got)
	}
	if si.Certificate(ui.CertDot1XDevice).Installed || si.Certificate(ui.CertLSC).Installed {
		t.Fatal("a device certificate or LSC reported although none is installed")
	}
	if tl := si.TrustList(); tl.CTL || tl.Result != 0 {
		t.Fatalf("trust list without a trust store: %+v", tl)
	}
}
