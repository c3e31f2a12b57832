package net8021x

import (
	"encoding/binary"
	"fmt"
)

// Diameter AVPs carried in EAP-TTLS (RFC 5281 10).
const (
	avpUserName        = 1
	avpReplyMessage    = 18
	avpEAPMessage      = 79
	avpFlagVendor      = 0x80
	avpFlagMandatory   = 0x40
	vendorMicrosoft    = 311
	avpMSCHAP2Success  = 26
	mschap2SuccessSize = 43 // Ident + "S=" + 40 hex digits
)

type ttlsAVP struct {
	Code      uint32
	Vendor    uint32
	Mandatory bool
	Data      []byte
}

// parseTTLSAVPs decodes the AVPs of one decrypted TTLS message.
func parseTTLSAVPs(b []byte) ([]ttlsAVP, error) {
	var out []ttlsAVP
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, fmt.Errorf("TTLS AVP header of %d bytes: %w", len(b), errMalformed)
		}
		a := ttlsAVP{Code: binary.BigEndian.Uint32(b[0:4])}
		flags := b[4]
		n := int(b[5])<<16 | int(b[6])<<8 | int(b[7])
		if n < 8 {
			return nil, fmt.Errorf("TTLS AVP %d length %d below 8: %w", a.Code, n, errMalformed)
		}
		if n > len(b) {
			return nil, fmt.Errorf("TTLS AVP %d length %d past the %d bytes left: %w", a.Code, n, len(b), errMalformed)
		}
		hdr := 8
		if flags&avpFlagVendor != 0 {
			if n < 12 {
				return nil, fmt.Errorf("TTLS vendor AVP %d length %d below 12: %w", a.Code, n, errMalformed)
			}
			a.Vendor = binary.BigEndian.Uint32(b[8:12])
			hdr = 12
		}
		a.Mandatory = flags&avpFlagMandatory != 0
		a.Data = b[hdr:n]
		pad := (4 - n%4) % 4
		if n+pad > len(b) {
			pad = len(b) - n // the last AVP may come unpadded
		}
		b = b[n+pad:]
		switch {
		case a.Vendor == 0 && (a.Code == avpUserName || a.Code == avpEAPMessage || a.Code == avpReplyMessage):
		case a.Vendor == vendorMicrosoft && a.Code == avpMSCHAP2Success:
			if len(a.Data) != mschap2SuccessSize {
				return nil, fmt.Errorf("TTLS MS-CHAP2-Success of %d bytes, want %d: %w", len(a.Data), mschap2SuccessSize, errMalformed)
			}
		case a.Mandatory:
			return nil, fmt.Errorf("TTLS AVP %d (vendor %d) is mandatory and unknown: %w", a.Code, a.Vendor, errMalformed)
		}
		out = append(out, a)
	}
	return out, nil
}

// appendAVP adds one vendor-less mandatory AVP, padded to 4 bytes.
func appendAVP(b []byte, code uint32, data []byte) []byte {
	n := 8 + len(data)
	b = binary.BigEndian.AppendUint32(b, code)
	b = append(b, avpFlagMandatory, byte(n>>16), byte(n>>8), byte(n))
	b = append(b, data...)
	for n%4 != 0 {
		b = append(b, 0)
		n++
	}
	return b
}
