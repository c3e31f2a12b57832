package net8021x

import (
	"crypto/tls"
)

// newTTLS is EAP-TTLSv0 (RFC 5281) with an inner EAP method carried in
// EAP-Message AVPs.
func newTTLS(cfg *Config, inner uint8) *tlsMethod {
	m := &tlsMethod{cfg: cfg, typ: typeTTLS, name: "TTLS/EAP-" + innerName(inner), maxVer: tls.VersionTLS12}
	m.keyFunc = func(cs tls.ConnectionState) ([]byte, []byte, error) {
		return exportKeys(cs, "ttls keying material", nil)
	}
	m.tunnel = func(c *tls.Conn) error {
		in := newInnerEAP(cfg, inner)
		defer in.close()
		// The peer opens phase 2 itself with an implicit Identity response
		// (RFC 5281 11.2.1), saving a round trip. No User-Name AVP beside
		// it, as wpa_supplicant does: FreeRADIUS 3.2 then takes no inner
		// user from the Identity, and the inner method fails.
		id, err := in.request(eapPacket{Code: codeRequest, ID: 0, Type: typeIdentity})
		if err != nil {
			return err
		}
		first := appendAVP(nil, avpEAPMessage, id)
		if _, err := c.Write(first); err != nil {
			return newError(ReasonTLS, err, "%s tunnel write", m.name)
		}
		return tunnelLoop(m, c, func(data []byte) ([]byte, error) {
			return ttlsPhase2(m.engine, in, data)
		})
	}
	return m
}

// ttlsPhase2 answers one decrypted TTLS message in the engine goroutine.
func ttlsPhase2(e *tlsEngine, in *innerEAP, data []byte) ([]byte, error) {
	avps, err := parseTTLSAVPs(data)
	if err != nil {
		return nil, newError(ReasonProtocol, err, "TTLS phase 2")
	}
	var eap []byte
	for _, a := range avps {
		if a.Vendor == 0 && a.Code == avpEAPMessage {
			eap = append(eap, a.Data...) // long packets span several AVPs
		}
	}
	if eap == nil {
		return nil, newError(ReasonProtocol, nil, "TTLS phase 2 message without an EAP-Message AVP")
	}
	p, err := parseEAP(eap)
	if err != nil {
		return nil, newError(ReasonProtocol, err, "TTLS inner packet")
	}
	if p.Code != codeRequest {
		return nil, newError(ReasonProtocol, nil, "TTLS inner EAP %s where a Request was due", codeName(p.Code))
	}
	resp, err := in.request(p)
	if in.err != nil {
		e.reason = in.err
	}
	if err != nil {
		return nil, err
	}
	if in.succeeded() {
		e.decision = DecisionCondSucc
	} else {
		e.decision = DecisionFail
	}
	return appendAVP(nil, avpEAPMessage, resp), nil
}
