package rootfs_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"deskphone/lab"
	"deskphone/provision"
	"deskphone/rootfs"
)

// The boot tests build the images, boot them under QEMU (TCG) and watch
// the phone through QMP: screendumps compared with the LCD's golden frames
// (ui/testdata), keys sent through the virtio keyboard, and the serial
// console (init's and the firmware's logs). The arm64 phone runs on a tap
// in the lab's phone namespace against hostapd + FreeRADIUS, Kamailio,
// dnsmasq and nginx. They need root, QEMU and the cross compilers (make
// image-deps); without them they skip, except under CI=true where they fail.

// The golden frames' bands (320x240): the phone name row, line 1's row,
// the soft key labels, and a menu's title in the top bar (left of the clock).
var (
	bandName     = image.Rect(0, 18, 320, 40)
	bandLine1    = image.Rect(0, 41, 320, 61)
	bandSoftkeys = image.Rect(0, 220, 320, 240)
	bandTitle    = image.Rect(0, 0, 200, 18)
)

// The phone's flash before its first boot: golden idle_registered's phone
// name and line 1, the lab's 802.1X (EAP-MD5) and SIP account, and the
// lab's nginx as the provisioning server.
func labSettings() [][2]string {
	return [][2]string{
		{"phone.name", "Reception"},
		{"sip.line1.enabled", "on"},
		{"sip.line1.label", "1001"},
		{"sip.line1.user", lab.SIPUsers[0].User},
		{"sip.line1.password", lab.SIPUsers[0].Password},
		{"sip.line1.registrar", lab.AddrPBX},
		{"dot1x.mode", "1"},
		{"dot1x.identity", lab.DefaultEAPUsers.MD5.User},
		{"dot1x.password", lab.DefaultEAPUsers.MD5.Password},
		{"provision.server_url", "http://" + lab.AddrProv + "/phone/"},
	}
}

func TestQEMUPhoneARM64(t *testing.T) {
	needImageTools(t, "qemu-system-aarch64", "aarch64-linux-gnu-gcc")
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS, SIP: true, Web: true, DHCP: true})
	root := moduleRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()

	data := t.TempDir()
	configureFlash(t, ctx, root, data, labSettings())
	img := buildImage(t, ctx, root, "arm64", data)
	if _, err := l.AttachPhoneTap("tap0"); err != nil {
		t.Fatal(err)
	}
	idle, security := golden(t, root, "idle_registered_320x240.png"), golden(t, root, "security_320x240.png")

	// Boot 1: idle screen, 802.1X, registration, the Security menu.
	vm := bootVM(t, ctx, l, img, "tap0")
	tIdle := vm.waitScreen(t, ctx, "the idle screen", func(s image.Image) bool {
		return sameBand(s, idle, bandName) && sameBand(s, idle, bandSoftkeys)
	})
	// Authenticated: the supplicant says so on the console (stamped when
	// QEMU printed it), and hostapd agrees.
	tAuth := vm.waitConsole(t, ctx, `msg="802.1X state" component=dot1x state=authenticated method=MD5`)
	for {
		if ok, _ := l.Authorized(lab.MACPhoneLAN.String()); ok {
			break
		}
		if ctx.Err() != nil || vm.exited() {
			t.Fatalf("hostapd never authorized the phone\n%s", vm.console.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	tReg := vm.waitScreen(t, ctx, "line 1 registered", func(s image.Image) bool { return sameBand(s, idle, bandLine1) })
	// The handset: QEMU's USB sound card, enumerated by the image's kernel.
	vm.waitConsole(t, ctx, `msg="init: sound cards" prog=init cards="[USB-Audio - QEMU USB Audio]"`)
	// The root went read-only, the flash mounted, every module loaded.
	if _, bad := vm.console.find(regexp.MustCompile(`level=ERROR msg="init: `)); bad {
		t.Errorf("init reported errors:\n%s", vm.console.String())
	}
	t.Logf("FIGURES arm64 TCG: QEMU start to idle screen %.1f s, to 802.1X authenticated %.1f s, to registered %.1f s",
		tIdle.Seconds(), tAuth.Seconds(), tReg.Seconds())

	// MENU, Security (third), the admin password by multi-tap, OK.
	if err := vm.qmp.PressKeys(ctx, 120*time.Millisecond,
		"home", "down", "down", "ret", "2", "3", "6", "4", "4", "4", "6", "6", "ret"); err != nil {
		t.Fatal(err)
	}
	vm.waitScreen(t, ctx, "the Security menu", func(s image.Image) bool { return sameBand(s, security, bandTitle) })
	vm.stop(t)

	// Boot 2: provisioning offers a signed 1.0.1; the phone installs it in
	// slot b, restarts into it, and marks it good once line 1 registers.
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "fw-1.0.1")
	if err := rootfs.BuildFirmware(ctx, root, img.Arch, "1.0.1", false, good); err != nil {
		t.Fatal(err)
	}
	publishFirmware(t, l, pub, key, "1.0.1", good)
	vm = bootVM(t, ctx, l, img, "tap0")
	vm.waitConsole(t, ctx, `msg="new firmware installed: restarting into it" slot=b version=1.0.1`)
	vm.waitConsole(t, ctx, `msg="init: booting firmware" prog=init boot=2 slot=b version=1.0.1 trial=true attempt=1`)
	vm.waitConsole(t, ctx, `version="deskphone firmware 1.0.1 `)
	vm.waitConsole(t, ctx, `msg="line 1 registered: firmware slot marked good" slot=b`)
	vm.stop(t)

	// Boot 3: a broken 1.0.2 (it exits at once) is installed in slot a,
	// fails its boots, and the next boot rolls back to slot b's 1.0.1.
	broken := buildBrokenFirmware(t, ctx, img.Arch)
	publishFirmware(t, l, pub, key, "1.0.2", broken)
	vm = bootVM(t, ctx, l, img, "tap0")
	vm.waitConsole(t, ctx, `msg="init: booting firmware" prog=init boot=1 slot=b version=1.0.1 trial=false`)
	vm.waitConsole(t, ctx, `msg="init: booting firmware" prog=init boot=2 slot=a version=1.0.2 trial=true attempt=1`)
	vm.waitConsole(t, ctx, `broken firmware: exiting`)
	vm.waitConsole(t, ctx, `msg="init: the new firmware never reached service: rolled back" prog=init slot=b`)
	vm.waitConsole(t, ctx, `msg="init: booting firmware" prog=init boot=5 slot=b version=1.0.1 trial=false`)
	vm.stop(t)

	for _, f := range []string{img.Kernel, img.Initrd, img.Data, img.Firmware} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("FIGURES arm64 size: %s %.2f MiB", filepath.Base(f), float64(fi.Size())/(1<<20))
	}
}

// The armv7 image boots to the idle screen (user-mode network, no lab).
func TestQEMUPhoneARMv7Idle(t *testing.T) {
	needImageTools(t, "qemu-system-arm", "arm-linux-gnueabihf-gcc")
	root := moduleRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	data := t.TempDir()
	configureFlash(t, ctx, root, data, [][2]string{{"phone.name", "Reception"}, {"sip.line1.enabled", "on"}, {"sip.line1.label", "1001"}})
	img := buildImage(t, ctx, root, "armv7", data)
	idle := golden(t, root, "idle_registered_320x240.png")
	vm := bootVM(t, ctx, nil, img, "")
	tIdle := vm.waitScreen(t, ctx, "the idle screen", func(s image.Image) bool {
		return sameBand(s, idle, bandName) && sameBand(s, idle, bandSoftkeys)
	})
	t.Logf("FIGURES armv7 TCG: QEMU start to idle screen %.1f s", tIdle.Seconds())
	vm.stop(t)
	for _, f := range []string{img.Kernel, img.Initrd, img.Firmware} {
		if fi, err := os.Stat(f); err == nil {
			t.Logf("FIGURES armv7 size: %s %.2f MiB", filepath.Base(f), float64(fi.Size())/(1<<20))
		}
	}
}

// needImageTools skips without root or the image's tools, failing in CI.
func needImageTools(t *testing.T, tools ...string) {
	t.Helper()
	var missing []string
	for _, tool := range append(tools, "mke2fs", "depmod", "dpkg-deb", "apt-get") {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	why := ""
	switch {
	case os.Geteuid() != 0:
		why = "needs root (network namespaces, apt-get download)"
	case len(missing) > 0:
		why = fmt.Sprintf("missing %v: run make image-deps", missing)
	}
	if why == "" {
		return
	}
	if lab.InCI() {
		t.Fatal(why)
	}
	t.Skip(why)
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// configureFlash writes settings into a flash directory with the host's
// own firmware (`firmware settings set`), as a technician's bench would.
func configureFlash(t *testing.T, ctx context.Context, root, data string, settings [][2]string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "firmware")
	if out, err := exec.CommandContext(ctx, "go", "build", "-C", root, "-o", bin, "./firmware").CombinedOutput(); err != nil {
		t.Fatalf("build the host firmware: %v\n%s", err, out)
	}
	for _, s := range settings {
		if out, err := exec.CommandContext(ctx, bin, "settings", "-data", data, "set", s[0], s[1]).CombinedOutput(); err != nil {
			t.Fatalf("settings set %s: %v\n%s", s[0], err, out)
		}
	}
}

func buildImage(t *testing.T, ctx context.Context, root, arch, data string) *rootfs.Image {
	t.Helper()
	a, err := rootfs.LookupArch(arch)
	if err != nil {
		t.Fatal(err)
	}
	img, err := rootfs.Build(ctx, rootfs.Config{Arch: a, Out: filepath.Join(t.TempDir(), arch),
		Cache: filepath.Join(root, "build", "debs"), Module: root, Version: "1.0.0", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// buildBrokenFirmware is a firmware that exits at once.
func buildBrokenFirmware(t *testing.T, ctx context.Context, a rootfs.Arch) string {
	t.Helper()
	dir := t.TempDir()
	src := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfmt.Println(\"broken firmware: exiting\")\n\tos.Exit(1)\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module broken\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "broken")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+a.GOARCH, "GOARM="+a.GOARM)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the broken firmware: %v\n%s", err, b)
	}
	return out
}

// publishFirmware puts on the lab's nginx an Avaya master naming a
// self-signed trust list whose signer may sign firmware, and the image with
// its signed manifest.
func publishFirmware(t *testing.T, l *lab.Lab, pub ed25519.PublicKey, key ed25519.PrivateKey, version, bin string) {
	t.Helper()
	img, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := provision.Sign(key, provision.Manifest{Version: version, Hardware: "1230",
		Length: int64(len(img)), SHA256: sha256.Sum256(img)}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := provision.Sign(key, (&provision.TrustList{Kind: "CTL", Version: 1,
		Signers: []provision.Signer{{Key: pub, Roles: []string{provision.RoleTrustList, provision.RoleFirmware}}}}).Encode())
	if err != nil {
		t.Fatal(err)
	}
	name := "fw/phone-" + version + ".bin"
	files := map[string][]byte{
		"phone/1230SIP.cfg":     fmt.Appendf(nil, "[CTL]\nVERSION 1\nFILENAME site.ctl\n[FW]\nVERSION %s\nFILENAME %s\n", version, name),
		"phone/site.ctl":        ctl,
		"phone/" + name:         img,
		"phone/" + name + ".mf": mf,
	}
	for n, b := range files {
		p := filepath.Join(l.Prov.Root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func golden(t *testing.T, root, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "ui", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

// sameBand says whether two frames have the same 1-bit pixels in r (the
// LCD is monochrome: dark below half brightness).
func sameBand(a, b image.Image, r image.Rectangle) bool {
	if !r.In(a.Bounds()) || !r.In(b.Bounds()) {
		return false
	}
	dark := func(img image.Image, x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r+g+b < 3*0x8000
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if dark(a, x, y) != dark(b, x, y) {
				return false
			}
		}
	}
	return true
}

// vm is one QEMU boot of an image.
type vm struct {
	cmd     *exec.Cmd
	qmp     *rootfs.QMP
	console *console
	start   time.Time
	done    chan struct{}
	dir     string
}

func bootVM(t *testing.T, ctx context.Context, l *lab.Lab, img *rootfs.Image, tap string) *vm {
	t.Helper()
	dir, err := os.MkdirTemp("", "qemu")
	if err != nil {
		t.Fatal(err)
	}
	m := rootfs.MachineConfig{Image: img, Tap: tap, QMP: filepath.Join(dir, "qmp.sock")}
	if l != nil {
		m.MAC = lab.MACPhoneLAN // the lab's switch knows the phone by lan0's address
	}
	args := append([]string{img.Arch.QEMU}, m.Args()...)
	var cmd *exec.Cmd
	if l != nil {
		cmd = l.Command(ctx, l.PhoneNS, args...)
	} else {
		cmd = exec.CommandContext(ctx, args[0], args[1:]...)
	}
	v := &vm{cmd: cmd, console: &console{}, done: make(chan struct{}), dir: dir}
	cmd.Stdout, cmd.Stderr = v.console, v.console
	v.start = time.Now()
	v.console.start = v.start
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(v.done) }()
	t.Cleanup(func() { v.kill(); os.RemoveAll(dir) })
	qctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if v.qmp, err = rootfs.DialQMP(qctx, m.QMP); err != nil {
		t.Fatalf("%v\n%s", err, v.console.String())
	}
	return v
}

func (v *vm) exited() bool {
	select {
	case <-v.done:
		return true
	default:
		return false
	}
}

func (v *vm) kill() {
	if !v.exited() {
		v.cmd.Process.Kill()
		<-v.done
	}
	if v.qmp != nil {
		v.qmp.Close()
	}
}

// stop quits QEMU: the phone loses power (its flash writes are fsynced).
func (v *vm) stop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v.qmp.Do(ctx, "quit", nil)
	select {
	case <-v.done:
	case <-ctx.Done():
	}
	v.kill()
	if t.Failed() || testing.Verbose() {
		t.Logf("console:\n%s", v.console.String())
	}
}

// waitScreen polls screendumps until ok says the frame shows what is
// wanted, and returns the time since QEMU started.
func (v *vm) waitScreen(t *testing.T, ctx context.Context, what string, ok func(image.Image) bool) time.Duration {
	t.Helper()
	var last image.Image
	for {
		s, err := v.qmp.Screendump(ctx)
		if err == nil {
			last = s
			if ok(s) {
				return time.Since(v.start)
			}
		}
		if ctx.Err() != nil || v.exited() {
			if last != nil {
				p := filepath.Join(os.TempDir(), "qemu-"+strings.ReplaceAll(t.Name(), "/", "_")+".got.png")
				var b bytes.Buffer
				png.Encode(&b, last)
				os.WriteFile(p, b.Bytes(), 0o644)
				t.Logf("last screen: %s", p)
			}
			t.Fatalf("never saw %s (%v)\nconsole:\n%s", what, err, v.console.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waitConsole waits for a console line containing s.
func (v *vm) waitConsole(t *testing.T, ctx context.Context, s string) time.Duration {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(s))
	for {
		if d, ok := v.console.find(re); ok {
			return d
		}
		if ctx.Err() != nil || v.exited() {
			t.Fatalf("never saw %q on the console\n%s", s, v.console.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// console keeps QEMU's serial output, each line stamped with the time since
// QEMU started.
type console struct {
	mu      sync.Mutex
	start   time.Time
	partial []byte
	lines   []stamped
}

type stamped struct {
	at   time.Duration
	text string
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		c.lines = append(c.lines, stamped{time.Since(c.start), strings.TrimRight(string(c.partial[:i]), "\r")})
		c.partial = c.partial[i+1:]
	}
	return len(p), nil
}

func (c *console) find(re *regexp.Regexp) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if re.MatchString(l.text) {
			return l.at, true
		}
	}
	return 0, false
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, l := range c.lines {
		fmt.Fprintf(&b, "[%7.3f] %s\n", l.at.Seconds(), l.text)
	}
	return b.String()
}
