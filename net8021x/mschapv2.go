package net8021x

import (
	"crypto/des"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"unicode/utf16"

	"golang.org/x/crypto/md4"
)

// MS-CHAPv2 (RFC 2759) and its MPPE keys (RFC 3079).

// ntPasswordHash is MD4 of the UTF-16LE password (RFC 2759 8.3).
func ntPasswordHash(password string) []byte {
	u := utf16.Encode([]rune(password))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	h := md4.New()
	h.Write(b)
	return h.Sum(nil)
}

func hashNTPasswordHash(h []byte) []byte {
	m := md4.New()
	m.Write(h)
	return m.Sum(nil)
}

// mschapUser drops a "DOMAIN\" prefix: the hashes use the bare user name.
func mschapUser(identity string) string {
	if i := strings.LastIndexByte(identity, '\\'); i >= 0 {
		return identity[i+1:]
	}
	return identity
}

// challengeHash is RFC 2759 8.2.
func challengeHash(peerChallenge, authChallenge []byte, user string) []byte {
	h := sha1.New()
	h.Write(peerChallenge)
	h.Write(authChallenge)
	h.Write([]byte(user))
	return h.Sum(nil)[:8]
}

// desKey spreads 7 key bytes over 8 with a parity slot (RFC 2759 8.6).
func desKey(k []byte) []byte {
	return []byte{
		k[0],
		k[0]<<7 | k[1]>>1,
		k[1]<<6 | k[2]>>2,
		k[2]<<5 | k[3]>>3,
		k[3]<<4 | k[4]>>4,
		k[4]<<3 | k[5]>>5,
		k[5]<<2 | k[6]>>6,
		k[6] << 1,
	}
}

// challengeResponse is RFC 2759 8.5: three DES encryptions of the challenge.
func challengeResponse(challenge, pwHash []byte) []byte {
	z := make([]byte, 21)
	copy(z, pwHash)
	out := make([]byte, 24)
	for i := range 3 {
		c, _ := des.NewCipher(desKey(z[7*i : 7*i+7])) // the key is always 8 bytes
		c.Encrypt(out[8*i:], challenge)
	}
	return out
}

// generateNTResponse is RFC 2759 8.1.
func generateNTResponse(authChallenge, peerChallenge []byte, user, password string) []byte {
	return challengeResponse(challengeHash(peerChallenge, authChallenge, user), ntPasswordHash(password))
}

var (
	magic1 = []byte("Magic server to client signing constant")
	magic2 = []byte("Pad to make it do more than one iteration")
)

// authenticatorResponse is RFC 2759 8.7: "S=" and 40 upper-case hex digits.
func authenticatorResponse(password string, ntResponse, peerChallenge, authChallenge []byte, user string) string {
	hh := hashNTPasswordHash(ntPasswordHash(password))
	h := sha1.New()
	h.Write(hh)
	h.Write(ntResponse)
	h.Write(magic1)
	digest := h.Sum(nil)
	h = sha1.New()
	h.Write(digest)
	h.Write(challengeHash(peerChallenge, authChallenge, user))
	h.Write(magic2)
	return "S=" + strings.ToUpper(hex.EncodeToString(h.Sum(nil)))
}

// RFC 3079 3.4 constants.
var (
	mppeMagic1 = []byte("This is the MPPE Master Key")
	mppeMagic2 = []byte("On the client side, this is the send key; on the server side, it is the receive key.")
	mppeMagic3 = []byte("On the client side, this is the receive key; on the server side, it is the send key.")
	shsPad1    = make([]byte, 40)
	shsPad2    = []byte(strings.Repeat("\xf2", 40))
)

// mppeMasterKey is RFC 3079 GetMasterKey.
func mppeMasterKey(passwordHashHash, ntResponse []byte) []byte {
	h := sha1.New()
	h.Write(passwordHashHash)
	h.Write(ntResponse)
	h.Write(mppeMagic1)
	return h.Sum(nil)[:16]
}

// mppeAsymmetricStartKey is RFC 3079 GetAsymetricStartKey.
func mppeAsymmetricStartKey(masterKey []byte, n int, send, server bool) []byte {
	// The client's send key is the server's receive key.
	s := mppeMagic3
	if send != server {
		s = mppeMagic2
	}
	h := sha1.New()
	h.Write(masterKey)
	h.Write(shsPad1)
	h.Write(s)
	h.Write(shsPad2)
	return h.Sum(nil)[:n]
}

// mschapv2MSK is the peer's EAP-MSCHAPv2 key (hostap eap_mschapv2_getKey):
// its send key then its receive key.
func mschapv2MSK(password string, ntResponse []byte) []byte {
	mk := mppeMasterKey(hashNTPasswordHash(ntPasswordHash(password)), ntResponse)
	k := mppeAsymmetricStartKey(mk, 16, true, false)
	return append(k, mppeAsymmetricStartKey(mk, 16, false, false)...)
}
