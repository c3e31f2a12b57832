package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

const (
	typeAdmin = "2 3 6 4 4 4 6 6"         // a d m i n, by multi-tap
	typeAlice = "2 5 5 5 4 4 4 2 2 2 3 3" // a l i c e
	// MENU, Network, the admin password, 802.1X.
	toDot1X = "MENU DOWN OK " + typeAdmin + " OK OK"
)

func (p *phone) press(t *testing.T, keys string) {
	t.Helper()
	resp, err := http.Post(p.url+"api/keys", "text/plain", strings.NewReader(keys))
	if err != nil {
		t.Fatal(err)
	}
	var reply struct{ Pressed []string }
	json.NewDecoder(resp.Body).Decode(&reply)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(reply.Pressed) != len(strings.Fields(keys)) {
		t.Fatalf("POST /api/keys %q: %s, pressed %v", keys, resp.Status, reply.Pressed)
	}
}

func getSetting(t *testing.T, bin, data, name string) string {
	t.Helper()
	out, err := exec.Command(bin, "settings", "-data", data, "get", name).Output()
	if err != nil {
		t.Fatalf("settings get %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// TestKeypadSets8021X works the menus through the simulator's key API, as a
// technician at the phone would, and checks what reached the flash.
func TestKeypadSets8021X(t *testing.T) {
	bin := buildFirmware(t)
	data := t.TempDir()
	p := startPhone(t, bin, data)

	p.press(t, toDot1X+" OK DOWN DOWN DOWN OK") // mode: PEAP/MSCHAPv2
	p.press(t, "DOWN OK "+typeAlice+" OK")      // identity
	if got := getSetting(t, bin, data, "dot1x.mode"); got != "0" {
		t.Fatalf("the mode reached the flash before Save: %q", got)
	}
	p.press(t, "SOFT1") // Save
	if got := getSetting(t, bin, data, "dot1x.mode"); got != "3" {
		t.Errorf("dot1x.mode after Save = %q, want 3", got)
	}
	if got := getSetting(t, bin, data, "P8627"); got != "alice" {
		t.Errorf("dot1x.identity after Save = %q, want alice", got)
	}
	if st := p.status(t); st.Dot1X.State == "" {
		t.Errorf("no 802.1X state in /api/status: %+v", st.Dot1X)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

// TestWrongAdminPasswordsLock: after three wrong entries even the right
// password opens nothing for a minute.
func TestWrongAdminPasswordsLock(t *testing.T) {
	bin := buildFirmware(t)
	data := t.TempDir()
	p := startPhone(t, bin, data)

	p.press(t, "MENU DOWN OK 1 OK 1 OK 1 OK BACK BACK MENU")
	p.press(t, toDot1X+" OK DOWN OK SOFT1") // would set mode MD5 if the menu opened
	if got := getSetting(t, bin, data, "dot1x.mode"); got != "0" {
		t.Fatalf("the locked menu changed dot1x.mode to %q", got)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

func jsonDecode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
