package settings

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func openT(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	if !s.Fresh() || s.Recovery() != "" || s.Generation() != 0 {
		t.Fatalf("empty flash: fresh %v recovery %q generation %d", s.Fresh(), s.Recovery(), s.Generation())
	}
	if !equalMaps(s.Values(), Defaults()) {
		t.Fatal("a fresh store does not hold the defaults")
	}
	changes := map[string]string{
		"dot1x.mode":          "EAP-TLS",
		"P8627":               "alice",
		"dot1x.password":      `p"a=ss\word ü`,
		"sip.line2.user":      "1002",
		"sip.line2.enabled":   "yes",
		"phone.name":          " Front desk ",
		"net.timezone":        "Europe/Berlin",
		"challenge_checksync": "1",
	}
	if err := s.Apply(changes); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("sip.line1.expiry", "600"); err != nil {
		t.Fatal(err)
	}
	want := s.Values()
	r := openT(t, dir)
	if !equalMaps(r.Values(), want) {
		t.Errorf("reloaded values differ:\n got %v\nwant %v", r.Values(), want)
	}
	if r.Fresh() || r.Recovery() != "" || r.Generation() != 2 || r.Loaded().Slot != "settings.b" {
		t.Errorf("reopen: fresh %v recovery %q info %+v", r.Fresh(), r.Recovery(), r.Loaded())
	}
	if got, _ := r.Get("dot1x.password"); got != `p"a=ss\word ü` {
		t.Errorf("password = %q", got)
	}
	if r.Int("P8626") != 2 || !r.Bool("sip.line2.enabled") || r.Bool("sip.line1.enabled") ||
		r.String("phone.name") != " Front desk " || !r.Bool("sip.checksync_challenge") || r.Int("sip.line1.expiry") != 600 {
		t.Errorf("typed getters: %d %v %v %q", r.Int("P8626"), r.Bool("sip.line2.enabled"),
			r.Bool("sip.line1.enabled"), r.String("phone.name"))
	}
	if _, err := r.Get("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Get(nope): %v", err)
	}
	// The file holds only what differs from the defaults, sorted.
	data, _ := os.ReadFile(filepath.Join(dir, "settings.b"))
	if !bytes.Contains(data, []byte("dot1x.identity=\"alice\"\ndot1x.mode=\"2\"\n")) || bytes.Contains(data, []byte("sip.line3")) {
		t.Errorf("slot file:\n%s", data)
	}
}

func TestSetSameValueWritesNothing(t *testing.T) {
	s := openT(t, t.TempDir())
	if err := s.Set("phone.name", "A"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("phone.name", "A"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("net.dhcp", "1"); err != nil { // the default, "on"
		t.Fatal(err)
	}
	if s.Generation() != 1 {
		t.Errorf("generation %d after one real change", s.Generation())
	}
}

func TestApplyAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	if err := s.Apply(map[string]string{"phone.name": "Lobby", "P8627": "alice"}); err != nil {
		t.Fatal(err)
	}
	before := s.Values()
	fileA, _ := os.ReadFile(filepath.Join(dir, "settings.a"))
	ch, cancel := s.Watch()
	defer cancel()

	err := s.Apply(map[string]string{
		"phone.name":       "Hall",
		"sip.line1.user":   "2000",
		"P8627":            strings.Repeat("x", 32),
		"sip.line1.expiry": "5",
	})
	if err == nil {
		t.Fatal("a bad change was accepted")
	}
	// Every problem is reported, not only the first.
	if !strings.Contains(err.Error(), "dot1x.identity") || !strings.Contains(err.Error(), "sip.line1.expiry") {
		t.Errorf("error: %v", err)
	}
	if !equalMaps(s.Values(), before) || s.Generation() != 1 {
		t.Error("a refused Apply changed the values")
	}
	if _, err := os.Stat(filepath.Join(dir, "settings.b")); err == nil {
		t.Error("a refused Apply wrote a slot")
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "settings.a")); !bytes.Equal(now, fileA) {
		t.Error("a refused Apply changed the slot")
	}
	select {
	case <-ch:
		t.Error("a refused Apply notified a watcher")
	default:
	}
	if r := openT(t, dir); !equalMaps(r.Values(), before) {
		t.Error("a refused Apply changed what the flash holds")
	}
}

func TestWatch(t *testing.T) {
	s := openT(t, t.TempDir())
	line1, cancel1 := s.Watch("sip.line1.")
	mode, cancel2 := s.Watch("P8626")
	both, cancel3 := s.Watch("phone.name", "dot1x.mode")
	defer cancel2()
	defer cancel3()
	pending := func(ch <-chan struct{}) bool {
		select {
		case _, ok := <-ch:
			return ok
		default:
			return false
		}
	}

	if err := s.Set("sip.line1.user", "1001"); err != nil {
		t.Fatal(err)
	}
	if !pending(line1) || pending(mode) || pending(both) {
		t.Error("sip.line1.user: want only the sip.line1. watcher told")
	}
	if err := s.Set("sip.line10.user", "x"); err == nil {
		t.Error("sip.line10.user accepted")
	}
	if err := s.Set("sip.line2.user", "1002"); err != nil {
		t.Fatal(err)
	}
	if pending(line1) {
		t.Error("the sip.line1. watcher was told of line 2")
	}
	// Several changes coalesce into one notice.
	for _, v := range []string{"1", "2", "3"} {
		if err := s.Set("dot1x.mode", v); err != nil {
			t.Fatal(err)
		}
	}
	if !pending(mode) || pending(mode) || !pending(both) {
		t.Error("dot1x.mode: want one notice for three changes")
	}
	if err := s.Set("dot1x.mode", "3"); err != nil || pending(mode) {
		t.Errorf("setting the same value told a watcher (%v)", err)
	}
	cancel1()
	cancel1()
	if _, ok := <-line1; ok {
		t.Error("channel open after cancel")
	}
	if err := s.Set("sip.line1.user", "1003"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if !pending(mode) || !pending(both) {
		t.Error("Reset did not tell the watchers of what it changed")
	}
	for _, bad := range []string{"sip.line9.", "no.such.setting"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Watch(%q) did not panic", bad)
				}
			}()
			s.Watch(bad)
		}()
	}
}

// twoGenerations writes generation 1 (phone.name=one) to settings.a and
// generation 2 (phone.name=two) to settings.b.
func twoGenerations(t *testing.T) string {
	dir := t.TempDir()
	s := openT(t, dir)
	for _, v := range []string{"one", "two"} {
		if err := s.Set("phone.name", v); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCorruptNewestLoadsOlder(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func([]byte) []byte
		reason string
	}{
		{"flipped byte", func(b []byte) []byte { b[len(b)/3] ^= 0x20; return b }, "checksum mismatch"},
		{"flipped checksum", func(b []byte) []byte { b[len(b)-5] ^= 0x01; return b }, "settings.b refused"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-20] }, "truncated"},
		{"torn mid-line", func(b []byte) []byte { return b[:30] }, "truncated"},
		{"empty", func([]byte) []byte { return nil }, "empty"},
		{"garbage appended", func(b []byte) []byte { return append(b, "x=\"1\"\n"...) }, "settings.b refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := twoGenerations(t)
			path := filepath.Join(dir, "settings.b")
			data, _ := os.ReadFile(path)
			if err := os.WriteFile(path, c.damage(data), 0o600); err != nil {
				t.Fatal(err)
			}
			s := openT(t, dir)
			if got := s.String("phone.name"); got != "one" {
				t.Errorf("phone.name = %q, want the older copy's one", got)
			}
			info := s.Loaded()
			if info.Generation != 1 || info.Slot != "settings.a" || len(info.Refused) != 1 || s.Fresh() {
				t.Errorf("info %+v", info)
			}
			r := s.Recovery()
			for _, w := range []string{"generation 1", "settings.a", "settings.b refused", c.reason} {
				if !strings.Contains(r, w) {
					t.Errorf("Recovery %q lacks %q", r, w)
				}
			}
			// The next write replaces the bad copy and keeps the good one.
			if err := s.Set("phone.name", "three"); err != nil {
				t.Fatal(err)
			}
			r2 := openT(t, dir)
			if r2.String("phone.name") != "three" || r2.Recovery() != "" || r2.Generation() != 2 {
				t.Errorf("after the repair: %q %q gen %d", r2.String("phone.name"), r2.Recovery(), r2.Generation())
			}
		})
	}
}

func TestBothCorruptStartsFromDefaults(t *testing.T) {
	dir := twoGenerations(t)
	for _, n := range slotNames {
		path := filepath.Join(dir, n)
		data, _ := os.ReadFile(path)
		data[len(data)/2] ^= 1
		os.WriteFile(path, data, 0o600)
	}
	s := openT(t, dir)
	if !equalMaps(s.Values(), Defaults()) || s.Fresh() || s.Loaded().Generation != 0 {
		t.Errorf("want the defaults, not fresh: %+v", s.Loaded())
	}
	r := s.Recovery()
	for _, w := range []string{"no valid settings copy", "settings.a refused", "settings.b refused", "defaults"} {
		if !strings.Contains(r, w) {
			t.Errorf("Recovery %q lacks %q", r, w)
		}
	}
	if err := s.Set("phone.name", "new"); err != nil {
		t.Fatal(err)
	}
	if r := openT(t, dir); r.String("phone.name") != "new" {
		t.Errorf("after a write: %q", r.String("phone.name"))
	}
}

func TestDroppedValues(t *testing.T) {
	dir := t.TempDir()
	stored := map[string]string{
		"phone.name":          "ok",
		"old.removed.setting": "1",
		"dot1x.mode":          "9",
		"dot1x.password":      "Sup3rSecret" + strings.Repeat("y", 40),
	}
	os.WriteFile(filepath.Join(dir, "settings.a"), encodeSlot(7, stored), 0o600)
	s := openT(t, dir)
	if s.String("phone.name") != "ok" || s.String("dot1x.mode") != "0" || s.String("dot1x.password") != "" {
		t.Errorf("values %q %q", s.String("phone.name"), s.String("dot1x.mode"))
	}
	if len(s.Loaded().Dropped) != 3 || s.Generation() != 7 {
		t.Errorf("info %+v", s.Loaded())
	}
	r := s.Recovery()
	if !strings.Contains(r, "old.removed.setting") || !strings.Contains(r, "dot1x.mode") || strings.Contains(r, "Sup3rSecret") {
		t.Errorf("Recovery %q", r)
	}
}

func TestReset(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	if err := s.Apply(map[string]string{"sip.line1.password": "Sup3rSecret", "phone.name": "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("phone.name", "y"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if !equalMaps(s.Values(), Defaults()) {
		t.Error("Reset left values")
	}
	for _, n := range slotNames {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || bytes.Contains(data, []byte("Sup3rSecret")) || bytes.Contains(data, []byte("phone.name")) {
			t.Errorf("%s after Reset (%v):\n%s", n, err, data)
		}
	}
	r := openT(t, dir)
	if !equalMaps(r.Values(), Defaults()) || r.Generation() != 4 || r.Fresh() {
		t.Errorf("reopened after Reset: generation %d", r.Generation())
	}
}

func TestDisplay(t *testing.T) {
	s := openT(t, t.TempDir())
	if got := s.Display("security.admin_password"); got != "********" {
		t.Errorf("admin password shows %q", got)
	}
	if got := s.Display("dot1x.password"); got != "" {
		t.Errorf("empty secret shows %q", got)
	}
	s.Set("P8628", "pw")
	s.Set("P8626", "3")
	if s.Display("dot1x.password") != "********" || s.Display("dot1x.mode") != "3" {
		t.Errorf("Display: %q %q", s.Display("dot1x.password"), s.Display("dot1x.mode"))
	}
	if l := def("dot1x.mode").Label(s.String("dot1x.mode")); l != "PEAP/MSCHAPv2" {
		t.Errorf("label %q", l)
	}
	defer func() {
		if recover() == nil {
			t.Error("Display of an unknown name did not panic")
		}
	}()
	s.Display("no.such")
}

func TestGettersPanicOnMisuse(t *testing.T) {
	s := openT(t, t.TempDir())
	for name, f := range map[string]func(){
		"String unknown": func() { s.String("no.such") },
		"Int on text":    func() { s.Int("phone.name") },
		"Bool on int":    func() { s.Bool("sip.line1.expiry") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	ch, cancel := s.Watch("sip.")
	defer cancel()
	var wg sync.WaitGroup
	for w := 1; w <= 4; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if err := s.Set(LineName(w, "user"), fmt.Sprint(i)); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 200 {
				_ = s.Values()
				_ = s.Display(LineName(w, "password"))
				select {
				case <-ch:
				default:
				}
			}
		}()
	}
	wg.Wait()
	r := openT(t, dir)
	for w := 1; w <= 4; w++ {
		if got := r.String(LineName(w, "user")); got != "19" {
			t.Errorf("line %d user = %q", w, got)
		}
	}
	if r.Generation() != 80 {
		t.Errorf("generation %d, want 80 writes", r.Generation())
	}
}

func BenchmarkSet(b *testing.B) {
	s := openT(b, b.TempDir())
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if err := s.Set("sip.line1.user", fmt.Sprint(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestOpenCreatesDirAtFirstWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "flash", "var")
	s := openT(t, dir)
	if _, err := os.Stat(dir); err == nil {
		t.Error("Open created the directory before any write")
	}
	if err := s.Set("phone.name", "x"); err != nil {
		t.Fatal(err)
	}
	if r := openT(t, dir); r.String("phone.name") != "x" {
		t.Error("not persisted")
	}
}

func TestWriteErrorChangesNothing(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	if err := s.Set("phone.name", "x"); err != nil {
		t.Fatal(err)
	}
	// A directory where the next slot file goes makes the rename fail.
	if err := os.Mkdir(filepath.Join(dir, "settings.b"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := s.Set("phone.name", "y")
	if err == nil || !strings.Contains(err.Error(), "save settings") {
		t.Fatalf("Set over a broken flash: %v", err)
	}
	if s.String("phone.name") != "x" || s.Generation() != 1 {
		t.Errorf("a failed write changed the store: %q gen %d", s.String("phone.name"), s.Generation())
	}
	if _, err := os.Stat(filepath.Join(dir, "settings.b.tmp")); err == nil {
		t.Error("a failed write left its temporary file")
	}
}
