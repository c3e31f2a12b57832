package net8021x

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
)

// newPEAP is PEAPv0 (MS-PEAP) with the given inner method. Inner EAP
// packets travel without their header, except the extension TLVs both ways
// and an Identity request from FreeRADIUS. The Result TLV is answered, with
// the crypto binding when the server sent one (peap_binding.go); then the
// MSK is the compound session key.
func newPEAP(cfg *Config, inner uint8) *tlsMethod {
	m := &tlsMethod{cfg: cfg, typ: typePEAP, name: "PEAP/" + innerName(inner), maxVer: tls.VersionTLS12}
	m.keyFunc = func(cs tls.ConnectionState) ([]byte, []byte, error) {
		return exportKeys(cs, "client EAP encryption", nil)
	}
	m.tunnel = func(c *tls.Conn) error {
		in := newInnerEAP(cfg, inner)
		defer in.close()
		keys := &peapKeys{tk: m.msk[:60]}
		return tunnelLoop(m, c, func(data []byte) ([]byte, error) {
			resp, err := peapPhase2(m.engine, in, keys, data)
			if keys.bound {
				m.msk, m.emsk = keys.msk, keys.emsk
			}
			return resp, err
		})
	}
	return m
}

// tunnelLoop reads each decrypted message, answers it through handle and
// writes the answer back into the tunnel, until the engine closes.
func tunnelLoop(m *tlsMethod, c *tls.Conn, handle func([]byte) ([]byte, error)) error {
	buf := make([]byte, m.cfg.maxMessage())
	for {
		n, err := c.Read(buf)
		if err != nil {
			if errors.Is(err, errEngineClosed) {
				return err
			}
			return newError(ReasonTLS, err, "%s tunnel read", m.name)
		}
		resp, err := handle(buf[:n])
		if err != nil {
			return err
		}
		if _, err := c.Write(resp); err != nil {
			return newError(ReasonTLS, err, "%s tunnel write", m.name)
		}
	}
}

// peapFullHeader tells whether a PEAPv0 server sent a whole inner EAP
// packet: extension TLVs always come so (their length is then checked by
// parseEAP), and FreeRADIUS sends the Identity request so.
func peapFullHeader(b []byte) bool {
	if len(b) < 5 || b[0] != codeRequest {
		return false
	}
	return b[4] == typeTLV || (len(b) == 5 && b[4] == typeIdentity && binary.BigEndian.Uint16(b[2:4]) == 5)
}

// peapPhase2 answers one decrypted PEAPv0 message. It runs in the engine
// goroutine and sets the engine's decision.
func peapPhase2(e *tlsEngine, in *innerEAP, keys *peapKeys, data []byte) ([]byte, error) {
	full := peapFullHeader(data)
	pkt := data
	if !full {
		pkt = make([]byte, 4, 4+len(data))
		pkt[0], pkt[1] = codeRequest, e.id
		pkt = append(pkt, data...)
		binary.BigEndian.PutUint16(pkt[2:4], uint16(len(pkt)))
	}
	p, err := parseEAP(pkt)
	if err != nil {
		return nil, newError(ReasonProtocol, err, "PEAP inner packet")
	}
	if p.Code != codeRequest {
		return nil, newError(ReasonProtocol, nil, "PEAP inner EAP %s where a Request was due", codeName(p.Code))
	}
	if p.Type == typeTLV {
		return peapResult(e, in, keys, p)
	}
	resp, err := in.request(p)
	if in.err != nil {
		e.reason = in.err
	}
	if err != nil {
		return nil, err
	}
	// Answers go without their header, whatever the request had (hostap
	// does the same; the server restores it from the outer packet).
	return resp[4:], nil
}

// peapResult answers the server's Result TLV with our own view, and its
// Crypto-Binding TLV when it sent one.
func peapResult(e *tlsEngine, in *innerEAP, keys *peapKeys, p eapPacket) ([]byte, error) {
	tlvs, err := parsePEAPTLVs(p.Data)
	if err != nil {
		return nil, newError(ReasonProtocol, err, "PEAP extensions")
	}
	var status uint16
	var binding []byte
	for _, t := range tlvs {
		switch t.Type {
		case tlvResult:
			status = binary.BigEndian.Uint16(t.Value)
		case tlvCryptoBinding:
			binding = t.Value
		}
	}
	if status == 0 {
		return nil, newError(ReasonProtocol, nil, "PEAP extensions without a Result TLV")
	}
	ok := status == resultSuccess && in.succeeded()
	var bindResp []byte
	if ok && binding != nil {
		var innerMSK []byte
		if in.method != nil {
			innerMSK, _ = in.method.Keys()
		}
		if bindResp, err = keys.answerCryptoBinding(binding, innerMSK); err != nil {
			ok = false
			e.reason = err
		}
	}
	if !ok {
		e.decision = DecisionFail
		switch {
		case e.reason != nil:
		case status == resultSuccess:
			e.reason = newError(ReasonProtocol, nil, "PEAP server reported success before the inner %s completed", innerName(in.typ))
		default:
			e.reason = in.failure("PEAP Result TLV failure")
		}
		return buildEAP(codeResponse, p.ID, typeTLV, resultTLV(resultFailure)), nil
	}
	e.decision = DecisionCondSucc
	return buildEAP(codeResponse, p.ID, typeTLV, append(resultTLV(resultSuccess), bindResp...)), nil
}
