package net8021x

import (
	"encoding/binary"
	"fmt"
)

// EAP codes (RFC 3748 4).
const (
	codeRequest  = 1
	codeResponse = 2
	codeSuccess  = 3
	codeFailure  = 4
)

// EAP method types (IANA "Method Types").
const (
	typeIdentity     = 1
	typeNotification = 2
	typeNak          = 3
	typeMD5          = 4
	typeGTC          = 6
	typeTLS          = 13
	typeTTLS         = 21
	typePEAP         = 25
	typeMSCHAPv2     = 26
	typeTLV          = 33 // PEAP extensions (Result, Crypto-Binding)
	typeFAST         = 43
	typeExpanded     = 254
)

// eapPacket is one parsed EAP packet. Data is the type-data after the Type
// octet (for Request and Response only).
type eapPacket struct {
	Code uint8
	ID   uint8
	Type uint8
	Data []byte
}

// parseEAP decodes an EAP packet. Bytes after the EAP length are ignored
// (Ethernet padding reaches here when EAPOL's own length was generous).
func parseEAP(b []byte) (eapPacket, error) {
	if len(b) < 4 {
		return eapPacket{}, fmt.Errorf("EAP packet of %d bytes, need 4: %w", len(b), errMalformed)
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if n < 4 {
		return eapPacket{}, fmt.Errorf("EAP length %d below the 4-byte header: %w", n, errMalformed)
	}
	if n > len(b) {
		return eapPacket{}, fmt.Errorf("EAP length %d past the %d bytes received: %w", n, len(b), errMalformed)
	}
	b = b[:n]
	p := eapPacket{Code: b[0], ID: b[1]}
	switch p.Code {
	case codeSuccess, codeFailure:
		return p, nil
	case codeRequest, codeResponse:
	default:
		return p, fmt.Errorf("EAP code %d unknown: %w", p.Code, errMalformed)
	}
	if n < 5 {
		return p, fmt.Errorf("EAP %s without a type: %w", codeName(p.Code), errMalformed)
	}
	p.Type, p.Data = b[4], b[5:]
	if p.Type == typeExpanded && len(p.Data) < 7 {
		return p, fmt.Errorf("EAP expanded type with %d bytes, need 7: %w", len(p.Data), errMalformed)
	}
	return p, nil
}

// buildEAP makes a Request or Response packet.
func buildEAP(code, id, typ uint8, data []byte) []byte {
	b := make([]byte, 5, 5+len(data))
	b[0], b[1], b[4] = code, id, typ
	b = append(b, data...)
	binary.BigEndian.PutUint16(b[2:4], uint16(len(b)))
	return b
}

func codeName(c uint8) string {
	switch c {
	case codeRequest:
		return "Request"
	case codeResponse:
		return "Response"
	case codeSuccess:
		return "Success"
	case codeFailure:
		return "Failure"
	}
	return fmt.Sprintf("code %d", c)
}

// buildNak answers a request for a method we do not run with the method we
// do run (RFC 3748 5.3). An expanded-type request gets an Expanded Nak
// (RFC 3748 5.3.2) listing the same method in expanded form.
func buildNak(id, reqType, want uint8) []byte {
	if reqType == typeExpanded {
		data := []byte{0, 0, 0, 0, 0, 0, typeNak, typeExpanded, 0, 0, 0, 0, 0, 0, want}
		return buildEAP(codeResponse, id, typeExpanded, data)
	}
	return buildEAP(codeResponse, id, typeNak, []byte{want})
}
