package net8021x

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 2759 section 9.2.
func TestMSCHAPv2RFC2759Vectors(t *testing.T) {
	authChal := unhex(t, "5B5D7C7D7B3F2F3E3C2C602132262628")
	peerChal := unhex(t, "21402324255E262A28295F2B3A337C7E")
	if got, want := challengeHash(peerChal, authChal, "User"), unhex(t, "D02E4386BCE91226"); !bytes.Equal(got, want) {
		t.Errorf("ChallengeHash = %X, want %X", got, want)
	}
	if got, want := ntPasswordHash("clientPass"), unhex(t, "44EBBA8D5312B8D611474411F56989AE"); !bytes.Equal(got, want) {
		t.Errorf("NtPasswordHash = %X, want %X", got, want)
	}
	if got, want := hashNTPasswordHash(ntPasswordHash("clientPass")), unhex(t, "41C00C584BD2D91C4017A2A12FA59F3F"); !bytes.Equal(got, want) {
		t.Errorf("PasswordHashHash = %X, want %X", got, want)
	}
	nt := generateNTResponse(authChal, peerChal, "User", "clientPass")
	if want := unhex(t, "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF"); !bytes.Equal(nt, want) {
		t.Errorf("NT-Response = %X, want %X", nt, want)
	}
	if got, want := authenticatorResponse("clientPass", nt, peerChal, authChal, "User"), "S=407A5589115FD0D6209F510FE9C04566932CDA56"; got != want {
		t.Errorf("AuthenticatorResponse = %s, want %s", got, want)
	}
	// A domain prefix does not enter the hashes.
	if got := generateNTResponse(authChal, peerChal, mschapUser(`CORP\User`), "clientPass"); !bytes.Equal(got, nt) {
		t.Errorf("NT-Response with domain = %X", got)
	}
}

// RFC 3079 section 3.5.3 (128-bit keys from the RFC 2759 example).
func TestMPPERFC3079Vectors(t *testing.T) {
	nt := unhex(t, "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF")
	mk := mppeMasterKey(hashNTPasswordHash(ntPasswordHash("clientPass")), nt)
	if want := unhex(t, "FDECE3717A8C838CB388E527AE3CDD31"); !bytes.Equal(mk, want) {
		t.Fatalf("MasterKey = %X, want %X", mk, want)
	}
	// The RFC's example is the server side: its send key.
	send := mppeAsymmetricStartKey(mk, 16, true, true)
	if want := unhex(t, "8B7CDC149B993A1BA118CB153F56DCCB"); !bytes.Equal(send, want) {
		t.Errorf("SendStartKey = %X, want %X", send, want)
	}
	// The client's receive key is the server's send key.
	if got := mppeAsymmetricStartKey(mk, 16, false, false); !bytes.Equal(got, send) {
		t.Errorf("client receive key = %X, want the server send key %X", got, send)
	}
	msk := mschapv2MSK("clientPass", nt)
	if len(msk) != 32 || !bytes.Equal(msk[16:], send) {
		t.Errorf("MSK = %X, want client send key then %X", msk, send)
	}
}

// EAP-MD5: MD5(id || password || challenge), computed with Python's hashlib
// for id 7, "password", challenge 00..0f.
func TestMD5Response(t *testing.T) {
	m := newMD5(&Config{Password: "password"})
	chal := unhex(t, "000102030405060708090a0b0c0d0e0f")
	st, err := m.Process(7, append([]byte{16}, chal...))
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{16}, unhex(t, "23ede83231c0bc7b7f00c30fc578cadc")...)
	if !bytes.Equal(st.Response, want) {
		t.Errorf("response = %x, want %x", st.Response, want)
	}
	if st.State != MethodDone || st.Decision != DecisionCondSucc {
		t.Errorf("state %v decision %v", st.State, st.Decision)
	}
}

// PEAP PRF+ and the crypto-binding key chain, computed independently with
// Python's hmac for TK = 00..3b and a 16-byte ISK of 0x11 (zero-padded).
func TestPEAPKeyChain(t *testing.T) {
	tk := make([]byte, 60)
	for i := range tk {
		tk[i] = byte(i)
	}
	ipmk, cmk := peapCMK(tk, bytes.Repeat([]byte{0x11}, 16))
	if want := unhex(t, "3bf87faf77d527bfd42da16826a7e4fc9a2bd9bfb5bf7f6bb05f79e257d3971b17a720c9d1f27337"); !bytes.Equal(ipmk, want) {
		t.Errorf("IPMK = %x, want %x", ipmk, want)
	}
	if want := unhex(t, "0abbaf799c7970ada02ea53152314942df5467be"); !bytes.Equal(cmk, want) {
		t.Errorf("CMK = %x, want %x", cmk, want)
	}
	csk := peapPRFPlus(ipmk, "Session Key Generating Function", []byte{0}, 128)
	if want := unhex(t, "af3f3935d093fecba3b15428b39acb4b"); !bytes.Equal(csk[:16], want) {
		t.Errorf("CSK = %x..., want %x...", csk[:16], want)
	}
	if want := unhex(t, "b2ff4c06894725e8c030adc88d29218d"); !bytes.Equal(csk[64:80], want) {
		t.Errorf("CSK[64:] = %x..., want %x...", csk[64:80], want)
	}
}
