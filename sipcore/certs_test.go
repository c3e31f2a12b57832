package sipcore

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

// testPKI is made per test run with crypto/x509: a good CA, a rogue CA, and
// server certificates that are good, expired, for the wrong name, or from
// the rogue CA; plus a device certificate from the good CA.
type testPKI struct {
	roots, rogueRoots        *x509.CertPool
	good, expired, wrongName tls.Certificate
	rogue, device            tls.Certificate
	goodCA                   *x509.Certificate
}

type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64 = 100

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func makeCA(t *testing.T, name string) issuer {
	k := newKey(t)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return issuer{c, k}
}

func (ca issuer) issue(t *testing.T, cn string, ips []net.IP, dns []string, notAfter time.Time, usage x509.ExtKeyUsage) tls.Certificate {
	k := newKey(t)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: notAfter,
		IPAddresses: ips, DNSNames: dns,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &k.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k, Leaf: leaf}
}

func newTestPKI(t *testing.T) *testPKI {
	good, rogue := makeCA(t, "lab CA"), makeCA(t, "rogue CA")
	lo := []net.IP{net.IPv4(127, 0, 0, 1)}
	later := time.Now().Add(24 * time.Hour)
	p := &testPKI{roots: x509.NewCertPool(), rogueRoots: x509.NewCertPool(), goodCA: good.cert}
	p.roots.AddCert(good.cert)
	p.rogueRoots.AddCert(rogue.cert)
	p.good = good.issue(t, "registrar", lo, []string{"localhost"}, later, x509.ExtKeyUsageServerAuth)
	p.expired = good.issue(t, "registrar", lo, []string{"localhost"}, time.Now().Add(-time.Hour), x509.ExtKeyUsageServerAuth)
	p.wrongName = good.issue(t, "registrar", nil, []string{"other.example"}, later, x509.ExtKeyUsageServerAuth)
	p.rogue = rogue.issue(t, "registrar", lo, []string{"localhost"}, later, x509.ExtKeyUsageServerAuth)
	p.device = good.issue(t, "phone-0001", nil, nil, later, x509.ExtKeyUsageClientAuth)
	return p
}
