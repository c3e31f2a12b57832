package net8021x

import (
	"encoding/binary"
	"fmt"
)

// PEAP extension TLVs (MS-PEAP 2.2.8; the same as EAP-FAST's).
const (
	tlvMandatory     = 0x8000
	tlvTypeMask      = 0x3fff
	tlvResult        = 3
	tlvNak           = 4
	tlvCryptoBinding = 12
	resultSuccess    = 1
	resultFailure    = 2
	cryptoBindingLen = 56
)

type peapTLV struct {
	Mandatory bool
	Type      uint16
	Value     []byte
}

// parsePEAPTLVs decodes the TLVs of an EAP-TLV (type 33) packet and checks
// the ones we act on.
func parsePEAPTLVs(b []byte) ([]peapTLV, error) {
	var out []peapTLV
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("PEAP TLV header of %d bytes: %w", len(b), errMalformed)
		}
		t := binary.BigEndian.Uint16(b[0:2])
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if 4+n > len(b) {
			return nil, fmt.Errorf("PEAP TLV %d length %d past the %d bytes left: %w", t&tlvTypeMask, n, len(b)-4, errMalformed)
		}
		tlv := peapTLV{Mandatory: t&tlvMandatory != 0, Type: t & tlvTypeMask, Value: b[4 : 4+n]}
		b = b[4+n:]
		switch tlv.Type {
		case tlvResult:
			if n != 2 {
				return nil, fmt.Errorf("PEAP Result TLV of %d bytes, want 2: %w", n, errMalformed)
			}
			if s := binary.BigEndian.Uint16(tlv.Value); s != resultSuccess && s != resultFailure {
				return nil, fmt.Errorf("PEAP Result TLV status %d unknown: %w", s, errMalformed)
			}
		case tlvCryptoBinding:
			if n != cryptoBindingLen {
				return nil, fmt.Errorf("PEAP Crypto-Binding TLV of %d bytes, want %d: %w", n, cryptoBindingLen, errMalformed)
			}
		default:
			if tlv.Mandatory {
				return nil, fmt.Errorf("PEAP TLV type %d is mandatory and unknown: %w", tlv.Type, errMalformed)
			}
		}
		out = append(out, tlv)
	}
	return out, nil
}

// resultTLV is a Result TLV with the given status.
func resultTLV(status uint16) []byte {
	return []byte{tlvMandatory >> 8, tlvResult, 0, 2, byte(status >> 8), byte(status)}
}
