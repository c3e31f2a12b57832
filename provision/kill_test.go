package provision

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path"
	"syscall"
	"testing"
	"time"

	"deskphone/provision/settings"
)

// memFetcher is the in-memory Fetcher: files by path.
type memFetcher map[string][]byte

func (m memFetcher) Fetch(ctx context.Context, u *url.URL, w io.Writer, limit int64) (int64, error) {
	b, ok := m[path.Clean(u.Path)]
	if !ok {
		return 0, fetchErr(u, "not found", ErrNotFound)
	}
	cw := &capWriter{w: w, left: limit}
	n, err := cw.Write(b)
	if err != nil {
		return int64(n), fetchErr(u, "too large", err)
	}
	return int64(n), nil
}

var _ Fetcher = memFetcher(nil)

const killEnv = "PROVISION_KILL_CHILD_DIR"

// The two configurations the child writer alternates between; the parent
// accepts either whole (or the defaults, before the first write), never a
// mix.
var killConfigs = [2][2]string{{"1001", "5061"}, {"2002", "5062"}}

func killFiles(k ed25519.PrivateKey, i int) memFetcher {
	c := killConfigs[i%2]
	img := bytes.Repeat([]byte{byte(i%2) + 1}, 256<<10)
	m := Manifest{Version: fmt.Sprint(i + 1), Hardware: "1230", Length: int64(len(img)), SHA256: sha256.Sum256(img)}
	signed, _ := Sign(k, m.Encode())
	return memFetcher{
		"/cfg001122334455.xml": fmt.Appendf(nil, `<hl_provision version="1"><config version="1">
<P35>%s</P35><P48>%s</P48></config></hl_provision>`, c[0], c[1]),
		"/1230SIP.cfg": fmt.Appendf(nil, "[FW]\nVERSION %d\nFILENAME fw.bin\n[TONES]\nVERSION 1\nDOWNLOAD_MODE FORCED\nFILENAME t.txt\n", i+1),
		"/t.txt":       bytes.Repeat([]byte{byte('a' + i%2)}, 4096),
		"/fw.bin":      img,
		"/fw.bin.mf":   signed,
	}
}

// TestKillChild is the child writer: it provisions in a loop until killed.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killEnv)
	if dir == "" {
		t.Skip("the child writer of TestKillWhileWriting")
	}
	k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	st, err := settings.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := OpenTrust(dir, []ed25519.PublicKey{pub(k)})
	slots := OpenSlots(dir)
	// Tell the parent, on the pipe it passed as fd 3, that writing starts:
	// it kills from then on.
	ready := os.NewFile(3, "ready")
	ready.Write([]byte("writing\n"))
	ready.Close()
	// Versions grow across children, so each one installs firmware too.
	for i := int(time.Now().UnixMilli() % 1e12); ; i++ {
		p := &Provisioner{Store: st, DataDir: dir, Model: "1230", MAC: testMAC, Fetcher: killFiles(k, i), Trust: tr, Slots: slots}
		p.Pass(context.Background(), "http://server/")
		slots.Boot()
		slots.MarkGood()
	}
}

func TestKillWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 50 child processes")
	}
	dir := t.TempDir()
	for round := 0; round < 50; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$")
		cmd.Env = append(os.Environ(), killEnv+"="+dir)
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.ExtraFiles = []*os.File{w}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		// EOF (a child that died first) ends the wait too.
		sc := bufio.NewScanner(r)
		for sc.Scan() && sc.Text() != "writing" {
		}
		r.Close()
		// Not a timing assertion: only where in its work the child dies.
		time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		checkKilledState(t, round, dir)
	}
	// The children must have written, or the test proved nothing.
	st, _ := settings.Open(dir)
	bs, _ := OpenSlots(dir).State()
	if st.Generation() < 5 || bs.Versions["a"] == "0" && bs.Versions["b"] == "" {
		t.Fatalf("children wrote little: settings generation %d, boot state %+v", st.Generation(), bs)
	}
	t.Logf("settings generation %d, boot state %+v", st.Generation(), bs)
}

func checkKilledState(t *testing.T, round int, dir string) {
	t.Helper()
	st, err := settings.Open(dir)
	if err != nil {
		t.Fatalf("round %d: settings: %v", round, err)
	}
	got := [2]string{st.String("sip.line1.user"), st.String("sip.line1.registrar_port")}
	if got != killConfigs[0] && got != killConfigs[1] && got != [2]string{"", "5060"} {
		t.Fatalf("round %d: settings are a mix: %v", round, got)
	}
	if _, err := LoadPermRecords(dir); err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	if _, err := loadVersions(dir); err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	slots := OpenSlots(dir)
	bs, err := slots.State()
	if err != nil {
		t.Fatalf("round %d: boot state: %v", round, err)
	}
	// The active slot, if it was ever written, holds a whole image.
	if b, err := os.ReadFile(slots.SlotPath(bs.Active)); err == nil {
		if len(b) != 256<<10 || !bytes.Equal(b, bytes.Repeat(b[:1], len(b))) {
			t.Fatalf("round %d: active slot %s torn (%d bytes)", round, bs.Active, len(b))
		}
	}
	if b, err := os.ReadFile(dir + "/files/tones/t.txt"); err == nil && (len(b) != 4096 || !bytes.Equal(b, bytes.Repeat(b[:1], 4096))) {
		t.Fatalf("round %d: tones file torn", round)
	}
}
