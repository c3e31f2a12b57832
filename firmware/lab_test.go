package main

import (
	"bytes"
	"context"
	"os/exec"
	"sync"
	"testing"
	"time"

	"deskphone/lab"
	"deskphone/status"
)

// labPhone is `firmware run -board sim` inside the lab's phone namespace,
// its LAN port on the namespace's lan0; its simulator API is reached inside
// the namespace.
type labPhone struct {
	api  *lab.PhoneAPI
	cmd  *exec.Cmd
	logs *lockedBuffer
	stop context.CancelFunc
}

// phoneOptions is how a test starts its lab phone; the zero value is a
// fresh build, a fresh data dir and no settings file.
type phoneOptions struct {
	bin    string   // the firmware binary ("": buildFirmware)
	data   string   // the data dir ("": a temp dir)
	config string   // the settings file ("": none)
	flags  []string // more flags of `firmware run`, e.g. -pc pc0
}

// startLabPhone starts the phone, stops it in t.Cleanup (showing its log
// if t failed) and returns once its API answers.
func startLabPhone(t testing.TB, l *lab.Lab, o phoneOptions) *labPhone {
	t.Helper()
	if o.bin == "" {
		o.bin = buildFirmware(t)
	}
	if o.data == "" {
		o.data = t.TempDir()
	}
	args := []string{o.bin, "run", "-board", "sim", "-data", o.data, "-http", "127.0.0.1:8080", "-lan", l.PhoneLAN.Name}
	if o.config != "" {
		args = append(args, "-config", o.config)
	}
	args = append(args, o.flags...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := l.Command(ctx, l.PhoneNS, args...)
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	p := &labPhone{api: lab.NewPhoneAPI(l.PhoneNS, "127.0.0.1:8080"), cmd: cmd, logs: logs, stop: cancel}
	t.Cleanup(func() {
		p.stop()
		p.cmd.Wait()
		if t.Failed() {
			t.Logf("phone log:\n%s", logs)
		}
	})
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := p.status(); err == nil {
			return p
		} else if time.Now().After(deadline) {
			t.Fatalf("the phone in the lab never answered: %v", err)
		}
	}
}

// waitStatus polls /api/status until cond holds.
func (p *labPhone) waitStatus(t testing.TB, what string, timeout time.Duration, cond func(status.Phone) bool) status.Phone {
	t.Helper()
	var st status.Phone
	var err error
	for deadline := time.Now().Add(timeout); ; time.Sleep(50 * time.Millisecond) {
		if st, err = p.status(); err == nil && cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("never %s (after %s): err %v, network %+v, dot1x %+v, pc port %+v, lines %+v, provision %s %+v, inoperable %q",
				what, timeout, err, st.Network, st.Dot1X, st.PCPort, st.Lines, st.Provision.Result, st.Provision.Files, st.Inoperable)
		}
	}
}

// lockedBuffer is the phone's log, written by exec's copier and read by
// the test while the phone runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func (p *labPhone) status() (status.Phone, error) { return p.api.Status(context.Background()) }

func (p *labPhone) press(t *testing.T, keys string) {
	t.Helper()
	if err := p.api.Press(context.Background(), keys); err != nil {
		t.Fatal(err)
	}
}

// TestLabMenuChangeAuthenticates: 802.1X set up from the keypad menus (mode
// MD5, identity and password typed by multi-tap) makes the phone
// authenticate against hostapd + FreeRADIUS, with no restart.
func TestLabMenuChangeAuthenticates(t *testing.T) {
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS})
	p := startLabPhone(t, l, phoneOptions{})
	if ok, _ := l.Authorized(l.PhoneLAN.MAC); ok {
		t.Fatal("the port is authorized before 802.1X was set up")
	}

	p.press(t, toDot1X+" OK DOWN OK")                          // mode: EAP-MD5
	p.press(t, "DOWN OK 6 3 5 5 5 5 8 8 7 7 7 7 3 3 7 7 7 OK") // identity md5user
	p.press(t, "DOWN OK 6 3 5 5 5 5 7 2 7 7 7 7")              // password md5pa s...
	time.Sleep(1200 * time.Millisecond)                        // the multi-tap pause commits the first s
	p.press(t, "7 7 7 7 OK SOFT1")                             // ...s, then Save

	var st status.Phone
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if st, err = p.status(); err == nil && st.Dot1X.State == status.Dot1XAuthenticated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("802.1X never authenticated after the menu change: %+v", st.Dot1X)
		}
	}
	if st.Dot1X.Method == "" || st.Inoperable != "" {
		t.Errorf("status after authentication: %+v, inoperable %q", st.Dot1X, st.Inoperable)
	}
	if ok, err := l.Authorized(l.PhoneLAN.MAC); err != nil || !ok {
		t.Errorf("hostapd does not show the phone authorized: %v %v", ok, err)
	}
	if open, err := l.GateOpen(l.PhoneLAN.MAC); err != nil || !open {
		t.Errorf("the switch port did not open: %v %v", open, err)
	}
}
