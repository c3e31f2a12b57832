package provision_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deskphone/lab"
	"deskphone/provision"
)

// The lab proof of provisioning: the firmware binary, run in the phone's
// network namespace, against the lab's real nginx, tftpd-hpa, vsftpd and
// dnsmasq.

var (
	buildOnce sync.Once
	fwBin     string
	buildErr  error
)

// TestMain removes the firmware binary built for the lab tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if fwBin != "" {
		os.RemoveAll(filepath.Dir(fwBin))
	}
	os.Exit(code)
}

// firmwareBinary builds ./firmware once per test run.
func firmwareBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "provision-lab-")
		if err != nil {
			buildErr = err
			return
		}
		fwBin = filepath.Join(dir, "firmware")
		out, err := exec.Command("go", "build", "-o", fwBin, "deskphone/firmware").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build firmware: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return fwBin
}

// phoneMAC is the phone's LAN MAC as the server's file names use it.
var phoneMAC = strings.ReplaceAll(lab.MACPhoneLAN.String(), ":", "")

// provLab is a lab with the provisioning servers and a phone address.
type provLab struct {
	*lab.Lab
	bin string
}

func (l provLab) serve(t *testing.T, name, content string) {
	t.Helper()
	path := filepath.Join(l.Prov.Root, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// provision runs `firmware provision` in the phone namespace.
func (l provLab) provision(t *testing.T, data, server string, extra ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{l.bin, "provision", "-server", server, "-data", data, "-mac", phoneMAC}, extra...)
	out, err := l.Command(ctx, l.PhoneNS, args...).CombinedOutput()
	return string(out), err
}

func (l provLab) setting(t *testing.T, data, name string) string {
	t.Helper()
	out, err := exec.Command(l.bin, "settings", "-data", data, "get", name).CombinedOutput()
	if err != nil {
		t.Fatalf("settings get %s: %v: %s", name, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (l provLab) settingsList(t *testing.T, data string) string {
	t.Helper()
	out, err := exec.Command(l.bin, "settings", "-data", data, "list").CombinedOutput()
	if err != nil {
		t.Fatalf("settings list: %v: %s", err, out)
	}
	return string(out)
}

func startProvLab(t *testing.T) provLab {
	bin := firmwareBinary(t)
	l := lab.Start(t, lab.Options{Web: true, TFTP: true, FTP: true, PhoneAddress: true})
	return provLab{Lab: l, bin: bin}
}

func htekFile(user, identity string) string {
	return `<?xml version="1.0" encoding="UTF-8" ?>
<hl_provision version="1">
  <config version="1">
    <P35 para="Account1.SipUserId">` + user + `</P35>
    <P8627 para="802.1XIdentity">` + identity + `</P8627>
  </config>
</hl_provision>
`
}

// TestLabFetchEachProtocol applies a per-phone Htek file fetched over HTTP,
// TFTP, FTP and HTTPS with basic auth, each into a fresh flash.
func TestLabFetchEachProtocol(t *testing.T) {
	t.Parallel()
	l := startProvLab(t)
	p := l.Prov
	l.serve(t, "htek/cfg"+phoneMAC+".xml", htekFile("2001", "phone-"+phoneMAC))
	cases := []struct {
		name   string
		server string
		extra  []string
	}{
		{"http", fmt.Sprintf("http://%s:%d/htek/", p.Addr, p.HTTPPort), nil},
		{"tftp", fmt.Sprintf("tftp://%s:%d/htek/", p.Addr, p.TFTPPort), nil},
		{"ftp", fmt.Sprintf("ftp://%s:%d/htek/", p.Addr, p.FTPPort), nil},
		{"https basic auth", fmt.Sprintf("https://%s:%s@%s:%d/htek/", lab.HTTPUser.User, lab.HTTPUser.Password, p.Addr, p.HTTPSPort),
			[]string{"-ca", l.PKI.CA.Cert}},
	}
	for _, c := range cases {
		data := t.TempDir()
		out, err := l.provision(t, data, c.server, c.extra...)
		if err != nil {
			t.Errorf("%s: provision: %v\n%s", c.name, err, out)
			continue
		}
		if strings.Contains(out, lab.HTTPUser.Password) {
			t.Errorf("%s: output shows the password:\n%s", c.name, out)
		}
		if got := l.setting(t, data, "sip.line1.user"); got != "2001" {
			t.Errorf("%s: sip.line1.user = %q, want 2001\n%s", c.name, got, out)
		}
		if got := l.setting(t, data, "dot1x.identity"); got != "phone-"+phoneMAC {
			t.Errorf("%s: dot1x.identity = %q\n%s", c.name, got, out)
		}
	}
}

// TestLabHTTPSAuthentication: mutual TLS with the phone's device certificate
// works and is refused without it; bad server certificates are refused with
// a reason naming what is wrong, and the flash keeps what it had.
func TestLabHTTPSAuthentication(t *testing.T) {
	t.Parallel()
	l := startProvLab(t)
	p := l.Prov
	l.serve(t, "htek/cfg"+phoneMAC+".xml", htekFile("3001", "phone-mtls"))
	ca := []string{"-ca", l.PKI.CA.Cert}
	url := func(port int) string { return fmt.Sprintf("https://%s:%d/htek/", p.Addr, port) }

	data := t.TempDir()
	out, err := l.provision(t, data, url(p.MTLSPort), append(ca, "-cert", l.PKI.Phone.Cert, "-key", l.PKI.Phone.Key)...)
	if err != nil {
		t.Fatalf("mutual TLS: %v\n%s", err, out)
	}
	if got := l.setting(t, data, "sip.line1.user"); got != "3001" {
		t.Fatalf("mutual TLS: sip.line1.user = %q\n%s", got, out)
	}
	before := l.settingsList(t, data)

	// From here every pass must fail and change nothing.
	l.serve(t, "htek/cfg"+phoneMAC+".xml", htekFile("6666", "attacker"))
	refused := []struct {
		name   string
		port   int
		extra  []string
		reason []string // any of these in the output
	}{
		{"mutual TLS without client cert", p.MTLSPort, ca, []string{"400 Bad Request"}},
		{"rogue CA", p.RoguePort, ca, []string{"untrusted server certificate"}},
		{"wrong host", p.WrongHostPort, ca, []string{"wrong host name in server certificate"}},
		{"expired", p.ExpiredPort, ca, []string{"certificate has expired"}},
	}
	for _, c := range refused {
		out, err := l.provision(t, data, url(c.port), c.extra...)
		if err == nil {
			t.Errorf("%s: pass succeeded:\n%s", c.name, out)
		}
		named := false
		for _, r := range c.reason {
			named = named || strings.Contains(out, r)
		}
		if !named {
			t.Errorf("%s: output names none of %q:\n%s", c.name, c.reason, out)
		}
		if after := l.settingsList(t, data); after != before {
			t.Errorf("%s: settings changed:\nbefore:\n%s\nafter:\n%s", c.name, before, after)
		}
		t.Logf("%s: %s", c.name, strings.TrimSpace(out))
	}
}

// TestLabAvayaLongLine: an 81-character line in the Avaya master file served
// by nginx is refused with the line named, and the flash is unchanged.
func TestLabAvayaLongLine(t *testing.T) {
	t.Parallel()
	l := startProvLab(t)
	p := l.Prov
	server := fmt.Sprintf("http://%s:%d/avaya/", p.Addr, p.HTTPPort)
	l.serve(t, "avaya/1230SIP.cfg", "[DEVICE_CONFIG]\nVERSION 1\nFILENAME d.cfg\nDOWNLOAD_MODE FORCED\n")
	l.serve(t, "avaya/d.cfg", "SIP_DOMAIN1 good.example\n")
	data := t.TempDir()
	if out, err := l.provision(t, data, server); err != nil {
		t.Fatalf("first pass: %v\n%s", err, out)
	}
	if got := l.setting(t, data, "sip.line1.domain"); got != "good.example" {
		t.Fatalf("first pass: sip.line1.domain = %q", got)
	}
	before := l.settingsList(t, data)
	// A newer master whose third line is 81 characters; were it read, the
	// new d.cfg would change the domain.
	line81 := "# " + strings.Repeat("a", 81-len("# "))
	l.serve(t, "avaya/1230SIP.cfg", "[DEVICE_CONFIG]\nVERSION 2\n"+line81+"\nFILENAME d.cfg\nDOWNLOAD_MODE FORCED\n")
	l.serve(t, "avaya/d.cfg", "SIP_DOMAIN1 bad.example\n")
	out, err := l.provision(t, data, server)
	if err == nil {
		t.Errorf("pass with an 81-character line succeeded:\n%s", out)
	}
	if !strings.Contains(out, "1230SIP.cfg:3: line is 81 characters, at most 80") {
		t.Errorf("output does not name the line:\n%s", out)
	}
	if after := l.settingsList(t, data); after != before {
		t.Errorf("settings changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestLabDiscovery: the options dnsmasq really sends (as busybox udhcpc
// reports them) give the servers the lab configured.
func TestLabDiscovery(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{DHCP: true})
	env := filepath.Join(l.Dir, "lease.env")
	script := filepath.Join(l.Dir, "udhcpc.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n[ \"$1\" = bound ] || exit 0\nenv | sort > "+env+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := l.Command(ctx, l.PhoneNS, "busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T", "1", "-i", lab.IfPhoneLAN,
		"-s", script, "-O", "66", "-O", "150", "-O", "43", "-O", "160").CombinedOutput()
	if err != nil {
		t.Fatalf("udhcpc: %v: %s", err, out)
	}
	b, err := os.ReadFile(env)
	if err != nil {
		t.Fatalf("no lease: %v (%s)", err, out)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vars[k] = v
		}
	}
	// udhcpc gives option 66 as text and the others as hex; rebuild the
	// options field from them.
	var opts []byte
	add := func(code byte, v []byte) { opts = append(append(opts, code, byte(len(v))), v...) }
	add(66, []byte(vars["tftp"]))
	for _, o := range []struct {
		code byte
		name string
	}{{150, "opt150"}, {43, "opt43"}, {160, "opt160"}} {
		h := vars[o.name]
		if h == "" {
			t.Fatalf("option %d not received; lease:\n%s", o.code, b)
		}
		v := make([]byte, len(h)/2)
		for i := range v {
			n, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
			if err != nil {
				t.Fatalf("option %d hex %q: %v", o.code, h, err)
			}
			v[i] = byte(n)
		}
		add(o.code, v)
	}
	opts = append(opts, 255)
	urls, err := provision.DiscoverServers(opts)
	if err != nil {
		t.Fatalf("DiscoverServers: %v", err)
	}
	t.Logf("discovered %q", urls)
	// Option 160, option 43's URL, then options 66 and 150 (the same
	// server, so one TFTP URL).
	d := l.DHCP
	want := []string{d.Option160, "http://" + lab.AddrProv + "/", "tftp://" + d.Option66 + "/"}
	if d.Option150[0] != d.Option66 {
		want = append(want, "tftp://"+d.Option150[0]+"/")
	}
	if fmt.Sprint(urls) != fmt.Sprint(want) {
		t.Errorf("discovered %q, want %q", urls, want)
	}
}

// TestLabTamperedSignedFile: with a config signer installed on the flash, a
// signed Htek file from nginx is applied; the same file with one payload byte
// changed is refused and changes nothing.
func TestLabTamperedSignedFile(t *testing.T) {
	t.Parallel()
	l := startProvLab(t)
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	tl := (&provision.TrustList{Kind: "CTL", Version: 1, Signers: []provision.Signer{{Key: pub, Roles: []string{"tl", "config"}}}}).Encode()
	signedTL, err := provision.Sign(key, tl)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := provision.OpenTrust(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if alarm, err := trust.Update(signedTL); err != nil || !alarm.OK() {
		t.Fatalf("install trust list: %v %v", alarm, err)
	}
	server := fmt.Sprintf("http://%s:%d/signed/", l.Prov.Addr, l.Prov.HTTPPort)
	name := "signed/cfg" + phoneMAC + ".xml"
	good, err := provision.Sign(key, []byte(htekFile("4001", "signed")))
	if err != nil {
		t.Fatal(err)
	}
	l.serve(t, name, string(good))
	if out, err := l.provision(t, data, server); err != nil {
		t.Fatalf("signed file: %v\n%s", err, out)
	}
	if got := l.setting(t, data, "sip.line1.user"); got != "4001" {
		t.Fatalf("signed file not applied: sip.line1.user = %q", got)
	}
	before := l.settingsList(t, data)

	bad, err := provision.Sign(key, []byte(htekFile("4002", "signed")))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(bad), "4002")
	bad[i+3] = '6' // 4006: the signature no longer matches
	l.serve(t, name, string(bad))
	out, err := l.provision(t, data, server)
	if err == nil {
		t.Errorf("tampered file accepted:\n%s", out)
	}
	t.Logf("tampered: %s", out)
	if !strings.Contains(out, "rejected  cfg"+phoneMAC+".xml") || !strings.Contains(strings.ToLower(out), "signature") {
		t.Errorf("output does not name the file and its signature:\n%s", out)
	}
	if after := l.settingsList(t, data); after != before {
		t.Errorf("settings changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// BenchmarkLabFirmwareInstall installs a 32 MiB signed image from the lab's
// nginx with `firmware provision` (an Avaya master with [FW]), beside the
// reference `curl -o && sha256sum && openssl dgst -verify` of the same
// image; each under /usr/bin/time in the phone namespace, reporting the
// wall time and peak RSS. `make bench-provision` runs it.
func BenchmarkLabFirmwareInstall(b *testing.B) {
	bin := firmwareBinary(b)
	l := lab.Start(b, lab.Options{Web: true, PhoneAddress: true})
	pl := provLab{Lab: l, bin: bin}
	root := l.Prov.Root
	img := make([]byte, 32<<20)
	if _, err := rand.Read(img); err != nil {
		b.Fatal(err)
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	mf, err := provision.Sign(key, provision.Manifest{Version: "9.9.9", Hardware: "1230", Length: int64(len(img)), SHA256: sha256.Sum256(img)}.Encode())
	if err != nil {
		b.Fatal(err)
	}
	tl, err := provision.Sign(key, (&provision.TrustList{Kind: "CTL", Version: 1,
		Signers: []provision.Signer{{Key: pub, Roles: []string{"tl", "firmware"}}}}).Encode())
	if err != nil {
		b.Fatal(err)
	}
	fw := filepath.Join(root, "fw", "fw.bin")
	files := map[string][]byte{
		"fw/fw.bin":      img,
		"fw/fw.bin.mf":   mf,
		"fw/1230SIP.cfg": []byte("[FW]\nVERSION 9.9.9\nFILENAME fw.bin\nDOWNLOAD_MODE FORCED\n"),
	}
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	// The reference signs with openssl (P-256) beside the file.
	osslKey := filepath.Join(l.Dir, "bench-key.pem")
	osslPub := filepath.Join(l.Dir, "bench-pub.pem")
	for _, args := range [][]string{
		{"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", osslKey},
		{"openssl", "ec", "-in", osslKey, "-pubout", "-out", osslPub},
		{"openssl", "dgst", "-sha256", "-sign", osslKey, "-out", fw + ".sig", fw},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", args, err, out)
		}
	}
	server := fmt.Sprintf("http://%s:%d/fw/", l.Prov.Addr, l.Prov.HTTPPort)

	// timed runs args under /usr/bin/time in the phone namespace, returning
	// seconds and peak RSS in KiB.
	timed := func(b *testing.B, args ...string) (float64, float64) {
		tf := filepath.Join(b.TempDir(), "time")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		full := append([]string{"/usr/bin/time", "-f", "%e %M", "-o", tf}, args...)
		if out, err := l.Command(ctx, l.PhoneNS, full...).CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", args, err, out)
		}
		raw, err := os.ReadFile(tf)
		if err != nil {
			b.Fatal(err)
		}
		f := strings.Fields(string(raw))
		if len(f) < 2 {
			b.Fatalf("time output %q", raw)
		}
		sec, _ := strconv.ParseFloat(f[len(f)-2], 64)
		rss, _ := strconv.ParseFloat(f[len(f)-1], 64)
		return sec, rss
	}
	report := func(b *testing.B, sec, rss float64) {
		b.ReportMetric(sec/float64(b.N), "s/install")
		b.ReportMetric(rss, "peakRSS-KiB")
	}

	b.Run("firmware-provision", func(b *testing.B) {
		var sec, rss float64
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			data := b.TempDir()
			trust, err := provision.OpenTrust(data, nil)
			if err != nil {
				b.Fatal(err)
			}
			if alarm, err := trust.Update(tl); err != nil || !alarm.OK() {
				b.Fatalf("install trust list: %v %v", alarm, err)
			}
			b.StartTimer()
			s, r := timed(b, pl.bin, "provision", "-server", server, "-data", data, "-mac", phoneMAC)
			b.StopTimer()
			sec += s
			rss = max(rss, r)
			got, err := os.ReadFile(provision.OpenSlots(data).SlotPath("b"))
			if err != nil || !bytes.Equal(got, img) {
				b.Fatalf("slot b does not hold the image (%v)", err)
			}
			b.StartTimer()
		}
		report(b, sec, rss)
	})
	b.Run("curl-sha256sum-openssl", func(b *testing.B) {
		var sec, rss float64
		for i := 0; i < b.N; i++ {
			out := filepath.Join(b.TempDir(), "fw.bin")
			script := fmt.Sprintf("curl -sSf -o %[1]s %[2]sfw.bin && sha256sum %[1]s >/dev/null && openssl dgst -sha256 -verify %[3]s -signature %[4]s.sig %[1]s",
				out, server, osslPub, fw)
			s, r := timed(b, "sh", "-c", script)
			sec += s
			rss = max(rss, r)
		}
		report(b, sec, rss)
	})
}
