package net8021x

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"testing"
	"time"
)

// testPKI is generated once per test binary: a trusted CA with a server
// and a client certificate, an expired server certificate, and a server
// certificate from a CA the phone does not trust.
type testPKI struct {
	pool          *x509.CertPool
	server        tls.Certificate
	expired       tls.Certificate
	untrusted     tls.Certificate
	client        tls.Certificate
	clientPool    *x509.CertPool
	otherPool     *x509.CertPool // trusts only the other CA
	expiredBefore time.Time      // NotAfter of the expired certificate
}

var (
	pkiOnce sync.Once
	pki     testPKI
)

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		now := time.Now()
		// Valid long before the fixed phone clock of the failure tests
		// (2026-11-23 08:00), whatever day the tests run.
		from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		ca, caKey := mkCA(t, "Test Lab CA")
		other, otherKey := mkCA(t, "Other CA")
		pki.pool = x509.NewCertPool()
		pki.pool.AddCert(ca)
		pki.clientPool = pki.pool
		pki.otherPool = x509.NewCertPool()
		pki.otherPool.AddCert(other)
		pki.server = mkLeaf(t, ca, caKey, "radius.lab.test", x509.ExtKeyUsageServerAuth, from, now.Add(365*24*time.Hour))
		exp := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
		pki.expiredBefore = exp
		pki.expired = mkLeaf(t, ca, caKey, "radius.lab.test", x509.ExtKeyUsageServerAuth, exp.Add(-365*24*time.Hour), exp)
		pki.untrusted = mkLeaf(t, other, otherKey, "radius.lab.test", x509.ExtKeyUsageServerAuth, from, now.Add(365*24*time.Hour))
		pki.client = mkLeaf(t, ca, caKey, "phone", x509.ExtKeyUsageClientAuth, from, now.Add(365*24*time.Hour))
	})
	return &pki
}

var serial int64

func mkCA(t testing.TB, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func mkLeaf(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, cn string, eku x509.ExtKeyUsage, from, to time.Time) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn},
		NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}
