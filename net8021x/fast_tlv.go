package net8021x

import (
	"encoding/binary"
	"fmt"
)

// EAP-FAST TLVs (RFC 4851 4.2) carried in the tunnel, and the PAC
// attributes inside the PAC TLV (RFC 5422 4.2). Both share one header:
// M(andatory) bit, R bit, 14-bit type, 16-bit length.

const (
	fastTLVResult            = 3
	fastTLVNAK               = 4
	fastTLVError             = 5
	fastTLVVendor            = 7
	fastTLVEAPPayload        = 9
	fastTLVIntermediate      = 10
	fastTLVPAC               = 11
	fastTLVCryptoBinding     = 12
	fastTLVServerTrustedRoot = 18
	fastTLVRequestAction     = 19
	fastTLVPKCS7             = 20
)

// PAC attribute types (RFC 5422 4.2).
const (
	pacAttrKey      = 1
	pacAttrOpaque   = 2
	pacAttrLifetime = 3
	pacAttrAID      = 4
	pacAttrIID      = 5
	pacAttrAIDInfo  = 7
	pacAttrAck      = 8
	pacAttrInfo     = 9
	pacAttrType     = 10

	pacTypeTunnel = 1

	fastActionProcessTLV = 1 // Request-Action: process the TLVs that follow
)

// fastTLV is one TLV; raw is the whole TLV as received (the Compound MAC
// covers the header too).
type fastTLV struct {
	typ       uint16
	mandatory bool
	value     []byte
	raw       []byte
}

// parseTLVList splits b into TLVs; what names them in errors ("FAST TLV",
// "PAC attribute").
func parseTLVList(b []byte, what string) ([]fastTLV, error) {
	var out []fastTLV
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%s header of %d bytes, need 4: %w", what, len(b), errMalformed)
		}
		t := binary.BigEndian.Uint16(b)
		n := int(binary.BigEndian.Uint16(b[2:]))
		if len(b)-4 < n {
			return nil, fmt.Errorf("%s type %d length %d past the %d bytes left: %w", what, t&tlvTypeMask, n, len(b)-4, errMalformed)
		}
		out = append(out, fastTLV{typ: t & tlvTypeMask, mandatory: t&tlvMandatory != 0, value: b[4 : 4+n], raw: b[:4+n]})
		b = b[4+n:]
	}
	return out, nil
}

// fastMsg is one decoded tunnel message from the server.
type fastMsg struct {
	result        uint16 // Result TLV status, 0 if absent
	intermediate  uint16 // Intermediate-Result status, 0 if absent
	nakVendor     uint32
	nakType       uint16 // NAK TLV: the server refused our TLV of this type
	hasNAK        bool
	errorCode     uint32 // Error TLV, 0 if absent
	eapPayload    []byte
	pac           []byte // PAC TLV value
	binding       []byte // Crypto-Binding TLV, header included
	requestAction uint16
	unknown       []uint16 // unknown mandatory TLVs: answered with a NAK
}

// decodeFastMsg parses and checks a tunnel message: every known TLV once
// at most, with a valid length and status.
func decodeFastMsg(b []byte) (fastMsg, error) {
	var m fastMsg
	tlvs, err := parseTLVList(b, "FAST TLV")
	if err != nil {
		return m, err
	}
	seen := map[uint16]bool{}
	for _, t := range tlvs {
		if seen[t.typ] && t.typ != fastTLVVendor {
			return m, fmt.Errorf("FAST TLV type %d twice in one message: %w", t.typ, errMalformed)
		}
		seen[t.typ] = true
		switch t.typ {
		case fastTLVResult, fastTLVIntermediate:
			if len(t.value) < 2 || (t.typ == fastTLVResult && len(t.value) != 2) {
				return m, fmt.Errorf("FAST %s TLV of %d bytes: %w", resultName(t.typ), len(t.value), errMalformed)
			}
			s := binary.BigEndian.Uint16(t.value)
			if s != resultSuccess && s != resultFailure {
				return m, fmt.Errorf("FAST %s TLV status %d unknown: %w", resultName(t.typ), s, errMalformed)
			}
			if t.typ == fastTLVResult {
				m.result = s
			} else {
				m.intermediate = s
			}
		case fastTLVNAK:
			if len(t.value) < 6 {
				return m, fmt.Errorf("FAST NAK TLV of %d bytes, need 6: %w", len(t.value), errMalformed)
			}
			m.hasNAK, m.nakVendor, m.nakType = true, binary.BigEndian.Uint32(t.value), binary.BigEndian.Uint16(t.value[4:])
		case fastTLVError:
			if len(t.value) != 4 {
				return m, fmt.Errorf("FAST Error TLV of %d bytes, want 4: %w", len(t.value), errMalformed)
			}
			m.errorCode = binary.BigEndian.Uint32(t.value)
		case fastTLVVendor:
			if len(t.value) < 4 {
				return m, fmt.Errorf("FAST Vendor-Specific TLV of %d bytes, need 4: %w", len(t.value), errMalformed)
			}
			if t.mandatory {
				// No vendor extension is understood here.
				m.unknown = append(m.unknown, t.typ)
			}
		case fastTLVEAPPayload:
			if len(t.value) < 4 {
				return m, fmt.Errorf("FAST EAP-Payload TLV of %d bytes, need 4: %w", len(t.value), errMalformed)
			}
			m.eapPayload = t.value
		case fastTLVPAC:
			if len(t.value) == 0 {
				return m, fmt.Errorf("FAST PAC TLV empty: %w", errMalformed)
			}
			m.pac = t.value
		case fastTLVCryptoBinding:
			if len(t.value) != cryptoBindingLen {
				return m, fmt.Errorf("FAST Crypto-Binding TLV of %d bytes, want %d: %w", len(t.value), cryptoBindingLen, errMalformed)
			}
			m.binding = t.raw
		case fastTLVRequestAction:
			if len(t.value) != 2 {
				return m, fmt.Errorf("FAST Request-Action TLV of %d bytes, want 2: %w", len(t.value), errMalformed)
			}
			m.requestAction = binary.BigEndian.Uint16(t.value)
		default:
			if t.mandatory {
				m.unknown = append(m.unknown, t.typ)
			}
		}
	}
	if m.pac != nil && m.result == 0 {
		return m, fmt.Errorf("FAST PAC TLV without a Result TLV: %w", errMalformed)
	}
	return m, nil
}

func resultName(t uint16) string {
	if t == fastTLVIntermediate {
		return "Intermediate-Result"
	}
	return "Result"
}

// fastTLVBytes builds a mandatory TLV.
func fastTLVBytes(typ uint16, value []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, tlvMandatory|typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(value)))
	return append(b, value...)
}

// pacAttr builds a PAC attribute (no M bit, as hostap sends them).
func pacAttr(typ uint16, value []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(value)))
	return append(b, value...)
}

func fastResultTLV(typ, status uint16) []byte {
	return fastTLVBytes(typ, binary.BigEndian.AppendUint16(nil, status))
}

func fastNAKTLV(typ uint16) []byte {
	v := binary.BigEndian.AppendUint32(nil, 0)
	return fastTLVBytes(fastTLVNAK, binary.BigEndian.AppendUint16(v, typ))
}

// fastPACRequestTLV asks for a new tunnel PAC (RFC 5422 3.4): a
// Request-Action (Process-TLV) and a PAC TLV holding only PAC-Type;
// hostapd acts on the PAC TLV only with the Request-Action before it.
func fastPACRequestTLV() []byte {
	b := fastTLVBytes(fastTLVRequestAction, []byte{0, fastActionProcessTLV})
	return append(b, fastTLVBytes(fastTLVPAC, pacAttr(pacAttrType, []byte{0, pacTypeTunnel}))...)
}

// fastPACAckTLV acknowledges a received PAC.
func fastPACAckTLV() []byte {
	return fastTLVBytes(fastTLVPAC, pacAttr(pacAttrAck, []byte{0, resultSuccess}))
}
