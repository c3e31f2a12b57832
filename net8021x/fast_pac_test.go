package net8021x

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testPAC() *PAC {
	return &PAC{AID: []byte{1, 2, 3, 4}, AIDInfo: "lab", IID: "alice", Key: bytes.Repeat([]byte{0xab}, 32),
		Opaque: []byte{9, 8, 7}, Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Received: time.Date(2029, 12, 26, 3, 4, 5, 0, time.UTC)}
}

func TestPACStoreRoundTrip(t *testing.T) {
	s := PACStore{Dir: filepath.Join(t.TempDir(), "flash", "8021x")} // created on first save
	p := testPAC()
	if _, err := s.Load(p.AID); !errors.Is(err, ErrNoPAC) {
		t.Fatalf("empty store: %v", err)
	}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(p.AID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Key, p.Key) || !bytes.Equal(got.Opaque, p.Opaque) || !got.Expires.Equal(p.Expires) ||
		!got.Received.Equal(p.Received) || got.IID != p.IID || got.AIDInfo != p.AIDInfo {
		t.Fatalf("loaded %+v, saved %+v", got, p)
	}
	fi, err := os.Stat(s.Path(p.AID))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("PAC file mode %v, %v; want 0600", fi.Mode(), err)
	}
	// A-ID selection: another server's A-ID has no PAC.
	if _, err := s.Load([]byte{5}); !errors.Is(err, ErrNoPAC) {
		t.Fatalf("other A-ID: %v", err)
	}
	// The secrets stay out of printed and logged forms.
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "pac", p)
	for _, out := range []string{p.String(), logs.String()} {
		if strings.Contains(strings.ToLower(out), hex.EncodeToString(p.Key)) || !strings.Contains(out, "****") {
			t.Errorf("PAC printed with its key: %s", out)
		}
	}
}

func TestPACStoreDamagedFiles(t *testing.T) {
	aid := []byte{1, 2, 3, 4}
	for name, content := range map[string]string{
		"not JSON":        "PAC-Key=abc",
		"truncated JSON":  `{"a_id":"01020304","pac_key":"`,
		"unknown field":   `{"a_id":"01020304","pac_key":"` + strings.Repeat("ab", 32) + `","pac_opaque":"09","x":1}`,
		"key not hex":     `{"a_id":"01020304","pac_key":"zz","pac_opaque":"09"}`,
		"key too short":   `{"a_id":"01020304","pac_key":"abab","pac_opaque":"09"}`,
		"no opaque":       `{"a_id":"01020304","pac_key":"` + strings.Repeat("ab", 32) + `"}`,
		"other A-ID":      `{"a_id":"05","pac_key":"` + strings.Repeat("ab", 32) + `","pac_opaque":"09"}`,
		"A-ID not hex":    `{"a_id":"q","pac_key":"` + strings.Repeat("ab", 32) + `","pac_opaque":"09"}`,
		"binary garbage":  "\x00\xff\x10",
		"empty file":      "",
		"bad expiry time": `{"a_id":"01020304","pac_key":"` + strings.Repeat("ab", 32) + `","pac_opaque":"09","expires":"soon"}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := PACStore{Dir: t.TempDir()}
			if err := os.WriteFile(s.Path(aid), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.Load(aid)
			if err == nil || errors.Is(err, ErrNoPAC) || !strings.Contains(err.Error(), s.Path(aid)) {
				t.Fatalf("error %v, want one naming %s", err, s.Path(aid))
			}
			if strings.Contains(err.Error(), strings.Repeat("ab", 32)) {
				t.Fatal("error shows the PAC-Key")
			}
			// The method provisions anew and keeps the damaged file aside.
			cfg := &Config{Mode: ModeFAST, Identity: "alice", FASTPACDir: s.Dir, NoServerVerify: true, Logger: slog.New(slog.DiscardHandler)}
			m := newFAST(cfg)
			m.aid = aid
			m.choosePAC()
			if m.pac != nil {
				t.Fatal("damaged PAC used")
			}
			if b, err := os.ReadFile(s.Path(aid) + ".bad"); err != nil || string(b) != content {
				t.Fatalf("damaged file not kept aside: %v", err)
			}
			if _, err := s.Load(aid); !errors.Is(err, ErrNoPAC) {
				t.Fatalf("after quarantine: %v", err)
			}
		})
	}
}

func TestPACExpiryAndRefresh(t *testing.T) {
	p := testPAC() // 7 days of lifetime
	for _, tc := range []struct {
		at               time.Time
		expired, refresh bool
	}{
		{p.Received.Add(time.Hour), false, false},
		{p.Expires.Add(-2 * 24 * time.Hour), false, false},
		{p.Expires.Add(-24 * time.Hour), false, true}, // under a quarter of 7 days left
		{p.Expires, true, true},
		{p.Expires.Add(time.Hour), true, true},
	} {
		if got := p.expired(tc.at); got != tc.expired {
			t.Errorf("expired at %s = %v", tc.at, got)
		}
		if got := p.needsRefresh(tc.at); got != tc.refresh {
			t.Errorf("needsRefresh at %s = %v", tc.at, got)
		}
	}
	// The method: an expired PAC is not offered; one near its end is,
	// with a refresh due.
	dir := t.TempDir()
	if err := (PACStore{Dir: dir}).Save(p); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at           time.Time
		use, refresh bool
	}{
		{p.Received.Add(time.Hour), true, false},
		{p.Expires.Add(-time.Hour), true, true},
		{p.Expires.Add(time.Hour), false, false},
	} {
		at := tc.at
		cfg := &Config{Mode: ModeFAST, Identity: "alice", FASTPACDir: dir, NoServerVerify: true,
			Clock: func() time.Time { return at }, Logger: slog.New(slog.DiscardHandler)}
		m := newFAST(cfg)
		m.aid = p.AID
		m.choosePAC()
		if (m.pac != nil) != tc.use || m.refresh != tc.refresh {
			t.Errorf("at %s: PAC used %v refresh %v, want %v %v", at, m.pac != nil, m.refresh, tc.use, tc.refresh)
		}
	}
}

func TestParsePACTLV(t *testing.T) {
	aid := []byte{1, 2, 3, 4}
	life := pacAttr(pacAttrLifetime, binary.BigEndian.AppendUint32(nil, 1900000000))
	build := func(key, opaque []byte, info ...[]byte) []byte {
		var v []byte
		if key != nil {
			v = append(v, pacAttr(pacAttrKey, key)...)
		}
		if opaque != nil {
			v = append(v, pacAttr(pacAttrOpaque, opaque)...)
		}
		if info != nil {
			v = append(v, pacAttr(pacAttrInfo, bytes.Join(info, nil))...)
		}
		return v
	}
	key := bytes.Repeat([]byte{7}, 32)
	good := build(key, []byte{1}, life, pacAttr(pacAttrAID, aid), pacAttr(pacAttrIID, []byte("alice")),
		pacAttr(pacAttrAIDInfo, []byte("lab\x01")), pacAttr(pacAttrType, []byte{0, 1}))
	p, err := parsePACTLV(good, aid)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Key, key) || p.IID != "alice" || p.AIDInfo != "lab." || p.Expires.Unix() != 1900000000 {
		t.Fatalf("parsed %+v", p)
	}
	for name, tc := range map[string]struct {
		v      []byte
		errHas string
	}{
		"no key":           {build(nil, []byte{1}, pacAttr(pacAttrAID, aid)), "PAC-Key of 0 bytes"},
		"short key":        {build(key[:31], []byte{1}, pacAttr(pacAttrAID, aid)), "PAC-Key of 31 bytes"},
		"no opaque":        {build(key, nil, pacAttr(pacAttrAID, aid)), "without PAC-Opaque"},
		"huge opaque":      {build(key, make([]byte, 2000), pacAttr(pacAttrAID, aid)), "limit 1024"},
		"no info":          {build(key, []byte{1}), "without PAC-Info"},
		"no A-ID":          {build(key, []byte{1}, life), "without A-ID"},
		"other A-ID":       {build(key, []byte{1}, pacAttr(pacAttrAID, []byte{9})), "PAC for A-ID 09"},
		"machine PAC":      {build(key, []byte{1}, pacAttr(pacAttrAID, aid), pacAttr(pacAttrType, []byte{0, 2})), "PAC-Type 2"},
		"bad PAC-Type len": {build(key, []byte{1}, pacAttr(pacAttrAID, aid), pacAttr(pacAttrType, []byte{1})), "PAC-Type of 1 bytes"},
		"bad lifetime len": {build(key, []byte{1}, pacAttr(pacAttrAID, aid), pacAttr(pacAttrLifetime, []byte{1})), "PAC-Lifetime of 1 bytes"},
		"overflow":         {[]byte{0, 1, 0, 40, 1}, "past the"},
		"info overflow":    {append(build(key, []byte{1}), 0, pacAttrInfo, 0, 4, 0, 4, 0, 9), "PAC-Info attribute"},
	} {
		if _, err := parsePACTLV(tc.v, aid); err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.errHas)
		}
	}
}

func TestFASTConfigValidate(t *testing.T) {
	base := Config{Mode: ModeFAST, Identity: "alice", FASTPACDir: "/flash/pac", NoServerVerify: true}
	if err := base.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		edit   func(*Config)
		errHas string
	}{
		"no identity":      {func(c *Config) { c.Identity = "" }, "needs an identity"},
		"no PAC directory": {func(c *Config) { c.FASTPACDir = "" }, "needs a PAC directory"},
		"nothing to trust": {func(c *Config) { c.NoServerVerify = false }, "anonymous PAC provisioning"},
	} {
		c := base
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.errHas) || ReasonOf(err) != ReasonConfig {
			t.Errorf("%s: %v", name, err)
		}
	}
	anon := base
	anon.NoServerVerify, anon.FASTAnonProvisioning = false, true
	if err := anon.Validate(); err != nil {
		t.Errorf("anonymous provisioning only: %v", err)
	}
}
