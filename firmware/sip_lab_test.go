package main

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"deskphone/lab"
)

// startSIPCmd runs `firmware sip args...` in the phone namespace.
func startSIPCmd(t *testing.T, l *lab.Lab, name string, args ...string) *lab.Process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	full := append([]string{"env", commandHelperEnv + "=1", exe, "sip"}, args...)
	p, err := l.Spawn(name, l.PhoneNS, full...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop(3 * time.Second) })
	return p
}

// waitCount waits until re matched the process's output n times.
func waitCount(ctx context.Context, t *testing.T, p *lab.Process, re *regexp.Regexp, n int) {
	t.Helper()
	for {
		if len(re.FindAllString(p.Output(), -1)) >= n {
			return
		}
		if !p.Running() {
			t.Fatalf("%s exited before %d× %q:\n%s", p.Name, n, re, p.Output())
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: waiting for %d× %q: %v\n%s", p.Name, n, re, ctx.Err(), p.Output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestSIPLabRegister: one line per transport registers with Kamailio's
// digest, refreshes its 10 s binding before it expires (Kamailio's
// min_expires is 10 s), and removes it when stopped; a wrong password is
// refused with exit status 1 and never printed.
func TestSIPLabRegister(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	cases := []struct {
		transport string
		user      lab.Login
		registrar string
		listen    string
	}{
		{"udp", lab.SIPUsers[0], lab.AddrPBX, lab.AddrPhone + ":5060"},
		{"tcp", lab.SIPUsers[2], lab.AddrPBX, lab.AddrPhone + ":5070"},
		{"tls", lab.SIPUsers[3], lab.AddrPBX + ":5061", lab.AddrPhone + ":5080"},
	}
	for _, c := range cases {
		t.Run(c.transport, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			p := startSIPCmd(t, l, "sip-"+c.transport, "-registrar", c.registrar, "-transport", c.transport,
				"-user", c.user.User, "-password", c.user.Password, "-ca", l.PKI.CA.Cert,
				"-listen", c.listen, "-expiry", "10s")
			// The refresh: a second 200 OK on the same binding, due at 5 s.
			waitCount(ctx, t, p, regexp.MustCompile(`(?m)^REGISTERED expires=10 registrar=`+regexp.QuoteMeta(c.registrar)), 2)
			if err := p.Stop(3 * time.Second); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.Output(), "UNREGISTERED registrar=") {
				t.Errorf("no unregistration at stop:\n%s", p.Output())
			}
			if strings.Contains(p.Output(), c.user.Password) {
				t.Errorf("output shows the password:\n%s", p.Output())
			}
		})
	}
	t.Run("wrong-password", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		p := startSIPCmd(t, l, "sip-badpw", "-registrar", lab.AddrPBX, "-user", lab.SIPUsers[4].User,
			"-password", "Secret-wrong-42", "-listen", lab.AddrPhone+":5090")
		err := p.Wait(ctx)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("exit: %v, want status 1\n%s", err, p.Output())
		}
		if !regexp.MustCompile(`(?m)^REGISTER-FAILED reason=auth-failed`).MatchString(p.Output()) {
			t.Errorf("no auth-failed line:\n%s", p.Output())
		}
		if strings.Contains(p.Output(), "Secret-wrong-42") {
			t.Errorf("output shows the password:\n%s", p.Output())
		}
	})
}

// TestSIPLabTLSRefused: the lab's HTTPS servers that present bad
// certificates stand in for a TLS registrar (the handshake fails before
// any SIP): a rogue CA, an expired certificate and a wrong host name are
// each refused with their own reason.
func TestSIPLabTLSRefused(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Web: true, PhoneAddress: true})
	cases := []struct {
		name  string
		port  int
		cause string
	}{
		{"rogue", l.Prov.RoguePort, "tls-untrusted"},
		{"expired", l.Prov.ExpiredPort, "tls-expired"},
		{"wrong-host", l.Prov.WrongHostPort, "tls-wrong-name"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			p := startSIPCmd(t, l, "sip-tls-"+c.name, "-registrar", fmt.Sprintf("%s:%d", lab.AddrProv, c.port),
				"-transport", "tls", "-user", lab.SIPUsers[0].User, "-password", lab.SIPUsers[0].Password,
				"-ca", l.PKI.CA.Cert, "-listen", fmt.Sprintf("%s:%d", lab.AddrPhone, 5100+10*i), "-timeout", "5s")
			if err := p.Wait(ctx); err == nil {
				t.Fatalf("registered through a %s certificate:\n%s", c.name, p.Output())
			}
			re := regexp.MustCompile(`(?m)^REGISTER-FAILED reason=` + c.cause + ` `)
			if !re.MatchString(p.Output()) {
				t.Errorf("want reason %s:\n%s", c.cause, p.Output())
			}
		})
	}
}

// startBackupKamailio runs a second registrar in the services namespace on
// ports 5070 (UDP, TCP) and 5071 (TLS), from the lab's own configuration.
func startBackupKamailio(ctx context.Context, t *testing.T, l *lab.Lab) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(l.Dir, "kamailio.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	const port = 5070
	run := filepath.Join(l.Dir, "kamailio-backup-run")
	cfg := strings.NewReplacer(
		fmt.Sprintf(":%d\n", l.PBX.UDPPort), fmt.Sprintf(":%d\n", port),
		fmt.Sprintf(":%d\n", l.PBX.TLSPort), fmt.Sprintf(":%d\n", port+1),
		filepath.Join(l.Dir, "kamailio-run"), run,
	).Replace(string(b))
	if !strings.Contains(cfg, fmt.Sprintf("listen=tcp:%s:%d", l.PBX.Addr, port)) {
		t.Fatalf("backup kamailio: listen lines not found in the lab's config")
	}
	path := filepath.Join(l.Dir, "kamailio-backup.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	p, err := l.Spawn("kamailio-backup", l.ServicesNS, "kamailio", "-DD", "-E", "-m", "64", "-M", "8", "-f", path, "-Y", run)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop(3 * time.Second) })
	for {
		c, err := lab.DialContext(ctx, l.PhoneNS, "tcp", fmt.Sprintf("%s:%d", l.PBX.Addr, port))
		if err == nil {
			c.Close()
			return port
		}
		if ctx.Err() != nil || !p.Running() {
			t.Fatalf("backup kamailio not listening: %v\n%s", err, p.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSIPLabFailover: registered on the primary over TCP; the primary
// stops, the line fails over to a second Kamailio at once; the primary
// comes back, an OPTIONS probe sees it, the line registers there again
// and removes its binding on the backup.
func TestSIPLabFailover(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	bport := startBackupKamailio(ctx, t, l)
	primary := fmt.Sprintf("%s:%d", l.PBX.Addr, l.PBX.TCPPort)
	backup := fmt.Sprintf("%s:%d", l.PBX.Addr, bport)
	u := lab.SIPUsers[0]
	p := startSIPCmd(t, l, "sip-failover", "-registrar", primary, "-backup", backup, "-transport", "tcp",
		"-user", u.User, "-password", u.Password, "-listen", lab.AddrPhone+":5060",
		"-expiry", "10s", "-probe", "1s", "-retry-min", "1s", "-timeout", "3s")
	onPrimary := regexp.MustCompile(`(?m)^REGISTERED expires=10 registrar=` + regexp.QuoteMeta(primary) + `$`)
	onBackup := regexp.MustCompile(`(?m)^REGISTERED expires=10 registrar=` + regexp.QuoteMeta(backup) + `$`)
	waitCount(ctx, t, p, onPrimary, 1)

	if err := l.StopService(lab.SvcKamailio); err != nil {
		t.Fatal(err)
	}
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^REGISTER-FAILED reason=\S+ registrar=`+regexp.QuoteMeta(primary)), 1)
	waitCount(ctx, t, p, onBackup, 1)
	before := len(onPrimary.FindAllString(p.Output(), -1))

	if err := l.StartService(ctx, lab.SvcKamailio); err != nil {
		t.Fatal(err)
	}
	waitCount(ctx, t, p, onPrimary, before+1)
	waitCount(ctx, t, p, regexp.MustCompile(`(?m)^UNREGISTERED registrar=`+regexp.QuoteMeta(backup)+`$`), 1)
}

// TestSIPLabBackoff: without a backup, a line whose registrar stopped
// retries after 1 s, 2 s, 4 s (RetryMin doubling) and registers again once
// the registrar is back.
func TestSIPLabBackoff(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	u := lab.SIPUsers[0]
	p := startSIPCmd(t, l, "sip-backoff", "-registrar", lab.AddrPBX, "-transport", "tcp",
		"-user", u.User, "-password", u.Password, "-listen", lab.AddrPhone+":5060",
		"-expiry", "10s", "-retry-min", "1s", "-timeout", "3s")
	registered := regexp.MustCompile(`(?m)^REGISTERED expires=10 `)
	waitCount(ctx, t, p, registered, 1)
	if err := l.StopService(lab.SvcKamailio); err != nil {
		t.Fatal(err)
	}
	for _, wait := range []string{"1s", "2s", "4s"} {
		waitCount(ctx, t, p, regexp.MustCompile(`(?m)^REGISTER-FAILED reason=\S+ registrar=\S+ retry=`+wait+` `), 1)
	}
	n := len(registered.FindAllString(p.Output(), -1))
	if err := l.StartService(ctx, lab.SvcKamailio); err != nil {
		t.Fatal(err)
	}
	waitCount(ctx, t, p, registered, n+1)
}

// TestSIPLabCheckSync: sipsak's check-sync NOTIFY, straight to the phone
// and relayed by Kamailio to the registered line; with the challenge on:
// 401 without credentials, 200 with the line's password, 401 with a wrong
// one, and 401 for a replayed Authorization (a new request carrying an
// answer already used).
func TestSIPLabCheckSync(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	registered := regexp.MustCompile(`(?m)^REGISTERED expires=`)

	t.Run("open", func(t *testing.T) {
		u := lab.SIPUsers[0]
		p := startSIPCmd(t, l, "sip-cs-open", "-registrar", lab.AddrPBX, "-user", u.User, "-password", u.Password,
			"-listen", lab.AddrPhone+":5060")
		waitCount(ctx, t, p, registered, 1)
		out, err := l.CheckSync(ctx, "sip:"+u.User+"@"+lab.AddrPhone+":5060", false, "")
		if err != nil || !strings.Contains(out, "200 OK") {
			t.Fatalf("direct check-sync: %v\n%s", err, out)
		}
		waitCount(ctx, t, p, regexp.MustCompile(`(?m)^CHECK-SYNC accepted reboot=false$`), 1)
		// Through the registrar: it finds the phone from the binding.
		out, err = l.CheckSync(ctx, "sip:"+u.User+"@"+lab.AddrPBX, true, "")
		if err != nil || !strings.Contains(out, "200 OK") {
			t.Fatalf("check-sync via kamailio: %v\n%s", err, out)
		}
		waitCount(ctx, t, p, regexp.MustCompile(`(?m)^CHECK-SYNC accepted reboot=true$`), 1)
	})

	t.Run("challenge", func(t *testing.T) {
		u := lab.SIPUsers[2]
		target := "sip:" + u.User + "@" + lab.AddrPhone + ":5070"
		p := startSIPCmd(t, l, "sip-cs-challenge", "-registrar", lab.AddrPBX, "-user", u.User, "-password", u.Password,
			"-listen", lab.AddrPhone+":5070", "-challenge-checksync")
		waitCount(ctx, t, p, registered, 1)
		accepted := regexp.MustCompile(`(?m)^CHECK-SYNC accepted reboot=false$`)

		count := func(re *regexp.Regexp) int { return len(re.FindAllString(p.Output(), -1)) }
		noCreds := regexp.MustCompile(`(?m)^CHECK-SYNC rejected reason=no-credentials$`)
		badDigest := regexp.MustCompile(`(?m)^CHECK-SYNC rejected reason=bad-digest$`)

		// No password: 401 (sipsak then tries an empty password: 401 again).
		out, err := l.CheckSync(ctx, target, false, "")
		if err == nil {
			t.Fatalf("no credentials: accepted\n%s", out)
		}
		waitCount(ctx, t, p, noCreds, 1)
		if count(accepted) != 0 {
			t.Fatalf("accepted without credentials:\n%s", p.Output())
		}
		// The right password: 401 ("authorizing"), then 200.
		out, err = l.CheckSync(ctx, target, false, u.Password)
		if err != nil || !strings.Contains(out, "authorizing") || !strings.Contains(out, "200 OK") {
			t.Fatalf("right password: want 401 then 200 (err %v)\n%s", err, out)
		}
		waitCount(ctx, t, p, noCreds, 2)
		waitCount(ctx, t, p, accepted, 1)
		// A wrong password: 401, then 401 again.
		nBad := count(badDigest)
		out, err = l.CheckSync(ctx, target, false, "wrong-password")
		if err == nil {
			t.Fatalf("wrong password accepted:\n%s", out)
		}
		waitCount(ctx, t, p, noCreds, 3)
		waitCount(ctx, t, p, badDigest, nBad+1)

		// Replay: a valid answer, then the same Authorization in a new request.
		c := newNotifier(t, l)
		defer c.Close()
		code, chal := c.notify(ctx, t, target, "")
		if code != 401 {
			t.Fatalf("first NOTIFY: %d, want 401", code)
		}
		auth := digestAnswer(chal, u.User, u.Password, target)
		if code, _ := c.notify(ctx, t, target, auth); code != 200 {
			t.Fatalf("answered NOTIFY: %d, want 200", code)
		}
		if code, _ := c.notify(ctx, t, target, auth); code != 401 {
			t.Fatalf("replayed Authorization: %d, want 401", code)
		}
		waitCount(ctx, t, p, regexp.MustCompile(`(?m)^CHECK-SYNC rejected reason=bad-nonce$`), 1)
		// Relayed by Kamailio: the 401 goes back through it to sipsak, the
		// answer comes through it again.
		out, err = l.CheckSync(ctx, "sip:"+u.User+"@"+lab.AddrPBX, false, u.Password)
		if err != nil || !strings.Contains(out, "200 OK") {
			t.Fatalf("challenged check-sync via kamailio: %v\n%s", err, out)
		}
		waitCount(ctx, t, p, accepted, 3)
		if n := count(accepted); n != 3 {
			t.Errorf("accepted %d check-syncs, want 3 (right password, answered NOTIFY, via kamailio):\n%s", n, p.Output())
		}
	})
}

// notifier sends check-sync NOTIFYs over UDP from the provisioning
// server's address, one new transaction each.
type notifier struct {
	net.PacketConn
	n int
}

func newNotifier(t *testing.T, l *lab.Lab) *notifier {
	t.Helper()
	c, err := lab.ListenPacket(l.ServicesNS, "udp", lab.AddrProv+":0")
	if err != nil {
		t.Fatal(err)
	}
	return &notifier{PacketConn: c}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// notify sends one NOTIFY to target (sip:user@host:port) and returns the
// final status code and the WWW-Authenticate value.
func (c *notifier) notify(ctx context.Context, t *testing.T, target, auth string) (int, string) {
	t.Helper()
	c.n++
	hostport := target[strings.IndexByte(target, '@')+1:]
	dst, err := net.ResolveUDPAddr("udp", hostport)
	if err != nil {
		t.Fatal(err)
	}
	local := c.LocalAddr().String()
	lines := []string{
		"NOTIFY " + target + " SIP/2.0",
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + randHex(8),
		"From: <sip:provisioning@" + lab.AddrProv + ">;tag=" + randHex(4),
		"To: <" + target + ">",
		"Call-ID: " + randHex(8) + "@" + lab.AddrProv,
		fmt.Sprintf("CSeq: %d NOTIFY", c.n),
		"Max-Forwards: 70",
		"Contact: <sip:provisioning@" + local + ">",
		"Event: check-sync;reboot=false",
		"Subscription-State: terminated",
	}
	if auth != "" {
		lines = append(lines, "Authorization: "+auth)
	}
	lines = append(lines, "Content-Length: 0", "", "")
	if _, err := c.WriteTo([]byte(strings.Join(lines, "\r\n")), dst); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		dl, _ := ctx.Deadline()
		_ = c.SetReadDeadline(minTime(dl, time.Now().Add(5*time.Second)))
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			t.Fatalf("NOTIFY response: %v", err)
		}
		var code int
		msg := string(buf[:n])
		if _, err := fmt.Sscanf(msg, "SIP/2.0 %d", &code); err != nil || code < 200 {
			continue
		}
		for _, h := range strings.Split(msg, "\r\n") {
			if name, v, ok := strings.Cut(h, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "WWW-Authenticate") {
				return code, strings.TrimSpace(v)
			}
		}
		return code, ""
	}
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

var reParam = regexp.MustCompile(`(\w+)=(?:"([^"]*)"|([^,\s]+))`)

// digestAnswer is the RFC 2617 MD5 answer (qop=auth when offered) to a
// NOTIFY challenge.
func digestAnswer(chal, user, password, uri string) string {
	p := map[string]string{}
	for _, m := range reParam.FindAllStringSubmatch(chal, -1) {
		p[strings.ToLower(m[1])] = m[2] + m[3]
	}
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1 := h(user + ":" + p["realm"] + ":" + password)
	ha2 := h("NOTIFY:" + uri)
	if !strings.Contains(p["qop"], "auth") {
		return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5`,
			user, p["realm"], p["nonce"], uri, h(ha1+":"+p["nonce"]+":"+ha2))
	}
	cnonce, nc := randHex(8), "00000001"
	resp := h(ha1 + ":" + p["nonce"] + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, qop=auth, nc=%s, cnonce="%s"`,
		user, p["realm"], p["nonce"], uri, resp, nc, cnonce)
}
