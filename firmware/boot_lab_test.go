package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/lab"
	"deskphone/status"
	"deskphone/ui"
	"deskphone/ui/lcd"
)

// screen is the LCD's current frame.
func (p *labPhone) screen(t testing.TB) image.Image {
	t.Helper()
	resp, err := p.api.Client.Get(p.api.URL + "api/screen.png")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	img, err := png.Decode(resp.Body)
	if err != nil {
		t.Fatalf("screen capture: %v", err)
	}
	return img
}

// waitScreen waits until the LCD shows text (in the simulator's font).
func (p *labPhone) waitScreen(t testing.TB, text string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		img := p.screen(t)
		if screenShows(img, text) {
			return
		}
		if time.Now().After(deadline) {
			var b bytes.Buffer
			png.Encode(&b, img)
			path := filepath.Join(os.TempDir(), fmt.Sprintf("boot-lab-screen-%d.png", time.Now().UnixNano()))
			os.WriteFile(path, b.Bytes(), 0o644)
			t.Fatalf("the LCD never showed %q (last frame: %s)", text, path)
		}
	}
}

// screenShows finds text, drawn in the simulator LCD's font, anywhere in
// img: every pixel of the rendered words must match, ink and paper.
func screenShows(img image.Image, text string) bool {
	b := img.Bounds()
	font := ui.ThemeFor(hal.DisplayInfo{Width: b.Dx(), Height: b.Dy()}).Font
	w, h := font.Width(text), font.Height()
	c := lcd.NewCanvas(w, h)
	c.Clear()
	c.Text(0, font.Ascent-1, font, text, lcd.Black)
	dark := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return (r+g+bl)/3 < 0x8000
	}
	for oy := b.Min.Y; oy+h <= b.Max.Y; oy++ {
	next:
		for ox := b.Min.X; ox+w <= b.Max.X; ox++ {
			for y := range h {
				for x := range w {
					if dark(ox+x, oy+y) != (c.At(x, y) == lcd.Black) {
						continue next
					}
				}
			}
			return true
		}
	}
	return false
}

// serveProvisioning puts the Htek per-model file that gives line 1 its
// registrar and password under Prov.Root/dir.
func serveProvisioning(t testing.TB, l *lab.Lab, dir, label string) {
	t.Helper()
	u := lab.SIPUsers[0]
	body := `<?xml version="1.0" encoding="UTF-8" ?>
<hl_provision version="1">
  <config version="1">
    <P271 para="Account1.Active">1</P271>
    <P270 para="Account1.Label">` + label + `</P270>
    <P35 para="Account1.SipUserId">` + u.User + `</P35>
    <P36 para="Account1.AuthenticateID">` + u.User + `</P36>
    <P34 para="Account1.Password">` + u.Password + `</P34>
    <P47 para="Account1.SipServer">` + lab.HostPBX + `</P47>
    <P48 para="Account1.SipServerPort">5060</P48>
  </config>
</hl_provision>
`
	path := filepath.Join(l.Prov.Root, dir, "cfg"+phoneModel+".xml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeConfig writes a settings file for -config.
func writeConfig(t testing.TB, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "phone.cfg")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startBootLab starts the lab of the boot tests: 802.1X by FreeRADIUS,
// DHCP, Kamailio and the provisioning server, which serves the line
// labelled "Reception" under phones/.
func startBootLab(t testing.TB) *lab.Lab {
	t.Helper()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS, SIP: true, Web: true, DHCP: true})
	serveProvisioning(t, l, "phones", "Reception")
	return l
}

// bootConfig is the settings file of a phone given only its EAP-MD5 login
// (with password) and the provisioning URL of startBootLab.
func bootConfig(t testing.TB, l *lab.Lab, password string) string {
	t.Helper()
	return writeConfig(t, "dot1x.mode = 1", "dot1x.identity = "+l.EAP.MD5.User, "dot1x.password = "+password,
		fmt.Sprintf("provision.server_url = http://%s:%d/phones/", l.Prov.Addr, l.Prov.HTTPPort))
}

func inService(p status.Phone) bool {
	return p.Network.Stage == "ready" && p.Network.IP != "" && len(p.Lines) > 0 &&
		p.Lines[0].State == status.LineRegistered && p.Inoperable == ""
}

// leased says whether ip is in the lab's DHCP range.
func leased(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Compare(netip.MustParseAddr(lab.DHCPFirst)) >= 0 && a.Compare(netip.MustParseAddr(lab.DHCPLast)) <= 0
}

// phoneHasAddress says whether lan0 in the phone namespace carries ip.
func phoneHasAddress(t testing.TB, l *lab.Lab, ip string) bool {
	t.Helper()
	out, err := l.Exec(l.PhoneNS, "ip", "-4", "-o", "addr", "show", "dev", l.PhoneLAN.Name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(out, " "+ip+"/")
}

func flapLink(t testing.TB, l *lab.Lab, p *labPhone) {
	t.Helper()
	flapDown(t, l, p)
	if err := l.SetLink(l.PhoneLAN, true); err != nil {
		t.Fatal(err)
	}
}

// TestBootLab is the whole phone against the lab with 802.1X (EAP-MD5 via
// FreeRADIUS), DHCP, the provisioning server and Kamailio: given only its
// 802.1X login and a provisioning URL it reaches service; then each fault
// is injected and removed in turn, and the phone ends where an admin
// expects and comes back by itself.
func TestBootLab(t *testing.T) {
	t.Parallel()
	l := startBootLab(t)
	p := startLabPhone(t, l, phoneOptions{config: bootConfig(t, l, l.EAP.MD5.Password)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	st := p.waitStatus(t, "in service", 60*time.Second, inService)
	if st.Dot1X.State != status.Dot1XAuthenticated || !leased(st.Network.IP) || st.Provision.Result != "ok" || st.Lines[0].Label != "Reception" {
		t.Fatalf("in service but: dot1x %+v, network %+v, provision %+v, line %+v", st.Dot1X, st.Network, st.Provision, st.Lines[0])
	}
	if !phoneHasAddress(t, l, st.Network.IP) {
		t.Errorf("lan0 does not carry %s", st.Network.IP)
	}
	p.waitScreen(t, "Reception")
	p.waitScreen(t, "Registered")
	pid := p.cmd.Process.Pid
	t.Cleanup(func() {
		for _, secret := range []string{l.EAP.MD5.Password, lab.SIPUsers[0].Password} {
			if strings.Contains(p.logs.String(), secret) {
				t.Errorf("the phone's log shows a password")
			}
		}
	})

	t.Run("check-sync applies a changed file live", func(t *testing.T) {
		serveProvisioning(t, l, "phones", "Front desk")
		target := "sip:" + lab.SIPUsers[0].User + "@" + st.Network.IP + ":5060"
		if out, err := l.CheckSync(ctx, target, false, ""); err != nil || !strings.Contains(out, "200 OK") {
			t.Fatalf("check-sync: %v\n%s", err, out)
		}
		p.waitStatus(t, "relabelled by the check-sync", 30*time.Second, func(s status.Phone) bool {
			return inService(s) && s.Lines[0].Label == "Front desk"
		})
		p.waitScreen(t, "Front desk")
		if p.cmd.Process.Pid != pid || strings.Contains(p.logs.String(), "rebooting") {
			t.Error("the phone rebooted for a change that applies live")
		}
	})

	t.Run("check-sync with reboot=true restarts the phone", func(t *testing.T) {
		target := "sip:" + lab.SIPUsers[0].User + "@" + st.Network.IP + ":5060"
		if out, err := l.CheckSync(ctx, target, true, ""); err != nil || !strings.Contains(out, "200 OK") {
			t.Fatalf("check-sync: %v\n%s", err, out)
		}
		// The simulator's reboot: every component stops, then the process
		// executes itself again (same pid) and boots through the flow.
		for deadline := time.Now().Add(30 * time.Second); strings.Count(p.logs.String(), "msg=starting") < 2; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the phone did not start again after check-sync reboot=true")
			}
		}
		if !strings.Contains(p.logs.String(), "reboot: starting again") {
			t.Error("no reboot in the log")
		}
		// The line unregistered before the phone went: the address and the
		// 802.1X port were still there.
		if !strings.Contains(p.logs.String(), `msg="sip unregistered" line=1`) {
			t.Error("the line did not unregister before the reboot")
		}
		p.waitStatus(t, "back in service after the reboot", 60*time.Second, inService)
	})

	t.Run("link down and up", func(t *testing.T) {
		before, _ := p.status()
		flapLink(t, l, p)
		s := p.waitStatus(t, "at stage link", time.Second, func(s status.Phone) bool { return s.Network.Stage == "link" })
		if len(s.Lines) > 0 && s.Lines[0].State == status.LineRegistered {
			t.Errorf("line still registered with the link down: %+v", s.Lines[0])
		}
		if phoneHasAddress(t, l, before.Network.IP) {
			// The link may already be back up with a new lease of the same
			// address; what matters is the flow restarted. Not an error.
			t.Logf("address %s present again after link up", before.Network.IP)
		}
		p.waitStatus(t, "back in service after link up", 60*time.Second, inService)
	})

	t.Run("DHCP server stopped", func(t *testing.T) {
		if err := l.StopService(lab.SvcDHCP); err != nil {
			t.Fatal(err)
		}
		flapLink(t, l, p)
		s := p.waitStatus(t, "saying there is no DHCP answer", 60*time.Second, func(s status.Phone) bool {
			return s.Network.Stage == "address" && strings.Contains(s.Network.Error, "no DHCP answer")
		})
		if s.Network.IP != "" || len(s.Lines) > 0 && s.Lines[0].State == status.LineRegistered {
			t.Errorf("without a lease: network %+v, line %+v", s.Network, s.Lines)
		}
		p.waitScreen(t, "no DHCP answer")
		p.waitStatus(t, "still trying", 60*time.Second, func(s status.Phone) bool {
			return strings.Contains(s.Network.Error, "attempt 2")
		})
		if err := l.StartService(ctx, lab.SvcDHCP); err != nil {
			t.Fatal(err)
		}
		p.waitStatus(t, "back in service once DHCP answers", 90*time.Second, inService)
	})

	t.Run("provisioning server stopped", func(t *testing.T) {
		if err := l.StopService(lab.SvcNginx); err != nil {
			t.Fatal(err)
		}
		flapLink(t, l, p)
		s := p.waitStatus(t, "in service on the last good configuration", 60*time.Second, func(s status.Phone) bool {
			return inService(s) && s.Provision.Result == "failed" && strings.Contains(s.Network.Error, "last good configuration")
		})
		if s.Lines[0].Label != "Front desk" {
			t.Errorf("the last good configuration was not kept: %+v", s.Lines[0])
		}
		p.waitScreen(t, "Registered")
		if err := l.StartService(ctx, lab.SvcNginx); err != nil {
			t.Fatal(err)
		}
		target := "sip:" + lab.SIPUsers[0].User + "@" + s.Network.IP + ":5060"
		if out, err := l.CheckSync(ctx, target, false, ""); err != nil || !strings.Contains(out, "200 OK") {
			t.Fatalf("check-sync: %v\n%s", err, out)
		}
		p.waitStatus(t, "provisioned again", 30*time.Second, func(s status.Phone) bool {
			return inService(s) && s.Provision.Result == "ok" && s.Network.Error == ""
		})
	})

	t.Run("registrar stopped", func(t *testing.T) {
		if err := l.StopService(lab.SvcKamailio); err != nil {
			t.Fatal(err)
		}
		flapLink(t, l, p)
		s := p.waitStatus(t, "registering with the registrar's failure", 60*time.Second, func(s status.Phone) bool {
			return s.Network.Stage == "registering" && s.Network.Error != "" && len(s.Lines) > 0 && s.Lines[0].State == status.LineFailed
		})
		t.Logf("registrar down: %q", s.Network.Error)
		if err := l.StartService(ctx, lab.SvcKamailio); err != nil {
			t.Fatal(err)
		}
		p.waitStatus(t, "registered again once the registrar is back", 90*time.Second, inService)
	})

}

// TestBootLabReauth: FreeRADIUS stops and the switch re-authenticates the
// phone: it goes out of service (address and lines down, the LCD says
// why) and comes back by itself once FreeRADIUS answers again. Its own lab,
// beside TestBootLab: the supplicant's timers make it the longest part.
func TestBootLabReauth(t *testing.T) {
	t.Parallel()
	l := startBootLab(t)
	p := startLabPhone(t, l, phoneOptions{config: bootConfig(t, l, l.EAP.MD5.Password)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	before := p.waitStatus(t, "in service", 60*time.Second, inService)
	if err := l.StopService(lab.SvcRADIUS); err != nil {
		t.Fatal(err)
	}
	if _, err := l.HostapdCLI("raw", "EAPOL_REAUTH", l.PhoneLAN.MAC); err != nil {
		t.Fatal(err)
	}
	s := p.waitStatus(t, "inoperable", 90*time.Second, func(s status.Phone) bool {
		return s.Inoperable != "" && s.Network.Stage == "802.1x" && s.Network.IP == ""
	})
	if len(s.Lines) > 0 && s.Lines[0].State == status.LineRegistered {
		t.Errorf("line registered while inoperable: %+v", s.Lines[0])
	}
	if phoneHasAddress(t, l, before.Network.IP) {
		t.Errorf("lan0 keeps %s while the port is closed", before.Network.IP)
	}
	// "Out of service" is drawn large, in white on black: the reason
	// under it is in the LCD's font.
	p.waitScreen(t, "authentication server not answering")
	if err := l.StartService(ctx, lab.SvcRADIUS); err != nil {
		t.Fatal(err)
	}
	// The supplicant's timers set the pace: 30 s without an EAP request,
	// then 60 s held, then a new authentication.
	p.waitStatus(t, "back by itself once RADIUS answers", 240*time.Second, inService)
}

// TestBootLabOption160: a factory-fresh phone with nothing configured finds
// its provisioning server in DHCP option 160 (a host name, resolved
// through the DNS server of option 6) and reaches service.
func TestBootLabOption160(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{SIP: true, Web: true, DHCP: true})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := l.SetDHCP(ctx, func(d *lab.DHCP) { d.Option160 = "http://" + lab.HostProv + "/by-dhcp/" }); err != nil {
		t.Fatal(err)
	}
	serveProvisioning(t, l, "by-dhcp", "Option 160")
	p := startLabPhone(t, l, phoneOptions{})
	st := p.waitStatus(t, "in service", 60*time.Second, inService)
	if st.Lines[0].Label != "Option 160" || !strings.Contains(st.Provision.Server, lab.HostProv) || st.Dot1X.State != status.Dot1XDisabled {
		t.Errorf("in service but: provision %+v, line %+v, dot1x %+v", st.Provision, st.Lines[0], st.Dot1X)
	}
	p.waitScreen(t, "Option 160")
}

// TestBootLabWrongPassword: a wrong 802.1X password keeps the phone off
// the network with the reason on the LCD and the 802.1X menu one key away;
// the password corrected there brings it into service.
func TestBootLabWrongPassword(t *testing.T) {
	t.Parallel()
	l := startBootLab(t)
	wrong := "Wrong-" + l.EAP.MD5.Password
	p := startLabPhone(t, l, phoneOptions{config: bootConfig(t, l, wrong)})
	s := p.waitStatus(t, "refused by 802.1X", 60*time.Second, func(s status.Phone) bool {
		return s.Dot1X.State == status.Dot1XFailed || s.Dot1X.State == status.Dot1XHeld
	})
	s = p.waitStatus(t, "at stage 802.1x with the reason", 10*time.Second, func(s status.Phone) bool {
		return s.Network.Stage == "802.1x" && strings.HasPrefix(s.Network.Error, "802.1X: ") && s.Inoperable != ""
	})
	if s.Network.IP != "" {
		t.Errorf("an address without 802.1X: %+v", s.Network)
	}
	if strings.Contains(p.logs.String(), wrong) {
		t.Error("the log shows the password")
	}
	p.waitScreen(t, "802.1X: server rejected") // the reason, under "Out of service"
	p.waitScreen(t, "802.1X")                  // the softkey
	// The softkey under "802.1X" opens the form behind the admin password;
	// a secret field starts empty: the whole password is typed again.
	p.press(t, "SOFT3 "+typeAdmin+" OK DOWN DOWN OK 6 3 5 5 5 5 7 2 7 7 7 7") // md5pa s...
	time.Sleep(1200 * time.Millisecond)                                       // the multi-tap pause commits the first s
	p.press(t, "7 7 7 7 OK SOFT1")
	p.waitStatus(t, "in service with the corrected password", 150*time.Second, inService)
}

// stageLine is the flow's log line for each stage it enters.
var stageLine = regexp.MustCompile(`msg="boot stage" stage=(\S+) since_link_up=(\S+)`)

// bootStages reads, from the phone's log after a link up, when each stage
// began (as the phone measured it from link up).
func bootStages(log string) map[string]time.Duration {
	if i := strings.LastIndex(log, `msg="boot: link up"`); i >= 0 {
		log = log[i:]
	}
	out := map[string]time.Duration{}
	for _, m := range stageLine.FindAllStringSubmatch(log, -1) {
		d, err := time.ParseDuration(m[2])
		if err != nil {
			continue
		}
		if _, seen := out[m[1]]; !seen {
			out[m[1]] = d
		}
	}
	return out
}

// BenchmarkBootLab is `make bench-boot`: link up to registered, ten times
// over, on the phone with 802.1X (EAP-MD5 via FreeRADIUS), DHCP, HTTP
// provisioning and Kamailio; the median and each stage's share, and the
// firmware's resident memory once registered. It prints a table.
func BenchmarkBootLab(b *testing.B) {
	runs := 10
	if v, err := strconv.Atoi(os.Getenv("BOOT_RUNS")); err == nil && v > 0 {
		runs = v
	}
	l := startBootLab(b)
	p := startLabPhone(b, l, phoneOptions{config: bootConfig(b, l, l.EAP.MD5.Password)})
	p.waitStatus(b, "in service", 60*time.Second, inService)

	stages := []string{"802.1x", "address", "time", "provisioning", "registering", "ready"}
	var total, outside, noticed []time.Duration
	share := map[string][]time.Duration{}
	for b.Loop() {
		for range runs {
			flapDown(b, l, p)
			start := time.Now()
			if err := l.SetLink(l.PhoneLAN, true); err != nil {
				b.Fatal(err)
			}
			p.waitStatus(b, "in service", 60*time.Second, inService)
			outside = append(outside, time.Since(start))
			if seen, ok := linkUpSeen(p.logs.String()); ok {
				noticed = append(noticed, seen.Sub(start))
			}
			at := bootStages(p.logs.String())
			ready, ok := at["ready"]
			if !ok {
				b.Fatalf("no ready stage in the log after link up: %v", at)
			}
			total = append(total, ready)
			for i, s := range stages[:len(stages)-1] {
				from, ok := at[s]
				if !ok {
					continue // a stage the phone skipped (no SNTP server: no time stage)
				}
				to := ready
				for _, n := range stages[i+1:] {
					if t, ok := at[n]; ok {
						to = t
						break
					}
				}
				share[s] = append(share[s], to-from)
			}
		}
	}
	mem, err := lab.ProcessMemory(p.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	med := median(total)
	fmt.Printf("\nlink up -> registered, %d runs (802.1X EAP-MD5 via FreeRADIUS, DHCP, HTTP provisioning, Kamailio UDP)\n", len(total))
	fmt.Printf("%-26s %12s %12s %8s\n", "stage", "median", "max", "share")
	for _, s := range stages[:len(stages)-1] {
		if len(share[s]) == 0 {
			fmt.Printf("%-26s %12s %12s %8s\n", s, "skipped", "-", "-")
			continue
		}
		m := median(share[s])
		fmt.Printf("%-26s %12s %12s %7.1f%%\n", s, m.Round(time.Microsecond), slices.Max(share[s]).Round(time.Microsecond),
			100*float64(m)/float64(med))
	}
	fmt.Printf("%-26s %12s %12s\n", "total (phone's clock)", med.Round(time.Microsecond), slices.Max(total).Round(time.Microsecond))
	fmt.Printf("%-26s %12s %12s\n", "total (seen by the test)", median(outside).Round(time.Millisecond), slices.Max(outside).Round(time.Millisecond))
	if len(noticed) > 0 {
		// The kernel's linkwatch batches carrier changes (at most one run a
		// second, machine-wide): most of this row is that wait, not the phone.
		fmt.Printf("%-26s %12s %12s\n", "ip link up -> phone sees it", median(noticed).Round(time.Millisecond), slices.Max(noticed).Round(time.Millisecond))
	}
	fmt.Printf("firmware resident memory once registered: RSS %d kB (peak %d kB)\n", mem.RSS, mem.HWM)
	b.ReportMetric(float64(med.Microseconds())/1000, "ms-to-registered")
	b.ReportMetric(float64(mem.RSS), "kB-RSS")
}

// linkUpSeen is when the phone logged its last link up.
func linkUpSeen(log string) (time.Time, bool) {
	i := strings.LastIndex(log, `msg="boot: link up"`)
	if i < 0 {
		return time.Time{}, false
	}
	line := log[strings.LastIndex(log[:i], "\n")+1 : i]
	ts, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "time="), " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	return t, err == nil
}

// flapDown takes the phone's link down and waits until the phone saw it.
func flapDown(t testing.TB, l *lab.Lab, p *labPhone) {
	t.Helper()
	if err := l.SetLink(l.PhoneLAN, false); err != nil {
		t.Fatal(err)
	}
	p.waitStatus(t, "at stage link after link down", 30*time.Second, func(s status.Phone) bool {
		return s.Network.Stage == "link" && s.Network.IP == "" && (len(s.Lines) == 0 || s.Lines[0].State != status.LineRegistered)
	})
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
