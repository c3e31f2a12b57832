package provision

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func mustSign(t testing.TB, k ed25519.PrivateKey, b []byte) []byte {
	t.Helper()
	s, err := Sign(k, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignVerify(t *testing.T) {
	k, other := newKey(t), newKey(t)
	signed := mustSign(t, k, []byte("hello"))
	got, id, err := Verify(signed, []ed25519.PublicKey{pub(other), pub(k)})
	if err != nil || string(got) != "hello" || id != KeyID(pub(k)) {
		t.Fatalf("Verify = %q, %s, %v", got, id, err)
	}
	if _, _, err := Verify(signed, []ed25519.PublicKey{pub(other)}); !errors.Is(err, ErrUnknownSigner) {
		t.Errorf("untrusted signer: %v", err)
	}
	for i := range signed {
		bad := bytes.Clone(signed)
		bad[i] ^= 0x01
		if _, _, err := Verify(bad, []ed25519.PublicKey{pub(k)}); err == nil {
			t.Fatalf("byte %d flipped: verified", i)
		}
	}
	if _, _, err := Verify(signed[:len(signed)-1], []ed25519.PublicKey{pub(k)}); !errors.Is(err, ErrBadEnvelope) {
		t.Errorf("truncated: %v", err)
	}
}

func TestSignFileAndKeys(t *testing.T) {
	priv, pubPEM, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := SignFile(priv, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := Verify(signed, []ed25519.PublicKey{pk}); err != nil || string(got) != "x" {
		t.Fatalf("SignFile: %q %v", got, err)
	}
	if _, err := SignFile(pubPEM, []byte("x")); err == nil {
		t.Error("signed with a public key")
	}
	keyText, err := GenerateDataKey()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := EncryptFile(keyText, []byte("secret config"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc, []byte("secret config")) {
		t.Fatal("plaintext in the encrypted file")
	}
	k, _ := ParseDataKey(keyText)
	other, _ := GenerateDataKey()
	ok2, _ := ParseDataKey(other)
	if got, err := Decrypt(enc, ok2, k); err != nil || string(got) != "secret config" {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
	if _, err := Decrypt(enc, ok2); !errors.Is(err, ErrUnknownDataKey) {
		t.Errorf("wrong key: %v", err)
	}
	bad := bytes.Clone(enc)
	bad[len(bad)-1] ^= 1
	if _, err := Decrypt(bad, k); err == nil {
		t.Error("tampered ciphertext decrypted")
	}
}

// securePhone is a phone whose trust list names a config signer, with a
// device key.
func securePhone(t *testing.T, f Fetcher, signer ed25519.PrivateKey, dataKey []byte) *Provisioner {
	p := newPhone(t, f)
	tr, err := OpenTrust(p.DataDir, []ed25519.PublicKey{pub(signer)})
	if err != nil {
		t.Fatal(err)
	}
	p.Trust, p.RequireSigned, p.DataKeys = tr, true, [][]byte{dataKey}
	return p
}

func TestSignedAndEncryptedFiles(t *testing.T) {
	signer := newKey(t)
	dataKey := bytes.Repeat([]byte{7}, 32)
	wrongKey := bytes.Repeat([]byte{8}, 32)
	file := []byte(`<hl_provision version="1"><config version="1"><P35>1001</P35></config></hl_provision>`)
	enc, _ := Encrypt(dataKey, file)
	good := mustSign(t, signer, enc)
	fs := newFiles(map[string][]byte{"cfg001122334455.xml": good})
	s := httptestServer(t, fs)
	p := securePhone(t, &HTTPFetcher{}, signer, dataKey)
	res := p.Pass(context.Background(), s.URL)
	wantOutcome(t, res, "cfg001122334455.xml", Applied)
	if p.Store.String("sip.line1.user") != "1001" {
		t.Fatal("signed, encrypted file not applied")
	}
	before := settingsDiff(p.Store)
	gen := p.Store.Generation()

	other := []byte(`<hl_provision version="1"><config version="1"><P35>6666</P35></config></hl_provision>`)
	tampered := bytes.Clone(good)
	tampered[signHeader+30] ^= 0x20
	encWrong, _ := Encrypt(wrongKey, other)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"tampered", tampered, "does not verify"},
		{"unsigned", other, "not signed"},
		{"unsigned encrypted", encWrong, "not signed"},
		{"signed by a stranger", mustSign(t, newKey(t), other), "not in the trust list"},
		{"encrypted under the wrong key", mustSign(t, signer, encWrong), "does not have"},
	} {
		fs.set("cfg001122334455.xml", c.data)
		res := p.Pass(context.Background(), s.URL)
		f := wantOutcome(t, res, "cfg001122334455.xml", Rejected)
		if !strings.Contains(f.Reason, c.want) {
			t.Errorf("%s: reason %q, want %q", c.name, f.Reason, c.want)
		}
		if after := settingsDiff(p.Store); after != before || p.Store.Generation() != gen {
			t.Errorf("%s: the store changed:\n%s", c.name, after)
		}
	}
}

func signedList(t testing.TB, by ed25519.PrivateKey, kind string, version uint64, signers ...Signer) []byte {
	tl := &TrustList{Kind: kind, Version: version, Signers: signers}
	return mustSign(t, by, tl.Encode())
}

func TestTrustListAlarms(t *testing.T) {
	a, b, c := newKey(t), newKey(t), newKey(t)
	tlRole := []string{RoleTrustList, RoleConfig}
	dir := t.TempDir()
	tr, err := OpenTrust(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	step := func(name string, data []byte, want TLAlarm) {
		t.Helper()
		got, err := tr.Update(data)
		if got != want {
			t.Fatalf("%s: %s (%v), want %s", name, got, err, want)
		}
		if got.OK() != (err == nil) {
			t.Fatalf("%s: alarm %s with error %v", name, got, err)
		}
	}
	step("garbage", []byte("DPS1xx"), TLFailed)
	step("first, signed by a key it does not name", signedList(t, b, "CTL", 1, Signer{Key: pub(a), Roles: tlRole}), TLFailedNoTL)
	step("first, self-signed", signedList(t, a, "CTL", 1, Signer{Key: pub(a), Roles: tlRole}), TLInitialSuccess)
	step("first ITL, signed by the CTL's signer", signedList(t, a, "ITL", 1, Signer{Key: pub(b), Roles: tlRole}), ITLInitialSuccess)
	step("CTL update by a stranger", signedList(t, c, "CTL", 2, Signer{Key: pub(c), Roles: tlRole}), TLFailedOldCTL)
	step("ITL update by a stranger", signedList(t, c, "ITL", 2, Signer{Key: pub(c), Roles: tlRole}), TLFailedOldITL)
	step("CTL replay of an old version", signedList(t, a, "CTL", 1, Signer{Key: pub(c), Roles: tlRole}), TLFailedOldTL)
	step("CTL update, rotating to c", signedList(t, a, "CTL", 2, Signer{Key: pub(c), Roles: tlRole}), TLSuccess)
	step("old signer no longer trusted", signedList(t, a, "CTL", 3, Signer{Key: pub(a), Roles: tlRole}), TLFailedOldCTL)
	bad := signedList(t, c, "CTL", 3, Signer{Key: pub(c), Roles: tlRole})
	bad[len(bad)-1] ^= 1
	step("bad signature", bad, TLFailed)
	if info := tr.Info(); !info.CTL || !info.ITL || info.Signer != KeyID(pub(a)) ||
		info.Last.Result != TLFailed || info.Last.At.IsZero() {
		t.Fatalf("trust info after the updates: %+v", info)
	}

	// The lists survive a restart, and a first CTL under an anchor is
	// CTL_INITIAL_SUCCESS.
	tr2, err := OpenTrust(dir, nil)
	if err != nil || tr2.Versions() != "CTL 2, ITL 1" {
		t.Fatalf("reloaded: %s, %v", tr2.Versions(), err)
	}
	anch, _ := OpenTrust(t.TempDir(), []ed25519.PublicKey{pub(a)})
	if got, err := anch.Update(signedList(t, a, "CTL", 1, Signer{Key: pub(b), Roles: tlRole})); got != CTLInitialSuccess {
		t.Fatalf("under an anchor: %s %v", got, err)
	}
	if got, _ := anch.Update(signedList(t, c, "ITL", 1, Signer{Key: pub(c), Roles: tlRole})); got != TLFailedNoTL {
		t.Fatalf("first ITL by a stranger: %s", got)
	}
}
