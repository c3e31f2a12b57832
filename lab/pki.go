package lab

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// CertFile is a PEM certificate and its PEM (PKCS#8) private key.
type CertFile struct {
	Cert string
	Key  string
}

// PKI is the throwaway PKI a lab makes when it starts. Server certificates
// name every lab service (radius/pbx/prov/remote.lab.test and their
// addresses), so each bad one can stand in for any server.
type PKI struct {
	Dir string
	CA  CertFile // root CA (RSA 2048) that signs everything good

	RADIUS CertFile // EAP server (RSA 2048: hostapd's EAP-FAST has no ECDHE suites)
	Server CertFile // PBX, provisioning and remote party TLS (ECDSA P-256)
	Phone  CertFile // the phone's device certificate, CN=phone1 (ECDSA P-256)
	PC     CertFile // the PC's device certificate, CN=pc1 (RSA 2048)
	DH     string   // ffdhe2048 parameters (hostapd's DHE and anonymous EAP-FAST)

	// Bad server certificates.
	Expired     CertFile // signed by CA, expired yesterday
	NotYetValid CertFile // signed by CA, valid from tomorrow
	WrongHost   CertFile // signed by CA for wrong.example.test only
	RSA1024     CertFile // signed by CA, RSA 1024-bit key
	Rogue       CertFile // signed by RogueCA
	RogueCA     CertFile // a CA nobody trusts
	RoguePhone  CertFile // CN=phone1 device certificate signed by RogueCA
}

// Host names of the lab services (also in DNS, served by dnsmasq).
const (
	HostRADIUS = "radius.lab.test"
	HostPBX    = "pbx.lab.test"
	HostProv   = "prov.lab.test"
	HostRemote = "remote.lab.test"
)

// ffdhe2048 is the RFC 7919 group: fixed, so no slow parameter generation.
const ffdhe2048 = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
`

// issuer is a CA that can sign.
type issuer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// certSpec describes one certificate to make.
type certSpec struct {
	name      string // file base name
	cn        string
	dns       []string
	ips       []net.IP
	keyType   string // "ec", "rsa2048", "rsa1024"
	server    bool
	client    bool
	notBefore time.Time
	notAfter  time.Time
}

// makePKI writes a fresh PKI into dir.
func makePKI(dir string) (*PKI, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make pki: %w", err)
	}
	now := time.Now()
	valid := func(s certSpec) certSpec {
		if s.notBefore.IsZero() {
			s.notBefore, s.notAfter = now.Add(-time.Hour), now.Add(365*24*time.Hour)
		}
		return s
	}
	allNames := []string{HostRADIUS, HostPBX, HostProv, HostRemote}
	allIPs := []net.IP{net.ParseIP(AddrPBX), net.ParseIP(AddrProv), net.ParseIP(AddrRemote)}

	// The slow part is RSA key generation: make all keys at once.
	type keyJob struct {
		name, kind string
		key        crypto.Signer
		err        error
	}
	jobs := []*keyJob{
		{name: "ca", kind: "rsa2048"}, {name: "radius", kind: "rsa2048"}, {name: "pc", kind: "rsa2048"},
		{name: "rsa1024", kind: "rsa1024"},
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { j.key, j.err = newKey(j.kind) })
	}
	wg.Wait()
	keys := map[string]crypto.Signer{}
	for _, j := range jobs {
		if j.err != nil {
			return nil, fmt.Errorf("make pki: key %s: %w", j.name, j.err)
		}
		keys[j.name] = j.key
	}

	p := &PKI{Dir: dir, DH: filepath.Join(dir, "dh.pem")}
	if err := os.WriteFile(p.DH, []byte(ffdhe2048), 0o644); err != nil {
		return nil, fmt.Errorf("make pki: %w", err)
	}
	ca, caFile, err := makeCA(dir, "ca", "Deskphone Lab Root CA", keys["ca"], now)
	if err != nil {
		return nil, err
	}
	p.CA = caFile
	rogue, rogueFile, err := makeCA(dir, "rogue-ca", "Rogue CA", nil, now)
	if err != nil {
		return nil, err
	}
	p.RogueCA = rogueFile

	specs := []struct {
		out    *CertFile
		spec   certSpec
		issuer issuer
	}{
		{&p.RADIUS, valid(certSpec{name: "radius", cn: HostRADIUS, dns: []string{HostRADIUS}, keyType: "rsa2048", server: true}), ca},
		{&p.Server, valid(certSpec{name: "server", cn: HostProv, dns: allNames, ips: allIPs, keyType: "ec", server: true, client: true}), ca},
		{&p.Phone, valid(certSpec{name: "phone", cn: "phone1", keyType: "ec", client: true}), ca},
		{&p.PC, valid(certSpec{name: "pc", cn: "pc1", keyType: "rsa2048", client: true}), ca},
		{&p.Expired, certSpec{name: "expired", cn: HostProv, dns: allNames, ips: allIPs, keyType: "ec", server: true,
			notBefore: now.Add(-30 * 24 * time.Hour), notAfter: now.Add(-24 * time.Hour)}, ca},
		{&p.NotYetValid, certSpec{name: "notyetvalid", cn: HostProv, dns: allNames, ips: allIPs, keyType: "ec", server: true,
			notBefore: now.Add(24 * time.Hour), notAfter: now.Add(365 * 24 * time.Hour)}, ca},
		{&p.WrongHost, valid(certSpec{name: "wronghost", cn: "wrong.example.test", dns: []string{"wrong.example.test"}, keyType: "ec", server: true}), ca},
		{&p.RSA1024, valid(certSpec{name: "rsa1024", cn: HostProv, dns: allNames, ips: allIPs, keyType: "rsa1024", server: true}), ca},
		{&p.Rogue, valid(certSpec{name: "rogue", cn: HostProv, dns: allNames, ips: allIPs, keyType: "ec", server: true}), rogue},
		{&p.RoguePhone, valid(certSpec{name: "rogue-phone", cn: "phone1", keyType: "ec", client: true}), rogue},
	}
	for _, s := range specs {
		cf, err := makeLeaf(dir, s.spec, keys[s.spec.name], s.issuer)
		if err != nil {
			return nil, err
		}
		*s.out = cf
	}
	return p, nil
}

func newKey(kind string) (crypto.Signer, error) {
	switch kind {
	case "rsa2048":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "rsa1024":
		//nolint:gosec // deliberately weak: the lab's bad certificate
		return rsa.GenerateKey(rand.Reader, 1024)
	default:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n.Add(n, big.NewInt(1))
}

// makeCA makes a self-signed CA; a nil key means a new P-256 key.
func makeCA(dir, name, cn string, key crypto.Signer, now time.Time) (issuer, CertFile, error) {
	if key == nil {
		var err error
		if key, err = newKey("ec"); err != nil {
			return issuer{}, CertFile{}, fmt.Errorf("make %s: %w", name, err)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"Deskphone Lab"}, CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return issuer{}, CertFile{}, fmt.Errorf("make %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return issuer{}, CertFile{}, fmt.Errorf("make %s: %w", name, err)
	}
	cf, err := writePair(dir, name, der, key)
	return issuer{cert: cert, key: key}, cf, err
}

// makeLeaf makes an end-entity certificate; a nil key means a new one of
// spec.keyType.
func makeLeaf(dir string, s certSpec, key crypto.Signer, by issuer) (CertFile, error) {
	if key == nil {
		var err error
		if key, err = newKey(s.keyType); err != nil {
			return CertFile{}, fmt.Errorf("make %s: %w", s.name, err)
		}
	}
	usage := x509.KeyUsageDigitalSignature
	if _, ok := key.(*rsa.PrivateKey); ok {
		usage |= x509.KeyUsageKeyEncipherment // TLS RSA key exchange (EAP-FAST)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"Deskphone Lab"}, CommonName: s.cn},
		NotBefore:             s.notBefore,
		NotAfter:              s.notAfter,
		KeyUsage:              usage,
		BasicConstraintsValid: true,
		DNSNames:              s.dns,
		IPAddresses:           s.ips,
	}
	if s.server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if s.client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, by.cert, key.Public(), by.key)
	if err != nil {
		return CertFile{}, fmt.Errorf("make %s: %w", s.name, err)
	}
	return writePair(dir, s.name, der, key)
}

// writePair writes name.pem and name.key (PKCS#8).
func writePair(dir, name string, der []byte, key crypto.Signer) (CertFile, error) {
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return CertFile{}, fmt.Errorf("write %s key: %w", name, err)
	}
	cf := CertFile{Cert: filepath.Join(dir, name+".pem"), Key: filepath.Join(dir, name+".key")}
	if err := os.WriteFile(cf.Cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return CertFile{}, fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.WriteFile(cf.Key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return CertFile{}, fmt.Errorf("write %s: %w", name, err)
	}
	return cf, nil
}
