package net8021x

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
)

// PEAPv0 cryptographic binding (MS-PEAP 3.1.5.5-3.1.5.7): the server proves,
// and the peer answers, that the inner method ran inside this TLS tunnel.
// hostapd's own EAP server sends it; FreeRADIUS does not.

// peapKeys is the keying state of one PEAP run, owned by the engine
// goroutine.
type peapKeys struct {
	tk        []byte // the first 60 octets of the TLS key material
	bound     bool   // crypto binding was used: msk/emsk replace the TLS ones
	msk, emsk []byte
}

const (
	cbSubtypeRequest  = 0
	cbSubtypeResponse = 1
)

// peapPRFPlus is PRF+ of MS-PEAP (hostap peap_prfplus, version 0):
// T1 = HMAC-SHA1(K, S | 1 | 0 | 0), Tn = HMAC-SHA1(K, Tn-1 | S | n | 0 | 0),
// S = label | seed.
func peapPRFPlus(key []byte, label string, seed []byte, n int) []byte {
	var out, t []byte
	for i := byte(1); len(out) < n; i++ {
		h := hmac.New(sha1.New, key)
		h.Write(t)
		h.Write([]byte(label))
		h.Write(seed)
		h.Write([]byte{i, 0, 0})
		t = h.Sum(nil)
		out = append(out, t...)
	}
	return out[:n]
}

// peapCMK derives IPMK and CMK from the tunnel key and the inner method's
// key (ISK, zero-padded to 32 octets).
func peapCMK(tk, innerMSK []byte) (ipmk, cmk []byte) {
	isk := make([]byte, 32)
	copy(isk, innerMSK)
	imck := peapPRFPlus(tk[:40], "Inner Methods Compound Keys", isk, 60)
	return imck[:40], imck[40:60]
}

// peapCompoundMAC is HMAC-SHA1(CMK, binding TLV with a zero MAC | EAP type).
func peapCompoundMAC(cmk, tlv []byte) []byte {
	b := make([]byte, 0, 61)
	b = append(b, tlv[:40]...)
	b = append(b, make([]byte, 20)...)
	b = append(b, typePEAP)
	h := hmac.New(sha1.New, cmk)
	h.Write(b)
	return h.Sum(nil)
}

// cryptoBindingTLV builds a binding TLV (header included) with its MAC.
func cryptoBindingTLV(cmk []byte, subtype uint8, nonce []byte) []byte {
	tlv := []byte{0, tlvCryptoBinding, 0, cryptoBindingLen, 0, 0, 0, subtype}
	tlv = append(tlv, nonce...)
	tlv = append(tlv, make([]byte, 20)...)
	copy(tlv[40:], peapCompoundMAC(cmk, tlv))
	return tlv
}

// answerCryptoBinding checks the server's binding TLV value and returns our
// response TLV; it also switches the keys to the compound session key.
func (k *peapKeys) answerCryptoBinding(value, innerMSK []byte) ([]byte, error) {
	if len(k.tk) < 60 {
		return nil, newError(ReasonProtocol, nil, "PEAP crypto binding before the tunnel keys")
	}
	if value[1] != 0 || value[3] != cbSubtypeRequest {
		return nil, newError(ReasonProtocol, nil, "PEAP crypto binding version %d subtype %d, want 0 and 0", value[1], value[3])
	}
	ipmk, cmk := peapCMK(k.tk, innerMSK)
	tlv := append([]byte{0, tlvCryptoBinding, 0, cryptoBindingLen}, value...)
	if subtle.ConstantTimeCompare(peapCompoundMAC(cmk, tlv), value[36:56]) != 1 {
		return nil, newError(ReasonServerAuthFailure, nil, "PEAP crypto binding: the server's Compound MAC is wrong (tunnel not bound to the inner method)")
	}
	csk := peapPRFPlus(ipmk, "Session Key Generating Function", []byte{0}, 128)
	k.bound, k.msk, k.emsk = true, csk[:64], csk[64:]
	return cryptoBindingTLV(cmk, cbSubtypeResponse, value[4:36]), nil
}
