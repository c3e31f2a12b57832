package net8021x

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// The pseudo-random functions of EAP-FAST: TLS 1.2's PRF runs the
// handshake and also derives the session key seed after the key block
// (hostapd with OpenSSL 3 does so on TLS 1.2; RFC 4851's vectors, from the
// TLS 1.0 days, use TLS 1.0's PRF: see fast_vectors_test.go), and T-PRF
// (RFC 4851 5.5) derives the master secret from the PAC-Key and the whole
// inner key chain.

// pHash is P_hash of RFC 5246 5.
func pHash(h func() hash.Hash, secret, seed []byte, n int) []byte {
	out := make([]byte, 0, n+64)
	mac := hmac.New(h, secret)
	mac.Write(seed)
	a := mac.Sum(nil)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(nil)
	}
	return out[:n]
}

// prf12 is the TLS 1.2 PRF with SHA-256 (every suite EAP-FAST offers).
func prf12(secret []byte, label string, seed []byte, n int) []byte {
	return pHash(sha256.New, secret, append([]byte(label), seed...), n)
}

// tPRF is RFC 4851 5.5: T1 = HMAC-SHA1(key, S | len | 1), Tn =
// HMAC-SHA1(key, Tn-1 | S | len | n), S = label | 0x00 | seed.
func tPRF(key []byte, label string, seed []byte, n int) []byte {
	s := make([]byte, 0, len(label)+1+len(seed)+2)
	s = append(s, label...)
	s = append(s, 0)
	s = append(s, seed...)
	s = binary.BigEndian.AppendUint16(s, uint16(n))
	out := make([]byte, 0, n+sha1.Size)
	var t []byte
	mac := hmac.New(sha1.New, key)
	for i := byte(1); len(out) < n; i++ {
		mac.Reset()
		mac.Write(t)
		mac.Write(s)
		mac.Write([]byte{i})
		t = mac.Sum(nil)
		out = append(out, t...)
	}
	return out[:n]
}
