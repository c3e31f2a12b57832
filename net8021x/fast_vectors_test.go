package net8021x

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// hexBlock decodes hex laid out over several lines, as the RFC prints it.
func hexBlock(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// prf10 is the TLS 1.0/1.1 PRF, which RFC 4851's vectors use: P_MD5 over the first half of the secret
// XOR P_SHA1 over the second half (RFC 2246 5).
func prf10(secret []byte, label string, seed []byte, n int) []byte {
	half := (len(secret) + 1) / 2
	s := append([]byte(label), seed...)
	out := pHash(md5.New, secret[:half], s, n)
	x := pHash(sha1.New, secret[len(secret)-half:], s, n)
	for i := range out {
		out[i] ^= x[i]
	}
	return out
}

// RFC 4851 Appendix B (B.1 key derivation, B.2 Crypto-Binding): the
// published EAP-FAST vectors (also in hostap's crypto_module_tests.c).
var (
	rfc4851PACKey = "0B97390F37517809811EFD9C6E65942B632CE953893808BA360B037CD185E414"
	rfc4851Seed   = `3FFB11C46CBFA57A5440DAE822D311D3F76DE41DD933E5937097EBA9B366F42A
		000000026A66432A8D14432CEC582D2FC79C3364BA04AD3A5254D6A579AD1E00`
	rfc4851Master = `4A1A512C0160BC023CCFBC833F03BC6488C1312F0BA9A27716A8D8E8BDC9D229
		384B7A85BE164D2733D5247987B1C5A2`
	rfc4851KeyBlock = `5959BE8E413A77748BB2E5D360AC4D35DFFBC81E9C249C8B0EC31D72C8849D57
		48512E45976C8870BE5F01D364E74CBB1124E349E23BCDEF7AB305395D648A44
		11B66988342E8E29D64B7D7217592805AFF9B7FF666DA1968F0B5E06467A4484
		64C1C80C96440998FF92A8B4C6422871`
	rfc4851SKS = `D64B7D7217592805AFF9B7FF666DA1968F0B5E06467A448464C1C80C96440998
		FF92A8B4C6422871`
	rfc4851IMCK = `16153C3F2155EFD97F34AEC81A4E66804CC376F28AA96F96C2545F8CAB6502E1
		18407B56BEEAA7C5765D8F0BC507C6B904D06956728B6BB815EC577B`
	rfc4851MSK = `4D83A9BE6F8A74ED6A02660A634D2C33C2DA6015C63704519038 63DA543E14B9
		2799181E07BF0F5A5E3C3293808C6C4967ED24FE4540A0595E37C2E9D05D0AE3`
	rfc4851BindingTLV = `800C00380001010 0D86A8C683C3231A85663B64021FE21144EE75420792D4262
		C9BF537F54FDAC5843246E3092176DCFE6E069EB33616ACC05C55BB7`
	rfc4851CompoundMAC = "43246E3092176DCFE6E069EB33616ACC05C55BB7"
)

func TestRFC4851KeyDerivation(t *testing.T) {
	seed := hexBlock(t, rfc4851Seed)
	master := tPRF(hexBlock(t, rfc4851PACKey), "PAC to master secret label hash", seed, 48)
	if want := hexBlock(t, rfc4851Master); !bytes.Equal(master, want) {
		t.Fatalf("master secret from PAC-Key\n got %x\nwant %x", master, want)
	}
	kb := prf10(master, "key expansion", seed, 112)
	if want := hexBlock(t, rfc4851KeyBlock); !bytes.Equal(kb, want) {
		t.Fatalf("key block\n got %x\nwant %x", kb, want)
	}
	// The vectors' suite has 20-byte MAC keys, 16-byte keys and no IV:
	// the session key seed follows 72 octets of key block.
	sks := kb[72:]
	if want := hexBlock(t, rfc4851SKS); !bytes.Equal(sks, want) {
		t.Fatalf("session key seed\n got %x\nwant %x", sks, want)
	}
	k := newFastKeys(sks)
	k.next(nil) // an inner method without keys: ISK is 32 zero octets
	imck := hexBlock(t, rfc4851IMCK)
	if !bytes.Equal(k.simck, imck[:40]) || !bytes.Equal(k.cmk, imck[40:]) {
		t.Fatalf("IMCK[1]\n got %x %x\nwant %x", k.simck, k.cmk, imck)
	}
	if want := hexBlock(t, rfc4851MSK); !bytes.Equal(k.msk(), want) {
		t.Fatalf("MSK\n got %x\nwant %x", k.msk(), want)
	}
	// RFC 4851 gives no EMSK vector; it must at least differ from the MSK
	// and come from its own label.
	if emsk := k.emsk(); len(emsk) != 64 || bytes.Equal(emsk, k.msk()) {
		t.Fatalf("EMSK %x", emsk)
	}
	tlv := hexBlock(t, rfc4851BindingTLV)
	if got, want := compoundMAC(k.cmk, tlv), hexBlock(t, rfc4851CompoundMAC); !bytes.Equal(got, want) {
		t.Fatalf("Compound MAC\n got %x\nwant %x", got, want)
	}
}

// The B.2 Crypto-Binding TLV, as a server request (sub-type 0), is
// accepted with the B.1 CMK and answered with sub-type 1, the nonce's
// last bit set and a MAC the same CMK verifies.
func TestRFC4851CryptoBindingAnswer(t *testing.T) {
	k := newFastKeys(hexBlock(t, rfc4851SKS))
	k.next(nil)
	req := hexBlock(t, rfc4851BindingTLV)
	resp, err := k.answerBinding(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp[7] != fastCBResponse || resp[39] != req[39]|1 || !bytes.Equal(resp[8:39], req[8:39]) {
		t.Fatalf("response TLV %x", resp)
	}
	if !bytes.Equal(compoundMAC(k.cmk, resp), resp[40:]) {
		t.Fatal("response Compound MAC does not verify")
	}
	bad := bytes.Clone(req)
	bad[len(bad)-1] ^= 1
	if _, err := k.answerBinding(bad); ReasonOf(err) != ReasonServerAuthFailure {
		t.Fatalf("wrong MAC: %v", err)
	}
	other := newFastKeys(hexBlock(t, rfc4851SKS))
	other.next([]byte{1})
	if _, err := other.answerBinding(req); err == nil {
		t.Fatal("binding accepted with another inner key")
	}
}

// TLS 1.2 PRF (SHA-256) known answer, the widely used vector from the TLS
// WG list, also what `openssl kdf TLS1-PRF` prints for it.
func TestPRF12KnownAnswer(t *testing.T) {
	got := prf12(hexBlock(t, "9bbe436ba940f017b17652849a71db35"), "test label", hexBlock(t, "a0ba9f936cda311827a6f796ffd5198c"), 100)
	want := hexBlock(t, `e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a
		6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab
		4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701
		87347b66`)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x\nwant %x", got, want)
	}
}

// The MSCHAPv2 ISK is the MSK with its halves swapped (RFC 5422 3.2.3).
func TestFastISKMSCHAPv2Order(t *testing.T) {
	m := &mschapv2Method{msk: append(bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 16)...)}
	isk := fastISK(m)
	if !bytes.Equal(isk[:16], bytes.Repeat([]byte{2}, 16)) || !bytes.Equal(isk[16:], bytes.Repeat([]byte{1}, 16)) {
		t.Fatalf("ISK %x", isk)
	}
	if fastISK(&gtcMethod{}) != nil || fastISK(nil) != nil {
		t.Fatal("GTC has no key")
	}
}

// Record layer known answer, computed with OpenSSL's command line (HMAC
// then AES-128-CBC, independent of this code and of crypto/tls):
// application data "hello, EAP-FAST", sequence 0.
func TestFASTRecordKnownAnswer(t *testing.T) {
	key := hexBlock(t, "000102030405060708090a0b0c0d0e0f")
	macKey := hexBlock(t, "101112131415161718191a1b1c1d1e1f20212223")
	iv := hexBlock(t, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
	want := append(bytes.Clone(iv), hexBlock(t, `f3e908cd3f82c3befee9f3d2f924679d46a762ed439c1d18d85526f54a124cfa
		747ea26b76e0d124068ab5e0d14a749b`)...)
	w, err := newCBCState(key, macKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.seal(recAppData, []byte("hello, EAP-FAST"), bytes.NewReader(iv))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("sealed\n got %x\nwant %x", got, want)
	}
	r, _ := newCBCState(key, macKey)
	plain, err := r.open(recAppData, want)
	if err != nil || string(plain) != "hello, EAP-FAST" {
		t.Fatalf("open: %q, %v", plain, err)
	}
	// Each tampering is the one bad_record_mac error: ciphertext, IV (it
	// changes the first plaintext block), the sequence number, the type.
	for name, f := range map[string]func() ([]byte, error){
		"ciphertext": func() ([]byte, error) {
			b := bytes.Clone(want)
			b[len(b)-20] ^= 1
			s, _ := newCBCState(key, macKey)
			return s.open(recAppData, b)
		},
		"iv": func() ([]byte, error) {
			b := bytes.Clone(want)
			b[0] ^= 1
			s, _ := newCBCState(key, macKey)
			return s.open(recAppData, b)
		},
		"sequence": func() ([]byte, error) {
			s, _ := newCBCState(key, macKey)
			s.seq = 1
			return s.open(recAppData, want)
		},
		"type": func() ([]byte, error) {
			s, _ := newCBCState(key, macKey)
			return s.open(recHandshake, want)
		},
	} {
		if _, err := f(); !errors.Is(err, errBadRecordMAC) {
			t.Errorf("%s tampered: %v, want bad_record_mac", name, err)
		}
	}
	short, _ := newCBCState(key, macKey)
	if _, err := short.open(recAppData, want[:32]); err == nil || !strings.Contains(err.Error(), "not IV + whole blocks") {
		t.Errorf("short record: %v", err)
	}
}
