package lab_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deskphone/lab"
)

// TestProvisioning fetches the lab's file with the reference clients from
// the phone through the switch: curl over HTTP, HTTPS with basic auth and
// HTTPS with a client certificate; tftp-hpa; curl over FTP. It also checks
// the refusals: no client certificate, a rogue one, no password, and the bad
// server certificates.
func TestProvisioning(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Web: true, TFTP: true, FTP: true, PhoneAddress: true})
	p := l.Prov
	resolve := func(port int) string { return fmt.Sprintf("%s:%d:%s", p.Host, port, p.Addr) }
	curl := func(args ...string) (string, error) {
		full := append([]string{"curl", "-sS", "--max-time", "5"}, args...)
		return l.Exec(l.PhoneNS, full...)
	}
	url := func(scheme string, port int, path string) string {
		return fmt.Sprintf("%s://%s:%d/%s", scheme, p.Host, port, path)
	}
	ca := l.PKI.CA.Cert
	user := lab.HTTPUser.User + ":" + lab.HTTPUser.Password

	ok := []struct {
		name string
		args []string
	}{
		{"http", []string{fmt.Sprintf("http://%s:%d/%s", p.Addr, p.HTTPPort, lab.ProvFile)}},
		{"https basic auth", []string{"--resolve", resolve(p.HTTPSPort), "--cacert", ca, "-u", user, url("https", p.HTTPSPort, lab.ProvFile)}},
		{"https client cert", []string{"--resolve", resolve(p.MTLSPort), "--cacert", ca, "--cert", l.PKI.Phone.Cert, "--key", l.PKI.Phone.Key,
			url("https", p.MTLSPort, lab.ProvFile)}},
		{"https client cert + basic auth", []string{"--resolve", resolve(p.MTLSPort), "--cacert", ca, "--cert", l.PKI.PC.Cert, "--key", l.PKI.PC.Key,
			"-u", user, url("https", p.MTLSPort, "secure/"+lab.ProvFile)}},
		{"ftp", []string{fmt.Sprintf("ftp://%s:%d/%s", p.Addr, p.FTPPort, lab.ProvFile)}},
	}
	for _, c := range ok {
		out, err := curl(append([]string{"-f"}, c.args...)...)
		if err != nil || out != lab.ProvFileContent {
			t.Errorf("%s: got %q, %v; want the file", c.name, out, err)
		}
	}

	refused := []struct {
		name string
		args []string
	}{
		{"https without password", []string{"--resolve", resolve(p.HTTPSPort), "--cacert", ca, url("https", p.HTTPSPort, lab.ProvFile)}},
		{"https wrong password", []string{"--resolve", resolve(p.HTTPSPort), "--cacert", ca, "-u", lab.HTTPUser.User + ":nope", url("https", p.HTTPSPort, lab.ProvFile)}},
		{"mutual TLS without client cert", []string{"--resolve", resolve(p.MTLSPort), "--cacert", ca, url("https", p.MTLSPort, lab.ProvFile)}},
		{"mutual TLS with rogue client cert", []string{"--resolve", resolve(p.MTLSPort), "--cacert", ca, "--cert", l.PKI.RoguePhone.Cert,
			"--key", l.PKI.RoguePhone.Key, url("https", p.MTLSPort, lab.ProvFile)}},
		{"expired server cert", []string{"--resolve", resolve(p.ExpiredPort), "--cacert", ca, url("https", p.ExpiredPort, lab.ProvFile)}},
		{"not yet valid server cert", []string{"--resolve", resolve(p.NotYetValidPort), "--cacert", ca, url("https", p.NotYetValidPort, lab.ProvFile)}},
		{"wrong host server cert", []string{"--resolve", resolve(p.WrongHostPort), "--cacert", ca, url("https", p.WrongHostPort, lab.ProvFile)}},
		{"rogue server cert", []string{"--resolve", resolve(p.RoguePort), "--cacert", ca, url("https", p.RoguePort, lab.ProvFile)}},
	}
	for _, c := range refused {
		out, err := curl(append([]string{"-f"}, c.args...)...)
		if err == nil || strings.Contains(out, lab.ProvFileContent) {
			t.Errorf("%s: fetched %q, want a refusal", c.name, out)
		}
	}
	// The bad servers are reachable: with verification off they answer.
	if out, err := curl("-k", "--resolve", resolve(p.RSA1024Port), url("https", p.RSA1024Port, lab.ProvFile)); err != nil || out != lab.ProvFileContent {
		t.Errorf("rsa1024 server without verification: %q %v", out, err)
	}

	dst := filepath.Join(l.Dir, "tftp-got.txt")
	if _, err := l.Exec(l.PhoneNS, "tftp", "-m", "binary", p.Addr, fmt.Sprint(p.TFTPPort), "-c", "get", lab.ProvFile, dst); err != nil {
		t.Errorf("tftp: %v", err)
	} else if b, err := os.ReadFile(dst); err != nil || string(b) != lab.ProvFileContent {
		t.Errorf("tftp fetched %q, %v", b, err)
	}
}

// TestDHCP: dnsmasq hands the phone a lease with options 66, 150, 43 and
// 160 when asked (busybox udhcpc prints what it got), and answers DNS for
// the lab's names.
func TestDHCP(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{DHCP: true})
	script := filepath.Join(l.Dir, "udhcpc.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n[ \"$1\" = bound ] || exit 0\nenv | sort > "+filepath.Join(l.Dir, "lease.env")+
		"\nbusybox ifconfig \"$interface\" \"$ip\" netmask \"$subnet\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := l.Command(ctx, l.PhoneNS, "busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T", "1", "-i", lab.IfPhoneLAN,
		"-s", script, "-O", "66", "-O", "150", "-O", "43", "-O", "160").CombinedOutput()
	if err != nil {
		t.Fatalf("udhcpc: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(l.Dir, "lease.env"))
	if err != nil {
		t.Fatalf("no lease: %v (%s)", err, out)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = v
		}
	}
	t.Logf("lease: ip=%s tftp=%s opt150=%s opt43=%s opt160=%s", env["ip"], env["tftp"], env["opt150"], env["opt43"], env["opt160"])
	if !strings.HasPrefix(env["ip"], "10.99.0.") {
		t.Errorf("leased address %q", env["ip"])
	}
	if env["tftp"] != l.DHCP.Option66 {
		t.Errorf("option 66 = %q, want %q", env["tftp"], l.DHCP.Option66)
	}
	want150 := fmt.Sprintf("%x", []byte{10, 99, 0, 20})
	if env["opt150"] != want150 {
		t.Errorf("option 150 = %q, want %q", env["opt150"], want150)
	}
	if env["opt43"] != fmt.Sprintf("%x", l.DHCP.Option43) {
		t.Errorf("option 43 = %q, want %x", env["opt43"], l.DHCP.Option43)
	}
	if env["opt160"] != fmt.Sprintf("%x", l.DHCP.Option160) {
		t.Errorf("option 160 = %q, want %x", env["opt160"], l.DHCP.Option160)
	}
	// Asked for nothing extra, no provisioning options come.
	if err := os.Remove(filepath.Join(l.Dir, "lease.env")); err != nil {
		t.Fatal(err)
	}
	out, err = l.Command(ctx, l.PhoneNS, "busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T", "1", "-i", lab.IfPhoneLAN, "-s", script).CombinedOutput()
	if err != nil {
		t.Fatalf("udhcpc: %v: %s", err, out)
	}
	b, _ = os.ReadFile(filepath.Join(l.Dir, "lease.env"))
	if strings.Contains(string(b), "opt160=") || strings.Contains(string(b), "opt150=") {
		t.Errorf("options 150/160 sent without being asked:\n%s", b)
	}
	// DNS: the lab's names resolve through the DHCP server.
	if out, err := l.Exec(l.PhoneNS, "busybox", "nslookup", "-type=a", lab.HostPBX, l.DHCP.Server); err != nil || !strings.Contains(out, lab.AddrPBX) {
		t.Errorf("nslookup %s: %v\n%s", lab.HostPBX, err, out)
	}
}
