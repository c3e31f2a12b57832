package provision

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

func TestAvayaSecuritySections(t *testing.T) {
	signer := newKey(t)
	ca := newCA(t, "custom root")
	devCA := newCA(t, "device CA")
	devPair, _ := devCA.issue(t, "phone 001122334455", true)
	p12, err := pkcs12.Modern.Encode(devPair.PrivateKey, devPair.Leaf, nil, "p12pass")
	if err != nil {
		t.Fatal(err)
	}
	img := bytes.Repeat([]byte{5}, 1000)
	m := Manifest{Version: "SIP12x004.04.10.00", Hardware: "1230", Length: int64(len(img)), SHA256: sha256.Sum256(img)}
	tl := &TrustList{Kind: "CTL", Version: 5, Signers: []Signer{{Key: pub(signer), Roles: []string{RoleTrustList, RoleConfig, RoleFirmware}}}}
	master := `[CTL]
VERSION 5
FILENAME site.ctl
[SEC_POLICY]
VERSION 1
FILENAME policy.cfg
[USER_KEYS]
VERSION 1
PROTOCOL HTTP
FILENAME custroot.pem
[DEV_CERT]
VERSION 1
FILENAME dev*.p12
PKCS12_PASS p12pass
[FW]
VERSION SIP12x004.04.10.00
FILENAME fw/SIP12x0.bin
`
	files := memFetcher{
		"/1230SIP.cfg":         []byte(master),
		"/site.ctl":            mustSign(t, signer, tl.Encode()),
		"/policy.cfg":          mustSign(t, signer, []byte("SIP_SECURITY1 Encrypted\n")),
		"/custroot.pem":        ca.pem,
		"/dev001122334455.p12": p12,
		"/fw/SIP12x0.bin":      img,
		"/fw/SIP12x0.bin.mf":   mustSign(t, signer, m.Encode()),
	}
	p := newPhone(t, files)
	tr, _ := OpenTrust(p.DataDir, nil)
	p.Trust = tr

	// Without insecure bootstrap, a root over HTTP is refused.
	res := p.Pass(context.Background(), "http://server/")
	f := wantOutcome(t, res, "[USER_KEYS] custroot.pem", Rejected)
	if !strings.Contains(f.Reason, "provision.insecure_bootstrap") {
		t.Errorf("reason %q", f.Reason)
	}
	f = wantOutcome(t, res, "[CTL] site.ctl", Applied)
	if !strings.Contains(f.Reason, "TL_INITIAL_SUCCESS (4)") {
		t.Errorf("CTL reason %q", f.Reason)
	}
	wantOutcome(t, res, "[SEC_POLICY] policy.cfg", Applied)
	if p.Store.String("sip.line1.security") != "encrypted" {
		t.Error("SEC_POLICY not applied")
	}
	wantOutcome(t, res, "[DEV_CERT] dev001122334455.p12", Applied)
	if err := checkKeyPair(mustRead(t, filepath.Join(p.DataDir, DeviceCertFile))); err != nil {
		t.Errorf("device certificate: %v", err)
	}
	wantOutcome(t, res, "[FW] fw/SIP12x0.bin", Applied)
	if st, _ := p.Slots.State(); st.Trying != "b" || st.Versions["b"] != m.Version {
		t.Errorf("firmware not on trial: %+v", st)
	}

	// With it, the root is installed and the result says it was insecure.
	if err := p.Store.Set("provision.insecure_bootstrap", "on"); err != nil {
		t.Fatal(err)
	}
	res = p.Pass(context.Background(), "http://server/")
	f = wantOutcome(t, res, "[USER_KEYS] custroot.pem", Applied)
	if !strings.Contains(f.Reason, "INSECURE bootstrap over HTTP") {
		t.Errorf("reason %q", f.Reason)
	}
	roots, err := LoadRoots(p.DataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := ca.issue(t, "leaf", false, "leaf.example")
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "leaf.example"}); err != nil {
		t.Errorf("installed root does not verify its leaf: %v", err)
	}
	// The installed sections are not fetched again (AUTO).
	wantOutcome(t, res, "[SEC_POLICY]", Unchanged)
	wantOutcome(t, res, "[FW] fw/SIP12x0.bin", Unchanged)

	// An unsigned SEC_POLICY is refused even where signatures are optional.
	files["/1230SIP.cfg"] = []byte("[SEC_POLICY]\nVERSION 2\nFILENAME p2.cfg\n")
	files["/p2.cfg"] = []byte("SIP_SECURITY1 Non-secure\n")
	res = p.Pass(context.Background(), "http://server/")
	wantOutcome(t, res, "[SEC_POLICY] p2.cfg", Rejected)
	if p.Store.String("sip.line1.security") != "encrypted" {
		t.Error("unsigned SEC_POLICY applied")
	}
}

func TestSectionURL(t *testing.T) {
	master := mustURL(t, "http://10.0.0.1:8080/prov/1230SIP.cfg")
	for _, c := range []struct {
		s    AvayaSection
		want string
	}{
		{AvayaSection{}, "http://10.0.0.1:8080/prov/d.cfg"},
		{AvayaSection{Protocol: "HTTPS"}, "https://10.0.0.1/d.cfg"},
		{AvayaSection{Protocol: "TFTP", ServerIP: "10.0.0.2"}, "tftp://10.0.0.2/d.cfg"},
		{AvayaSection{ServerIP: "10.0.0.3:8443", Protocol: "HTTPS", User: "prov", Password: "secret"}, "https://prov:xxxxx@10.0.0.3:8443/d.cfg"},
	} {
		if got := sectionURL(master, c.s, "d.cfg").Redacted(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.s, got, c.want)
		}
	}
}
