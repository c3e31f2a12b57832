package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"deskphone/status"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// buildFirmware builds the binary once per test run (benchmarks share it).
func buildFirmware(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "firmware-test")
		if buildErr != nil {
			return
		}
		// Built as `make build` builds it, so memory figures are the product's.
		out, err := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(buildDir, "firmware"), ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "firmware")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// phone is a running `firmware run` on the simulator board.
type phone struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

func startPhone(t *testing.T, bin, data string, extra ...string) *phone {
	t.Helper()
	args := append([]string{"run", "-board", "sim", "-data", data, "-http", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &phone{cmd: cmd, logs: &bytes.Buffer{}}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("phone log:\n%s", p.logs)
		}
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`url=(http://[0-9.:]+/)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.logs.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case p.url = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("the phone did not announce its page")
	}
	return p
}

func (p *phone) status(t *testing.T) status.Phone {
	t.Helper()
	resp, err := http.Get(p.url + "api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s status.Phone
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("status: %v", err)
	}
	return s
}

func (p *phone) screen(t *testing.T, after string) ([]byte, string) {
	t.Helper()
	resp, err := http.Get(p.url + "api/screen.png" + after)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("screen: %v", err)
	}
	return b, resp.Header.Get("X-Frame")
}

func TestRunServesThePhoneAndStopsOnSIGTERM(t *testing.T) {
	bin := buildFirmware(t)
	p := startPhone(t, bin, t.TempDir())

	st := p.status(t)
	if st.Firmware == "" || st.Board != "sim" || st.Dot1X.State != status.Dot1XDisabled {
		t.Fatalf("status = %+v", st)
	}
	// The default configuration enables line 1 without a registrar: the
	// SIP engine publishes it as failed, saying so.
	for deadline := time.Now().Add(10 * time.Second); len(st.Lines) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		st = p.status(t)
	}
	if len(st.Lines) == 0 || st.Lines[0].Label != "1001" || st.Lines[0].State != status.LineFailed ||
		!strings.Contains(st.Lines[0].Reason, "registrar") {
		t.Fatalf("line 1 in status: %+v", st.Lines)
	}

	before, _ := p.screen(t, "")
	resp, err := http.Post(p.url+"api/keys", "text/plain", strings.NewReader("MENU"))
	if err != nil {
		t.Fatal(err)
	}
	var reply struct{ Frame uint64 }
	json.NewDecoder(resp.Body).Decode(&reply)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /api/keys: %s", resp.Status)
	}
	after, _ := p.screen(t, fmt.Sprintf("?after=%d", reply.Frame))
	if bytes.Equal(before, after) {
		t.Fatal("MENU did not change the screen")
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the phone did not stop after SIGTERM")
	}
}

func TestBadConfigKeepsLastGood(t *testing.T) {
	bin := buildFirmware(t)
	data := t.TempDir()
	good := filepath.Join(t.TempDir(), "good.cfg")
	os.WriteFile(good, []byte("phone.name = Lobby\nP8627 = alice\n"), 0o600)
	if out, err := exec.Command(bin, "settings", "-data", data, "get", "phone.name").CombinedOutput(); err != nil {
		t.Fatalf("settings get on a fresh store: %v %s", err, out)
	}
	p := startPhone(t, bin, data, "-config", good)
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()

	bad := filepath.Join(t.TempDir(), "bad.cfg")
	os.WriteFile(bad, []byte("phone.name = Hall\nP8627 = "+strings.Repeat("x", 32)+"\n"), 0o600)
	p = startPhone(t, bin, data, "-config", bad)
	st := p.status(t)
	if st.Provision.Result != "failed" || len(st.Provision.Files) != 1 ||
		!strings.Contains(st.Provision.Files[0].Reason, "bad.cfg:2") {
		t.Fatalf("provision status after a bad file: %+v", st.Provision)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()

	for name, want := range map[string]string{"phone.name": "Lobby", "P8627": "alice"} {
		out, err := exec.Command(bin, "settings", "-data", data, "get", name).Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("after the bad file %s = %q (%v), want %q", name, out, err, want)
		}
	}
}

func TestSettingsCommand(t *testing.T) {
	bin := buildFirmware(t)
	data := t.TempDir()
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, append([]string{"settings", "-data", data}, args...)...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	if out, code := run("set", "P8627", strings.Repeat("a", 32)); code != 1 || !strings.Contains(out, "dot1x.identity") {
		t.Errorf("too-long identity: exit %d, %q", code, out)
	}
	if out, code := run("set", "dot1x.mode", "8"); code != 1 || !strings.Contains(out, "dot1x.mode") {
		t.Errorf("mode 8: exit %d, %q", code, out)
	}
	if out, code := run("set", "no.such.setting", "1"); code != 1 || !strings.Contains(out, "no.such.setting") {
		t.Errorf("unknown setting: exit %d, %q", code, out)
	}
	if out, code := run("set", "dot1x.password", "s3cret-pw"); code != 0 {
		t.Fatalf("set password: exit %d, %q", code, out)
	}
	if out, _ := run("get", "dot1x.password"); strings.Contains(out, "s3cret-pw") || !strings.Contains(out, "****") {
		t.Errorf("get printed a secret: %q", out)
	}
	out, code := run("list")
	if code != 0 || strings.Contains(out, "s3cret-pw") || !strings.Contains(out, "P8626") {
		t.Errorf("list: exit %d, secret shown or vendor names missing:\n%s", code, out)
	}
	if out, code := run("set", "P8626", "3"); code != 0 {
		t.Fatalf("set P8626: exit %d %q", code, out)
	}
	if out, _ := run("get", "dot1x.mode"); strings.TrimSpace(out) != "3" {
		t.Errorf("dot1x.mode after set P8626 3: %q", out)
	}
	if out, code := run("factory-reset"); code != 0 {
		t.Fatalf("factory-reset: exit %d %q", code, out)
	}
	if out, _ := run("get", "dot1x.mode"); strings.TrimSpace(out) != "0" {
		t.Errorf("dot1x.mode after factory reset: %q", out)
	}
	if out, _ := run("get", "dot1x.password"); strings.TrimSpace(out) != "" {
		t.Errorf("dot1x.password after factory reset: %q", out)
	}
}

func TestVersion(t *testing.T) {
	bin := buildFirmware(t)
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "deskphone firmware ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if err := exec.Command(bin, "nonsense").Run(); err == nil {
		t.Fatal("an unknown command succeeded")
	}
}
