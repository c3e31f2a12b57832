package media

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// The example line of RFC 4568 section 4.
const rfcCrypto = "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32"

func TestParseCryptoRFCExample(t *testing.T) {
	c, err := ParseCrypto("a=crypto:" + rfcCrypto)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")
	if c.Tag != 1 || c.Suite != AES_CM_128_HMAC_SHA1_80 || !bytes.Equal(c.Key, raw[:16]) || !bytes.Equal(c.Salt, raw[16:]) {
		t.Fatalf("parsed %+v", c)
	}
	if c.Lifetime != "2^20" || c.MKI != 1 || c.MKILen != 32 {
		t.Fatalf("lifetime/MKI: %q %d:%d", c.Lifetime, c.MKI, c.MKILen)
	}
	if got := c.Value(); got != rfcCrypto {
		t.Fatalf("Value() = %q, want %q", got, rfcCrypto)
	}
	if m := c.MKIBytes(); len(m) != 32 || m[31] != 1 {
		t.Fatalf("MKI bytes %x", m)
	}
	if s := c.String(); strings.Contains(s, "PS1uQ") || !strings.Contains(s, "****") {
		t.Fatalf("String() leaks or does not mask the key: %q", s)
	}
}

func TestCryptoSuitesRoundTrip(t *testing.T) {
	want := map[Suite][2]int{
		AES_CM_128_HMAC_SHA1_80: {16, 14}, AES_CM_128_HMAC_SHA1_32: {16, 14},
		AES_256_CM_HMAC_SHA1_80: {32, 14}, AEAD_AES_128_GCM: {16, 12}, AEAD_AES_256_GCM: {32, 12},
	}
	for s, kl := range want {
		c, err := NewCrypto(7, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Key) != kl[0] || len(c.Salt) != kl[1] {
			t.Errorf("%s: key %d salt %d, want %v", s, len(c.Key), len(c.Salt), kl)
		}
		p, err := ParseCrypto(c.Value())
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if p.Tag != 7 || p.Suite != s || !bytes.Equal(p.Key, c.Key) || !bytes.Equal(p.Salt, c.Salt) {
			t.Errorf("%s: round trip %v != %v", s, p, c)
		}
	}
}

func TestParseCryptoRejects(t *testing.T) {
	key30 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xAB}, 30))
	key28 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xAB}, 28))
	cases := map[string]string{
		"":                          "fields",
		"1 AES_CM_128_HMAC_SHA1_80": "fields",
		"x AES_CM_128_HMAC_SHA1_80 inline:" + key30:                      "tag",
		"1 F8_128_HMAC_SHA1_80 inline:" + key30:                          "not supported",
		"1 AES_CM_128_HMAC_SHA1_80 uri:" + key30:                         "inline",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + key28:                      "28 bytes",
		"1 AEAD_AES_128_GCM inline:" + key30:                             "30 bytes, AEAD_AES_128_GCM needs 28",
		"1 AES_CM_128_HMAC_SHA1_80 inline:!!notbase64":                   "base64",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^x":             "lifetime",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|1:0":             "MKI length",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|300:1":           "fit",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|1:4|2^20":        "lifetime",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + ";inline:" + key30: "multiple",
	}
	for line, want := range cases {
		_, err := ParseCrypto(line)
		if err == nil {
			t.Errorf("%q: accepted", line)
			continue
		}
		if !errors.Is(err, ErrCrypto) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %q, want ErrCrypto mentioning %q", line, err, want)
		}
		if strings.Contains(err.Error(), key30[:12]) {
			t.Errorf("%q: error leaks the key: %q", line, err)
		}
	}
}

func TestChooseCryptoPreference(t *testing.T) {
	gcm, _ := NewCrypto(1, AEAD_AES_128_GCM)
	c32, _ := NewCrypto(2, AES_CM_128_HMAC_SHA1_32)
	c80, _ := NewCrypto(3, AES_CM_128_HMAC_SHA1_80)
	withParam, _ := NewCrypto(4, AES_CM_128_HMAC_SHA1_80)
	withParam.Params = []string{"UNENCRYPTED_SRTP"}

	remote, local, err := ChooseCrypto([]Crypto{gcm, withParam, c32, c80}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if remote.Tag != 3 || local.Tag != 3 || local.Suite != AES_CM_128_HMAC_SHA1_80 {
		t.Fatalf("chose remote %v local %v, want tag 3 AES_CM_128_HMAC_SHA1_80", remote, local)
	}
	if bytes.Equal(local.Key, c80.Key) {
		t.Fatal("answer reuses the offerer's key")
	}
	remote, _, err = ChooseCrypto([]Crypto{c32, gcm}, nil)
	if err != nil || remote.Suite != AEAD_AES_128_GCM {
		t.Fatalf("got %v, %v; want GCM before the 32-bit tag", remote, err)
	}
	if _, _, err := ChooseCrypto([]Crypto{withParam}, nil); !errors.Is(err, ErrNotAcceptable) {
		t.Fatalf("only unsupported params: err %v", err)
	}
}

func FuzzParseCrypto(f *testing.F) {
	f.Add(rfcCrypto)
	f.Add("2 AEAD_AES_256_GCM inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")
	f.Add("1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=1")
	f.Fuzz(func(t *testing.T, line string) {
		c, err := ParseCrypto(line)
		if err != nil {
			return
		}
		again, err := ParseCrypto(c.Value())
		if err != nil {
			t.Fatalf("formatted line does not parse: %v", err)
		}
		if again.Value() != c.Value() {
			t.Fatalf("not stable: %q -> %q", c.Value(), again.Value())
		}
		_ = c.String()
	})
}

func TestCryptoNeverPrintsKey(t *testing.T) {
	c, _ := ParseCrypto(rfcCrypto)
	n := Negotiated{LocalCrypto: c, RemoteCrypto: c, SRTP: true}
	raw := strings.TrimSuffix(fmt.Sprint(c.Key[:4]), "]") // "[61 45 110 64" as %v prints bytes
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, n); strings.Contains(s, "PS1uQ") || strings.Contains(s, raw[1:]) {
			t.Errorf("%s leaks the key: %s", f, s)
		}
		if s := fmt.Sprintf(f, c); strings.Contains(s, "PS1uQ") {
			t.Errorf("%s of Crypto leaks the key: %s", f, s)
		}
	}
}
