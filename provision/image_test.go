package provision

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// publish puts a signed manifest and its payload on fs as name.mf and name.
func publish(t testing.TB, fs *files, k ed25519.PrivateKey, name, version, hw string, payload []byte) {
	m := Manifest{Version: version, Hardware: hw, Length: int64(len(payload)), SHA256: sha256.Sum256(payload)}
	fs.set(name+".mf", mustSign(t, k, m.Encode()))
	fs.set(name, payload)
}

func imageSource(t testing.TB, base, name string, k ed25519.PrivateKey, forced bool) ImageSource {
	return ImageSource{Manifest: mustURL(t, base+"/"+name+".mf"), Payload: mustURL(t, base+"/"+name),
		Signers: []ed25519.PublicKey{pub(k)}, Hardware: "1230", Forced: forced}
}

func TestFirmwareInstallBootRollback(t *testing.T) {
	k := newKey(t)
	fs := newFiles(nil)
	s := httptestServer(t, fs)
	slots := OpenSlots(t.TempDir())
	img := bytes.Repeat([]byte("firmware"), 1000)
	publish(t, fs, k, "fw.bin", "4.4.10", "1230", img)
	m, err := slots.Install(context.Background(), &HTTPFetcher{}, imageSource(t, s.URL, "fw.bin", k, false))
	if err != nil || m.Version != "4.4.10" {
		t.Fatalf("install: %v", err)
	}
	if b := mustRead(t, slots.SlotPath("b")); !bytes.Equal(b, img) {
		t.Fatal("slot b does not hold the image")
	}
	st, _ := slots.State()
	if st.Active != "a" || st.Trying != "b" {
		t.Fatalf("after install: %+v", st)
	}
	// Another install while b is on trial is refused.
	if _, err := slots.Install(context.Background(), &HTTPFetcher{}, imageSource(t, s.URL, "fw.bin", k, true)); !errors.Is(err, ErrTrialPending) {
		t.Fatalf("install during a trial: %v", err)
	}
	// Boots without MarkGood, then the rollback.
	for i := 1; i <= MaxBootAttempts; i++ {
		if slot, rb, err := slots.Boot(); slot != "b" || rb || err != nil {
			t.Fatalf("boot %d: %s %v %v", i, slot, rb, err)
		}
	}
	if slot, rb, err := slots.Boot(); slot != "a" || !rb || err != nil {
		t.Fatalf("boot after %d attempts: %s rolled back %v, %v", MaxBootAttempts, slot, rb, err)
	}
	// The rolled-back image is not installed again by itself (no loop of
	// install, three failed boots, rollback), and the state survives a reload.
	if st, _ := OpenSlots(filepath.Dir(filepath.Dir(slots.SlotPath("a")))).State(); st.RolledBack != "4.4.10" {
		t.Fatalf("boot state after rollback: %+v", st)
	}
	if _, err := slots.Install(context.Background(), &HTTPFetcher{}, imageSource(t, s.URL, "fw.bin", k, false)); !errors.Is(err, ErrRolledBack) {
		t.Fatalf("reinstall of the rolled-back image: %v", err)
	}
	// FORCED tries it again, and this time the image reaches service.
	if _, err := slots.Install(context.Background(), &HTTPFetcher{}, imageSource(t, s.URL, "fw.bin", k, true)); err != nil {
		t.Fatal(err)
	}
	if slot, _, _ := slots.Boot(); slot != "b" {
		t.Fatalf("boot: %s", slot)
	}
	if err := slots.MarkGood(); err != nil {
		t.Fatal(err)
	}
	if slot, rb, _ := slots.Boot(); slot != "b" || rb {
		t.Fatalf("after MarkGood: %s %v", slot, rb)
	}
	// The same version again, or a lower one, needs FORCED.
	publish(t, fs, k, "old.bin", "4.4.9", "1230", []byte("old"))
	if _, err := slots.Install(context.Background(), &HTTPFetcher{}, imageSource(t, s.URL, "old.bin", k, false)); !errors.Is(err, ErrNotNewer) {
		t.Fatalf("downgrade without FORCED: %v", err)
	}
	if _, err := slots.Install(context.Background(), &HTTPFetcher{}, imageSource(t, s.URL, "old.bin", k, true)); err != nil {
		t.Fatalf("downgrade with FORCED: %v", err)
	}
}

func TestFirmwareRefusalsKeepActiveSlot(t *testing.T) {
	k := newKey(t)
	fs := newFiles(nil)
	s := httptestServer(t, fs)
	dir := t.TempDir()
	slots := OpenSlots(dir)
	good := bytes.Repeat([]byte{1}, 4096)
	publish(t, fs, k, "good.bin", "2", "1230", good)
	if _, err := slots.Install(context.Background(), &HTTPFetcher{}, imageSource(t, s.URL, "good.bin", k, false)); err != nil {
		t.Fatal(err)
	}
	slots.Boot()
	slots.MarkGood() // b is active and good
	stBefore := mustRead(t, dir+"/firmware/boot")

	img := bytes.Repeat([]byte{2}, 4096)
	// A manifest signed by a stranger.
	publish(t, fs, newKey(t), "stranger.bin", "3", "1230", img)
	// A manifest with a flipped bit.
	publish(t, fs, k, "flipped.bin", "3", "1230", img)
	mf, _ := fs.get("flipped.bin.mf")
	mf = bytes.Clone(mf)
	mf[signHeader+20] ^= 1
	fs.set("flipped.bin.mf", mf)
	// A good manifest, a corrupted payload.
	publish(t, fs, k, "corrupt.bin", "3", "1230", img)
	bad := bytes.Clone(img)
	bad[100] ^= 0xff
	fs.set("corrupt.bin", bad)
	// A good manifest, a longer payload.
	publish(t, fs, k, "long.bin", "3", "1230", img)
	fs.set("long.bin", append(bytes.Clone(img), 0))
	// Another phone's image.
	publish(t, fs, k, "other.bin", "3", "9999", img)
	for _, c := range []struct{ name, want string }{
		{"stranger.bin", "not in the trust list"},
		{"flipped.bin", "does not verify"},
		{"corrupt.bin", "SHA-256 does not match"},
		{"long.bin", "more than 4096 bytes"},
		{"other.bin", "hardware"},
	} {
		_, err := slots.Install(context.Background(), &HTTPFetcher{}, imageSource(t, s.URL, c.name, k, false))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if !bytes.Equal(mustRead(t, slots.SlotPath("b")), good) {
			t.Fatalf("%s: the active slot changed", c.name)
		}
		if !bytes.Equal(mustRead(t, dir+"/firmware/boot"), stBefore) {
			t.Fatalf("%s: the boot state changed", c.name)
		}
		if _, err := os.Stat(slots.SlotPath("a") + ".tmp"); err == nil {
			t.Errorf("%s: temporary file left", c.name)
		}
	}
}

func BenchmarkInstall32MiB(b *testing.B) {
	k := newKey(b)
	fs := newFiles(nil)
	s := httptestServer(b, fs)
	img := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MiB
	f := &HTTPFetcher{}
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	publish(b, fs, k, "fw.bin", "1.1", "1230", img)
	for b.Loop() {
		slots := OpenSlots(b.TempDir()) // fresh slots: every round installs
		if _, err := slots.Install(context.Background(), f, imageSource(b, s.URL, "fw.bin", k, false)); err != nil {
			b.Fatal(err)
		}
	}
}
