package net8021x

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
)

// EtherTypeEAPOL is the Ethernet type of 802.1X frames.
const EtherTypeEAPOL = 0x888e

// PAEGroupAddr is the 802.1X Port Access Entity group address wired ports
// use for every EAPOL frame (the bridge filters it, so it stays on the link).
var PAEGroupAddr = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x03}

// EAPOL packet types (802.1X-2010 table 11-3).
const (
	eapolEAP    = 0
	eapolStart  = 1
	eapolLogoff = 2
	eapolKey    = 3
)

// eapolVersion is what we send. Version 1 is what wpa_supplicant sends by
// default: some authenticators drop version 2 frames; all accept version 1.
const eapolVersion = 1

const ethHeaderLen = 14

// minFrameLen is the Ethernet minimum without FCS; shorter frames are padded.
const minFrameLen = 60

var errMalformed = errors.New("malformed")

// eapolPDU is one received EAPOL packet.
type eapolPDU struct {
	Dst     net.HardwareAddr
	Src     net.HardwareAddr
	Version uint8
	Type    uint8
	Body    []byte // exactly the announced body length: padding is dropped
}

// parseFrame decodes an Ethernet frame carrying EAPOL. Bytes after the
// announced body length (Ethernet padding) are ignored.
func parseFrame(f []byte) (eapolPDU, error) {
	if len(f) < ethHeaderLen {
		return eapolPDU{}, fmt.Errorf("ethernet frame of %d bytes: %w", len(f), errMalformed)
	}
	if et := binary.BigEndian.Uint16(f[12:14]); et != EtherTypeEAPOL {
		return eapolPDU{}, fmt.Errorf("ethernet type %#04x is not EAPOL: %w", et, errMalformed)
	}
	p, err := parseEAPOL(f[ethHeaderLen:])
	if err != nil {
		return p, err
	}
	p.Dst = net.HardwareAddr(append([]byte(nil), f[0:6]...))
	p.Src = net.HardwareAddr(append([]byte(nil), f[6:12]...))
	return p, nil
}

// parseEAPOL decodes an EAPOL PDU (the bytes after the Ethernet type).
func parseEAPOL(b []byte) (eapolPDU, error) {
	if len(b) < 4 {
		return eapolPDU{}, fmt.Errorf("EAPOL packet of %d bytes, need 4: %w", len(b), errMalformed)
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if 4+n > len(b) {
		return eapolPDU{}, fmt.Errorf("EAPOL body length %d past the %d bytes received: %w", n, len(b)-4, errMalformed)
	}
	return eapolPDU{Version: b[0], Type: b[1], Body: b[4 : 4+n]}, nil
}

// buildFrame makes an Ethernet frame holding one EAPOL packet, padded to the
// Ethernet minimum.
func buildFrame(dst, src net.HardwareAddr, typ uint8, body []byte) []byte {
	f := make([]byte, 0, max(minFrameLen, ethHeaderLen+4+len(body)))
	f = append(f, dst...)
	f = append(f, src...)
	f = binary.BigEndian.AppendUint16(f, EtherTypeEAPOL)
	f = append(f, eapolVersion, typ)
	f = binary.BigEndian.AppendUint16(f, uint16(len(body)))
	f = append(f, body...)
	for len(f) < minFrameLen {
		f = append(f, 0)
	}
	return f
}
