package net8021x

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"fmt"
)

// fastKeys is the EAP-FAST key chain of one authentication (RFC 4851 5.2):
// S-IMCK[0] is the session key seed; each inner method's key (ISK) moves it
// on through IMCK[j] = T-PRF(S-IMCK[j-1], "Inner Methods Compound Keys",
// ISK[j], 60) = S-IMCK[j] | CMK[j]; the last S-IMCK gives MSK and EMSK.
type fastKeys struct {
	simck []byte
	cmk   []byte
	j     int
}

const (
	fastSKSLen = 40
	fastISKLen = 32
)

func newFastKeys(sessionKeySeed []byte) *fastKeys {
	return &fastKeys{simck: sessionKeySeed[:fastSKSLen]}
}

// next folds in the key of inner method j+1 (nil for a method without
// keys: 32 zero octets).
func (k *fastKeys) next(isk []byte) {
	pad := make([]byte, fastISKLen)
	copy(pad, isk)
	imck := tPRF(k.simck, "Inner Methods Compound Keys", pad, 60)
	k.simck, k.cmk = imck[:40], imck[40:60]
	k.j++
}

func (k *fastKeys) msk() []byte {
	return tPRF(k.simck, "Session Key Generating Function", nil, 64)
}

func (k *fastKeys) emsk() []byte {
	return tPRF(k.simck, "Extended Session Key Generating Function", nil, 64)
}

// compoundMAC is HMAC-SHA1(CMK, Crypto-Binding TLV with a zero MAC),
// header included (RFC 4851 4.2.8).
func compoundMAC(cmk, tlv []byte) []byte {
	b := make([]byte, len(tlv))
	copy(b, tlv[:len(tlv)-sha1.Size])
	h := hmac.New(sha1.New, cmk)
	h.Write(b)
	return h.Sum(nil)
}

// Crypto-Binding TLV layout after the 4-byte header: reserved, version,
// received version, sub-type, nonce(32), Compound MAC(20).
const (
	fastCBVersion  = 1
	fastCBRequest  = 0
	fastCBResponse = 1
)

// answerBinding checks the server's Crypto-Binding TLV (header included)
// with the current CMK and returns our response TLV.
func (k *fastKeys) answerBinding(tlv []byte) ([]byte, error) {
	v := tlv[4:]
	if v[1] != fastCBVersion || v[2] != fastCBVersion || v[3] != fastCBRequest {
		return nil, newError(ReasonProtocol, nil, "EAP-FAST Crypto-Binding version %d received-version %d sub-type %d, want 1, 1, 0", v[1], v[2], v[3])
	}
	if v[35]&1 != 0 {
		return nil, newError(ReasonProtocol, nil, "EAP-FAST Crypto-Binding request nonce ends in 1 (reserved for the peer)")
	}
	if subtle.ConstantTimeCompare(compoundMAC(k.cmk, tlv), v[36:56]) != 1 {
		return nil, newError(ReasonServerAuthFailure, nil, "EAP-FAST Crypto-Binding: the server's Compound MAC is wrong (tunnel not bound to the inner method)")
	}
	r := make([]byte, 0, 60)
	r = append(r, 0x80|fastTLVCryptoBinding>>8, fastTLVCryptoBinding, 0, cryptoBindingLen)
	r = append(r, 0, fastCBVersion, v[1], fastCBResponse)
	r = append(r, v[4:36]...)
	r[4+4+31] |= 1 // the response nonce is the request's with the last bit set
	r = append(r, make([]byte, sha1.Size)...)
	copy(r[40:], compoundMAC(k.cmk, r))
	return r, nil
}

// fastISK is an inner method's key for the chain. EAP-MSCHAPv2's MSK is
// used with its two halves swapped (RFC 5422 3.2.3: the server's receive
// key first), as hostap does for every EAP-FAST inner MSCHAPv2.
func fastISK(m Method) []byte {
	if m == nil {
		return nil
	}
	msk, _ := m.Keys()
	if len(msk) == 32 && m.Type() == typeMSCHAPv2 {
		return append(append([]byte(nil), msk[16:]...), msk[:16]...)
	}
	if len(msk) > fastISKLen {
		return msk[:fastISKLen]
	}
	return msk
}

func (k *fastKeys) String() string { return fmt.Sprintf("EAP-FAST key chain at S-IMCK[%d]", k.j) }
