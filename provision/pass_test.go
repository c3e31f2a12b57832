package provision

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"deskphone/provision/settings"
	"deskphone/status"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const testMAC = "00:11:22:33:44:55"

// phone is a phone under test: a store in a temporary data directory and
// a provisioner that fetches with f.
func newPhone(t testing.TB, f Fetcher) *Provisioner {
	t.Helper()
	dir := t.TempDir()
	st, err := settings.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &Provisioner{Store: st, DataDir: dir, Model: "1230", MAC: testMAC, Fetcher: f, Slots: OpenSlots(dir)}
}

// settingsDiff is every setting that differs from its default, one
// "name=value" a line, secrets masked.
func settingsDiff(st *settings.Store) string {
	defs := settings.Defaults()
	var lines []string
	for n, v := range st.Values() {
		if v == defs[n] {
			continue
		}
		if d, _ := settings.Lookup(n); d.Secret {
			v = "******** (" + valueHash(v)[:8] + ")"
		}
		lines = append(lines, n+"="+v)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

func checkGolden(t *testing.T, name, got string, server ...string) {
	t.Helper()
	for _, s := range server {
		got = strings.ReplaceAll(got, s, "http://SERVER")
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("%s: settings differ from the golden file\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func outcomes(res status.Provision) string {
	var b strings.Builder
	for _, f := range res.Files {
		fmt.Fprintf(&b, "%s %s: %s\n", f.Outcome, f.Name, f.Reason)
	}
	return b.String()
}

func wantOutcome(t *testing.T, res status.Provision, name, outcome string) status.FileResult {
	t.Helper()
	for _, f := range res.Files {
		if f.Name == name {
			if f.Outcome != outcome {
				t.Errorf("%s: %s (%s), want %s", name, f.Outcome, f.Reason, outcome)
			}
			return f
		}
	}
	t.Errorf("%s: not in the result:\n%s", name, outcomes(res))
	return status.FileResult{}
}

const avayaMaster = `# master file for the 1230
[DEVICE_CONFIG]
DOWNLOAD_MODE AUTO
VERSION 000002
FILENAME device.cfg

[USER_CONFIG]
DOWNLOAD_MODE AUTO
VERSION 000001
SRV_USER_NAME prov
SRV_USER_PASS secret

[TONES]
VERSION 000001
FILENAME tones.txt

[LOGIN_BANNER]
VERSION 1
FILENAME banner.txt
`

const avayaDevice = `# device settings
DNS_DOMAIN lab.example
SIP_DOMAIN1 lab.example
SERVER_IP1_1 127.0.0.1
SERVER_PORT1_1 5070
SNTP_SERVER 127.0.0.1
ADMIN_PASSWORD 1234
DOT1X_MODE 3
DOT1X_IDENTITY phone-1230
`

const avayaUser = `AUTOLOGIN_ENABLE_KEY01 YES
AUTOLOGIN_ID_KEY01 1001@lab.example
AUTOLOGIN_AUTHID_KEY01 1001
AUTOLOGIN_PASSWD_KEY01 s3cret
`

func TestAvayaApplied(t *testing.T) {
	fs := newFiles(map[string][]byte{
		"prov/1230SIP.cfg":         []byte(avayaMaster),
		"prov/device.cfg":          []byte(avayaDevice),
		"prov/SIP001122334455.cfg": []byte(avayaUser),
		"prov/tones.txt":           []byte("dial 350+440\n"),
	})
	s := httptestServer(t, fs)
	p := newPhone(t, &HTTPFetcher{})
	res := p.Pass(context.Background(), s.URL+"/prov/")
	if res.Result != ResultOK {
		t.Fatalf("result %s:\n%s", res.Result, outcomes(res))
	}
	f := wantOutcome(t, res, "1230SIP.cfg", Applied)
	if !strings.Contains(f.Reason, "[LOGIN_BANNER]") {
		t.Errorf("unknown section not reported: %q", f.Reason)
	}
	f = wantOutcome(t, res, "[DEVICE_CONFIG] device.cfg", Applied)
	if !strings.Contains(f.Reason, "DNS_DOMAIN (line 2)") {
		t.Errorf("unknown keyword not reported: %q", f.Reason)
	}
	wantOutcome(t, res, "[USER_CONFIG] SIP001122334455.cfg", Applied)
	wantOutcome(t, res, "[TONES] tones.txt", Applied)
	for _, f := range res.Files {
		if f.Name == "12xxSIP.cfg" {
			t.Errorf("12xxSIP.cfg asked for though the model's master was there")
		}
	}
	checkGolden(t, "avaya", settingsDiff(p.Store))
	if b, err := os.ReadFile(filepath.Join(p.DataDir, "files/tones/tones.txt")); err != nil || string(b) != "dial 350+440\n" {
		t.Errorf("tones file: %q, %v", b, err)
	}

	// AUTO: the same versions again fetch nothing.
	fs.set("prov/device.cfg", []byte("SIP_DOMAIN1 changed.example\n"))
	res = p.Pass(context.Background(), s.URL+"/prov/")
	wantOutcome(t, res, "[DEVICE_CONFIG]", Unchanged)
	if got := p.Store.String("sip.line1.domain"); got != "lab.example" {
		t.Errorf("AUTO with the same VERSION changed the domain to %q", got)
	}
	// A higher VERSION is fetched.
	fs.set("prov/1230SIP.cfg", []byte(strings.Replace(avayaMaster, "VERSION 000002", "VERSION 000003", 1)))
	res = p.Pass(context.Background(), s.URL+"/prov/")
	wantOutcome(t, res, "[DEVICE_CONFIG] device.cfg", Applied)
	if got := p.Store.String("sip.line1.domain"); got != "changed.example" {
		t.Errorf("a higher VERSION was not applied: domain %q", got)
	}
}

func TestAvayaFallbackMaster(t *testing.T) {
	fs := newFiles(map[string][]byte{
		"12xxSIP.cfg": []byte("[DEVICE_CONFIG]\nVERSION 1\nFILENAME d.cfg\nDOWNLOAD_MODE FORCED\n"),
		"d.cfg":       []byte("SIP_DOMAIN1 fallback.example\n"),
	})
	s := httptestServer(t, fs)
	p := newPhone(t, &HTTPFetcher{})
	res := p.Pass(context.Background(), s.URL)
	wantOutcome(t, res, "1230SIP.cfg", Skipped)
	wantOutcome(t, res, "12xxSIP.cfg", Applied)
	if got := p.Store.String("sip.line1.domain"); got != "fallback.example" {
		t.Errorf("domain %q", got)
	}
}

func TestAvayaLongLineKeepsState(t *testing.T) {
	fs := newFiles(map[string][]byte{
		"1230SIP.cfg": []byte("[DEVICE_CONFIG]\nVERSION 1\nFILENAME d.cfg\nDOWNLOAD_MODE FORCED\n"),
		"d.cfg":       []byte("SIP_DOMAIN1 good.example\n"),
	})
	s := httptestServer(t, fs)
	p := newPhone(t, &HTTPFetcher{})
	if res := p.Pass(context.Background(), s.URL); res.Result != ResultOK {
		t.Fatalf("first pass: %s", outcomes(res))
	}
	before := settingsDiff(p.Store)
	line81 := "SIP_DOMAIN2 " + strings.Repeat("a", 81-len("SIP_DOMAIN2 "))
	fs.set("d.cfg", []byte("SIP_DOMAIN1 bad.example\n"+line81+"\n"))
	res := p.Pass(context.Background(), s.URL)
	f := wantOutcome(t, res, "[DEVICE_CONFIG] d.cfg", Rejected)
	if !strings.Contains(f.Reason, "d.cfg:2: line is 81 characters, at most 80") {
		t.Errorf("reason %q does not name the line", f.Reason)
	}
	if res.Result != ResultPartial {
		t.Errorf("result %s, want partial", res.Result)
	}
	if after := settingsDiff(p.Store); after != before {
		t.Errorf("settings changed by a rejected file:\n%s", after)
	}
}

func TestInvalidValueRejectsWholeFile(t *testing.T) {
	fs := newFiles(map[string][]byte{
		"cfg001122334455.xml": []byte(`<hl_provision version="1"><config version="1">
<P35 para="Account1.SipUserId">1001</P35>
<P8626 para="802.1XMode">9</P8626>
</config></hl_provision>`),
	})
	s := httptestServer(t, fs)
	p := newPhone(t, &HTTPFetcher{})
	res := p.Pass(context.Background(), s.URL)
	f := wantOutcome(t, res, "cfg001122334455.xml", Rejected)
	if !strings.Contains(f.Reason, "cfg001122334455.xml:3:") || !strings.Contains(f.Reason, "dot1x.mode") {
		t.Errorf("reason %q does not name file, line and setting", f.Reason)
	}
	if got := p.Store.String("sip.line1.user"); got != "" {
		t.Errorf("a valid line of a rejected file was applied: user %q", got)
	}
	if res.Result != ResultFailed {
		t.Errorf("result %s", res.Result)
	}
}

const htekModel = `<?xml version="1.0" encoding="UTF-8" ?>
<hl_provision version="1">
  <config version="1">
    <P271 para="Account1.Active">1</P271>
    <P35 para="Account1.SipUserId">9999</P35>
    <P2 para="AdminPassword">model-wide</P2>
  </config>
</hl_provision>
`

func htekMAC(base string) string {
	return `<?xml version="1.0" encoding="UTF-8" ?>
<hl_provision version="1">
  <config version="1">
    <P47 para="Account1.Sipserver">127.0.0.1:5062</P47>
    <P35 para="Account1.SipUserId">1001</P35>
    <P34 para="Account1.Password">s3cret</P34>
    <P8626 para="802.1XMode">2</P8626>
    <P8627 para="802.1XIdentity">phone-001122334455</P8627>
    <P20987 para="802.1X.CACert">` + base + `/certs/ca.pem</P20987>
    <P20988 para="802.1X.DeviceCert">` + base + `/certs/dev.pem</P20988>
    <P9999 para="Unknown.Thing">x</P9999>
  </config>
</hl_provision>
`
}

func TestHtekApplied(t *testing.T) {
	ca := newCA(t, "radius root")
	_, devPEM := ca.issue(t, "phone", true)
	fs := newFiles(map[string][]byte{"certs/ca.pem": ca.pem, "certs/dev.pem": devPEM, "cfg1230.xml": []byte(htekModel)})
	s := httptestServer(t, fs)
	// Only the admin's per-phone file, then the model's too.
	fs.set("cfg001122334455.xml", []byte(htekMAC(s.URL)))
	p := newPhone(t, &HTTPFetcher{})
	res := p.Pass(context.Background(), s.URL)
	if res.Result != ResultOK {
		t.Fatalf("result %s:\n%s", res.Result, outcomes(res))
	}
	wantOutcome(t, res, "cfg1230.xml", Applied)
	f := wantOutcome(t, res, "cfg001122334455.xml", Applied)
	for _, want := range []string{"P9999 (line 11)", "installed " + Dot1XCAFile, "installed " + Dot1XDeviceFile} {
		if !strings.Contains(f.Reason, want) {
			t.Errorf("reason %q lacks %q", f.Reason, want)
		}
	}
	checkGolden(t, "htek", settingsDiff(p.Store), s.URL)
	if b, _ := os.ReadFile(filepath.Join(p.DataDir, Dot1XCAFile)); string(b) != string(ca.pem) {
		t.Errorf("CA certificate not installed as fetched")
	}
	if err := checkKeyPair(mustRead(t, filepath.Join(p.DataDir, Dot1XDeviceFile))); err != nil {
		t.Errorf("device certificate: %v", err)
	}
	// The same files again: nothing changes.
	res = p.Pass(context.Background(), s.URL)
	wantOutcome(t, res, "cfg001122334455.xml", Unchanged)
	wantOutcome(t, res, "cfg1230.xml", Unchanged)
}

func TestHtekOnlyMACFile(t *testing.T) {
	fs := newFiles(map[string][]byte{"cfg001122334455.xml": []byte(`<hl_provision version="1"><config version="1"><P35>1001</P35></config></hl_provision>`)})
	s := httptestServer(t, fs)
	p := newPhone(t, &HTTPFetcher{})
	res := p.Pass(context.Background(), s.URL)
	if res.Result != ResultOK || p.Store.String("sip.line1.user") != "1001" {
		t.Fatalf("a server with only cfg<MAC>.xml did not provision: %s\n%s", res.Result, outcomes(res))
	}
	wantOutcome(t, res, "cfg1230.xml", Skipped)
	wantOutcome(t, res, "001122334455.xml", Skipped)
}

func TestHtekBadCertRejects(t *testing.T) {
	fs := newFiles(map[string][]byte{"certs/ca.pem": []byte("not a certificate")})
	s := httptestServer(t, fs)
	fs.set("cfg001122334455.xml", []byte(`<hl_provision version="1"><config version="1"><P8627>id</P8627><P20987>`+s.URL+`/certs/ca.pem</P20987></config></hl_provision>`))
	p := newPhone(t, &HTTPFetcher{})
	res := p.Pass(context.Background(), s.URL)
	wantOutcome(t, res, "cfg001122334455.xml", Rejected)
	if p.Store.String("dot1x.identity") != "" {
		t.Error("settings applied though the certificate was bad")
	}
}

const snomFile = `<?xml version="1.0" encoding="utf-8"?>
<settings>
  <phone-settings e="2">
    <user_name idx="1" perm="R">2002</user_name>
    <user_realname idx="1" perm="!">Reception</user_realname>
    <user_host idx="1" perm="">sip.example</user_host>
    <challenge_checksync perm="RW">on</challenge_checksync>
    <ntp_server perm="!">pool.example</ntp_server>
    <no_such_setting perm="">1</no_such_setting>
  </phone-settings>
  <functionKeys><fkey idx="0" context="active" perm="">line</fkey></functionKeys>
</settings>
`

func TestSnomAppliedWithPerms(t *testing.T) {
	fs := newFiles(map[string][]byte{"001122334455.xml": []byte(snomFile)})
	s := httptestServer(t, fs)
	p := newPhone(t, &HTTPFetcher{})
	res := p.Pass(context.Background(), s.URL)
	f := wantOutcome(t, res, "001122334455.xml", Applied)
	if !strings.Contains(f.Reason, "no_such_setting") {
		t.Errorf("unknown not reported: %q", f.Reason)
	}
	checkGolden(t, "snom", settingsDiff(p.Store))
	recs, err := LoadPermRecords(p.DataDir)
	if err != nil || !recs.ReadOnly("sip.line1.user") || recs.ReadOnly("sip.line1.display_name") {
		t.Fatalf("perm records %v, %v", recs, err)
	}

	// The user changes a "!" setting and a writable one; reprovisioning
	// keeps the first and overwrites the second.
	if err := p.Store.Apply(map[string]string{"sip.line1.display_name": "Front desk", "sip.line1.registrar": "mine.example"}); err != nil {
		t.Fatal(err)
	}
	res = p.Pass(context.Background(), s.URL)
	f = wantOutcome(t, res, "001122334455.xml", Applied)
	if !strings.Contains(f.Reason, "kept the user's value of sip.line1.display_name") {
		t.Errorf("reason %q", f.Reason)
	}
	if got := p.Store.String("sip.line1.display_name"); got != "Front desk" {
		t.Errorf("user's value under perm ! lost: %q", got)
	}
	if got := p.Store.String("sip.line1.registrar"); got != "sip.example" {
		t.Errorf("writable setting not reprovisioned: %q", got)
	}
	// A "!" setting the user never touched follows the server.
	fs.set("001122334455.xml", []byte(strings.Replace(snomFile, "pool.example", "ntp2.example", 1)))
	p.Pass(context.Background(), s.URL)
	if got := p.Store.String("net.sntp_server"); got != "ntp2.example" {
		t.Errorf("untouched ! setting: %q", got)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPassOverEachProtocol(t *testing.T) {
	ca := newCA(t, "prov root")
	fs := newFiles(map[string][]byte{
		"p/1230SIP.cfg":         []byte("[DEVICE_CONFIG]\nVERSION 1\nFILENAME d.cfg\n"),
		"p/d.cfg":               []byte("SIP_DOMAIN1 lab.example\n"),
		"p/cfg001122334455.xml": htekUser("1001"),
	})
	https := httpsServer(t, fs.handler(), ca, nil, "127.0.0.1")
	plain := httptestServer(t, fs)
	f := Schemes{"http": &HTTPFetcher{}, "https": &HTTPFetcher{Roots: ca.pool()}, "tftp": &TFTPFetcher{}, "ftp": &FTPFetcher{}}
	for _, base := range []string{plain.URL, https.URL, "tftp://" + tftpServer(t, fs), "ftp://" + ftpServer(t, fs, "", "")} {
		p := newPhone(t, f)
		res := p.Pass(context.Background(), base+"/p/")
		if res.Result != ResultOK || p.Store.String("sip.line1.user") != "1001" || p.Store.String("sip.line1.domain") != "lab.example" {
			t.Errorf("%s: %s\n%s", base, res.Result, outcomes(res))
		}
	}
}
