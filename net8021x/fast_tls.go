package net8021x

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
)

// fastTLS is the minimal TLS 1.2 client EAP-FAST needs and crypto/tls
// cannot be: it puts the PAC-Opaque in the ClientHello's SessionTicket
// extension, takes the master secret from the PAC-Key (RFC 4851 5.1),
// recognises resumption by a ChangeCipherSpec right after ServerHello (the
// server sends a new session id, never an echo), and speaks
// TLS_DH_anon_WITH_AES_128_CBC_SHA for anonymous provisioning besides the
// RSA and DHE-RSA suites of server-authenticated provisioning.
//
// It is driven one whole EAP-FAST message at a time (no goroutine): handle
// takes the server's records and returns ours.
type fastTLS struct {
	conf fastTLSConfig

	state        tlsState
	clientRandom []byte
	serverRandom []byte
	suite        uint16
	master       []byte
	transcript   []byte // handshake messages so far, for Finished
	hsBuf        []byte // a handshake message split over records
	read, write  *cbcState
	nextRead     *cbcState // the server's keys, active from its CCS
	nextWrite    *cbcState // ours, active from our CCS
	resumed      bool
	certs        []*x509.Certificate
	dhP, dhG     *big.Int
	dhYs         *big.Int
	alertOut     []byte // our fatal alert for the last error, if any
}

// fastTLSConfig is what one handshake may do.
type fastTLSConfig struct {
	pacKey, pacOpaque []byte // offer PAC resumption when set
	auth              bool   // offer the server-authenticated suites
	anon              bool   // offer TLS_DH_anon_WITH_AES_128_CBC_SHA
	verify            func([]*x509.Certificate) error
	rand              io.Reader
}

type tlsState int

const (
	tlsWaitServerHello  tlsState = iota
	tlsWaitServerFlight          // after ServerHello: its certificate flight or a CCS (resumption)
	tlsWaitCCS                   // our Finished sent, the server's CCS due
	tlsWaitFinished              // the server's Finished due
	tlsEstablished
)

// Cipher suites (IANA).
const (
	suiteRSAAES128    = 0x002f
	suiteDHAnonAES128 = 0x0034
	suiteDHERSAAES128 = 0x0033
	suiteRSAAES256    = 0x0035
	suiteDHERSAAES256 = 0x0039
	scsvRenegotiation = 0x00ff
)

type keyExchange int

const (
	kxRSA keyExchange = iota
	kxDHE
	kxAnon
)

// suiteParams returns the AES key length and key exchange of a suite.
func suiteParams(s uint16) (keyLen int, kx keyExchange) {
	switch s {
	case suiteRSAAES128:
		return 16, kxRSA
	case suiteRSAAES256:
		return 32, kxRSA
	case suiteDHERSAAES128:
		return 16, kxDHE
	case suiteDHERSAAES256:
		return 32, kxDHE
	case suiteDHAnonAES128:
		return 16, kxAnon
	}
	return 0, 0
}

// Handshake message types.
const (
	hsClientHello        = 1
	hsServerHello        = 2
	hsNewSessionTicket   = 4
	hsCertificate        = 11
	hsServerKeyExchange  = 12
	hsCertificateRequest = 13
	hsServerHelloDone    = 14
	hsClientKeyExchange  = 16
	hsFinished           = 20
)

// Extensions and alerts used here.
const (
	extSignatureAlgorithms = 13
	extSessionTicket       = 35

	alertCloseNotify       = 0
	alertUnexpectedMessage = 10
	alertBadRecordMAC      = 20
	alertHandshakeFailure  = 40
	alertBadCertificate    = 42
	alertIllegalParameter  = 47
	alertDecodeError       = 50
	alertDecryptError      = 51
	alertProtocolVersion   = 70
	alertInternalError     = 80
)

const (
	maxHandshakeMsg = 64 << 10
	maxDHBits       = 8192
)

// signature schemes offered and accepted for DHE-RSA (no SHA-1).
var fastSigSchemes = []uint16{0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601}

func newFastTLS(conf fastTLSConfig) *fastTLS { return &fastTLS{conf: conf} }

// suites lists what the ClientHello offers: the authenticated suites first
// (hostapd follows the client's order), DH_anon last and only if allowed.
func (c *fastTLS) suites() []uint16 {
	var s []uint16
	if c.conf.auth || c.conf.pacKey != nil {
		s = append(s, suiteDHERSAAES128, suiteDHERSAAES256, suiteRSAAES128, suiteRSAAES256)
	}
	if c.conf.anon {
		s = append(s, suiteDHAnonAES128)
	}
	return s
}

// clientHello starts the handshake and returns its record.
func (c *fastTLS) clientHello() ([]byte, error) {
	c.clientRandom = make([]byte, 32)
	if _, err := io.ReadFull(c.conf.rand, c.clientRandom); err != nil {
		return nil, fmt.Errorf("TLS client random: %w", err)
	}
	suites := c.suites()
	if len(suites) == 0 {
		return nil, errors.New("TLS: no cipher suite allowed (no PAC, no CA, anonymous provisioning off)")
	}
	b := binary.BigEndian.AppendUint16(nil, tlsVersion12)
	b = append(b, c.clientRandom...)
	b = append(b, 0) // empty session id: resumption rides on the ticket
	b = binary.BigEndian.AppendUint16(b, uint16(2*(len(suites)+1)))
	for _, s := range append(suites, scsvRenegotiation) {
		b = binary.BigEndian.AppendUint16(b, s)
	}
	b = append(b, 1, 0) // null compression only
	var ext []byte
	ext = binary.BigEndian.AppendUint16(ext, extSignatureAlgorithms)
	ext = binary.BigEndian.AppendUint16(ext, uint16(2+2*len(fastSigSchemes)))
	ext = binary.BigEndian.AppendUint16(ext, uint16(2*len(fastSigSchemes)))
	for _, s := range fastSigSchemes {
		ext = binary.BigEndian.AppendUint16(ext, s)
	}
	if c.conf.pacOpaque != nil {
		// The ticket is the PAC-Opaque TLV itself (hostapd ignores bare
		// opaque bytes).
		t := pacAttr(pacAttrOpaque, c.conf.pacOpaque)
		ext = binary.BigEndian.AppendUint16(ext, extSessionTicket)
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(t)))
		ext = append(ext, t...)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(ext)))
	b = append(b, ext...)
	msg := handshakeMsg(hsClientHello, b)
	c.transcript = append(c.transcript, msg...)
	c.state = tlsWaitServerHello
	return appendRecord(nil, recHandshake, 0x0301, msg), nil
}

func handshakeMsg(typ uint8, body []byte) []byte {
	m := []byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	return append(m, body...)
}

// established tells whether the tunnel is up.
func (c *fastTLS) established() bool { return c.state == tlsEstablished }

// handle takes one whole message of the server's records and returns our
// records to send (possibly none) and the application data received.
func (c *fastTLS) handle(msg []byte) (out []byte, app [][]byte, err error) {
	recs, err := parseRecords(msg)
	if err != nil {
		return nil, nil, c.fail(alertDecodeError, err)
	}
	for _, r := range recs {
		data := r.data
		if c.read != nil {
			if data, err = c.read.open(r.typ, r.data); err != nil {
				return nil, nil, c.fail(alertBadRecordMAC, err)
			}
		}
		switch r.typ {
		case recAlert:
			return nil, nil, alertError(data)
		case recChangeCipherSpec:
			if err := c.changeCipherSpec(data); err != nil {
				return nil, nil, err
			}
		case recHandshake:
			o, err := c.handshakeData(data)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, o...)
		case recAppData:
			if c.state != tlsEstablished {
				return nil, nil, c.fail(alertUnexpectedMessage, fmt.Errorf("TLS application data before the handshake finished: %w", errMalformed))
			}
			if len(data) > 0 {
				app = append(app, data)
			}
		}
	}
	return out, app, nil
}

// seal wraps application data (a tunnel message) into records.
func (c *fastTLS) seal(data []byte) ([]byte, error) {
	var out []byte
	for len(data) > 0 {
		n := min(len(data), maxRecordPayload)
		frag, err := c.write.seal(recAppData, data[:n], c.conf.rand)
		if err != nil {
			return nil, err
		}
		out = appendRecord(out, recAppData, tlsVersion12, frag)
		data = data[n:]
	}
	return out, nil
}

// fail records the alert to send for err and returns err.
func (c *fastTLS) fail(desc uint8, err error) error {
	body := []byte{2, desc}
	if c.write != nil {
		frag, serr := c.write.seal(recAlert, body, c.conf.rand)
		if serr == nil {
			c.alertOut = appendRecord(nil, recAlert, tlsVersion12, frag)
		}
	} else {
		c.alertOut = appendRecord(nil, recAlert, tlsVersion12, body)
	}
	return err
}

var alertNames = map[uint8]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
	42: "bad_certificate", 43: "unsupported_certificate", 45: "certificate_expired", 46: "certificate_unknown",
	47: "illegal_parameter", 48: "unknown_ca", 50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
	71: "insufficient_security", 80: "internal_error",
}

func alertError(b []byte) error {
	if len(b) != 2 {
		return fmt.Errorf("TLS alert of %d bytes: %w", len(b), errMalformed)
	}
	name := alertNames[b[1]]
	if name == "" {
		name = fmt.Sprintf("alert %d", b[1])
	}
	return fmt.Errorf("server sent TLS alert %s (level %d)", name, b[0])
}

func (c *fastTLS) changeCipherSpec(data []byte) error {
	if len(data) != 1 || data[0] != 1 {
		return c.fail(alertDecodeError, fmt.Errorf("TLS ChangeCipherSpec of %x: %w", data, errMalformed))
	}
	if len(c.hsBuf) != 0 {
		return c.fail(alertUnexpectedMessage, fmt.Errorf("TLS ChangeCipherSpec inside a handshake message: %w", errMalformed))
	}
	switch {
	case c.state == tlsWaitServerFlight && c.conf.pacKey != nil && c.certs == nil && c.dhP == nil:
		// A CCS straight after ServerHello: the server accepted our PAC.
		c.resumed = true
		c.master = tPRF(c.conf.pacKey, "PAC to master secret label hash", c.serverFirst(), 48)
		if err := c.deriveRecordKeys(); err != nil {
			return c.fail(alertInternalError, err)
		}
	case c.state == tlsWaitCCS:
	default:
		return c.fail(alertUnexpectedMessage, fmt.Errorf("TLS ChangeCipherSpec where none was due: %w", errMalformed))
	}
	c.read, c.nextRead = c.nextRead, nil
	c.state = tlsWaitFinished
	return nil
}

// serverFirst is server_random | client_random, the seed of the key block.
func (c *fastTLS) serverFirst() []byte {
	return append(slices.Clip(c.serverRandom), c.clientRandom...)
}

// deriveRecordKeys makes both directions' record states from the master
// secret; the server's becomes active at its CCS, ours at our CCS.
func (c *fastTLS) deriveRecordKeys() error {
	keyLen, _ := suiteParams(c.suite)
	kb := prf12(c.master, "key expansion", c.serverFirst(), 2*20+2*keyLen)
	w, err := newCBCState(kb[40:40+keyLen], kb[:20])
	if err != nil {
		return err
	}
	r, err := newCBCState(kb[40+keyLen:40+2*keyLen], kb[20:40])
	if err != nil {
		return err
	}
	c.nextWrite, c.nextRead = w, r
	return nil
}

// handshakeData collects handshake messages, possibly split over records.
func (c *fastTLS) handshakeData(data []byte) ([]byte, error) {
	c.hsBuf = append(c.hsBuf, data...)
	var out []byte
	for len(c.hsBuf) >= 4 {
		n := int(c.hsBuf[1])<<16 | int(c.hsBuf[2])<<8 | int(c.hsBuf[3])
		if n > maxHandshakeMsg {
			return nil, c.fail(alertDecodeError, fmt.Errorf("TLS handshake message of %d bytes, limit %d: %w", n, maxHandshakeMsg, errMalformed))
		}
		if len(c.hsBuf) < 4+n {
			break
		}
		raw := c.hsBuf[:4+n]
		c.hsBuf = c.hsBuf[4+n:]
		o, err := c.handshakeMessage(raw[0], raw[4:], raw)
		if err != nil {
			return nil, err
		}
		out = append(out, o...)
	}
	if len(c.hsBuf) == 0 {
		c.hsBuf = nil
	}
	return out, nil
}

func hsName(t uint8) string {
	switch t {
	case hsServerHello:
		return "ServerHello"
	case hsNewSessionTicket:
		return "NewSessionTicket"
	case hsCertificate:
		return "Certificate"
	case hsServerKeyExchange:
		return "ServerKeyExchange"
	case hsCertificateRequest:
		return "CertificateRequest"
	case hsServerHelloDone:
		return "ServerHelloDone"
	case hsFinished:
		return "Finished"
	}
	return fmt.Sprintf("handshake type %d", t)
}

func (c *fastTLS) unexpected(t uint8) error {
	return c.fail(alertUnexpectedMessage, fmt.Errorf("TLS %s unexpected here: %w", hsName(t), errMalformed))
}

func (c *fastTLS) handshakeMessage(t uint8, body, raw []byte) ([]byte, error) {
	switch t {
	case hsServerHello:
		if c.state != tlsWaitServerHello {
			return nil, c.unexpected(t)
		}
		if err := c.serverHello(body); err != nil {
			return nil, err
		}
	case hsNewSessionTicket:
		// OpenSSL may send one (its issue 6395); EAP-FAST has no use for
		// it but it is part of the transcript.
		if c.state != tlsWaitServerFlight && c.state != tlsWaitCCS {
			return nil, c.unexpected(t)
		}
	case hsCertificate:
		if c.state != tlsWaitServerFlight || c.certs != nil || c.dhP != nil {
			return nil, c.unexpected(t)
		}
		if _, kx := suiteParams(c.suite); kx == kxAnon {
			return nil, c.unexpected(t)
		}
		if err := c.certificate(body); err != nil {
			return nil, err
		}
	case hsServerKeyExchange:
		if c.state != tlsWaitServerFlight || c.dhP != nil {
			return nil, c.unexpected(t)
		}
		if err := c.serverKeyExchange(body); err != nil {
			return nil, err
		}
	case hsCertificateRequest:
		return nil, c.fail(alertHandshakeFailure, errors.New("TLS: the EAP-FAST server asks for a client certificate, which the phone does not use"))
	case hsServerHelloDone:
		if c.state != tlsWaitServerFlight {
			return nil, c.unexpected(t)
		}
		if len(body) != 0 {
			return nil, c.fail(alertDecodeError, fmt.Errorf("TLS ServerHelloDone with %d bytes: %w", len(body), errMalformed))
		}
		c.transcript = append(c.transcript, raw...)
		return c.clientFlight()
	case hsFinished:
		if c.state != tlsWaitFinished {
			return nil, c.unexpected(t)
		}
		return c.serverFinished(body, raw)
	default:
		return nil, c.unexpected(t)
	}
	c.transcript = append(c.transcript, raw...)
	return nil, nil
}

func (c *fastTLS) serverHello(b []byte) error {
	bad := func(what string) error {
		return c.fail(alertDecodeError, fmt.Errorf("TLS ServerHello: %s: %w", what, errMalformed))
	}
	if len(b) < 2+32+1 {
		return bad(fmt.Sprintf("%d bytes", len(b)))
	}
	if v := binary.BigEndian.Uint16(b); v != tlsVersion12 {
		return c.fail(alertProtocolVersion, fmt.Errorf("TLS ServerHello version %#04x, the phone speaks TLS 1.2 (0x0303) only", v))
	}
	c.serverRandom = bytes.Clone(b[2:34])
	b = b[34:]
	sid := int(b[0])
	if sid > 32 || len(b) < 1+sid+3 {
		return bad("session id")
	}
	b = b[1+sid:]
	c.suite = binary.BigEndian.Uint16(b)
	if !slices.Contains(c.suites(), c.suite) {
		return c.fail(alertIllegalParameter, fmt.Errorf("TLS server chose cipher suite %#04x, which the phone did not offer", c.suite))
	}
	if b[2] != 0 {
		return c.fail(alertIllegalParameter, fmt.Errorf("TLS server chose compression %d", b[2]))
	}
	b = b[3:]
	if len(b) > 0 {
		if len(b) < 2 || int(binary.BigEndian.Uint16(b)) != len(b)-2 {
			return bad("extensions length")
		}
	}
	c.state = tlsWaitServerFlight
	return nil
}

func (c *fastTLS) certificate(b []byte) error {
	bad := func(what string) error {
		return c.fail(alertDecodeError, fmt.Errorf("TLS Certificate: %s: %w", what, errMalformed))
	}
	if len(b) < 3 {
		return bad("no list")
	}
	n := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	b = b[3:]
	if n != len(b) {
		return bad("list length")
	}
	var certs []*x509.Certificate
	for len(b) > 0 {
		if len(b) < 3 {
			return bad("entry header")
		}
		l := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
		if len(b) < 3+l {
			return bad("entry length")
		}
		cert, err := x509.ParseCertificate(b[3 : 3+l])
		if err != nil {
			return c.fail(alertBadCertificate, fmt.Errorf("TLS server certificate: %w", err))
		}
		certs = append(certs, cert)
		b = b[3+l:]
	}
	if len(certs) == 0 {
		return c.fail(alertBadCertificate, newError(ReasonCertUntrusted, nil, "server sent no certificate"))
	}
	if _, ok := certs[0].PublicKey.(*rsa.PublicKey); !ok {
		return c.fail(alertBadCertificate, newError(ReasonCertUntrusted, nil, "server certificate %q has a %T key; EAP-FAST's suites need RSA", certs[0].Subject.CommonName, certs[0].PublicKey))
	}
	if c.conf.verify == nil {
		return c.fail(alertBadCertificate, newError(ReasonConfig, nil, "server certificate cannot be checked: no CA configured"))
	}
	if err := c.conf.verify(certs); err != nil {
		return c.fail(alertBadCertificate, err)
	}
	c.certs = certs
	return nil
}

// readVec reads a 2-byte length-prefixed vector.
func readVec(b []byte) (v, rest []byte, ok bool) {
	if len(b) < 2 {
		return nil, nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return nil, nil, false
	}
	return b[2 : 2+n], b[2+n:], true
}

func (c *fastTLS) serverKeyExchange(b []byte) error {
	_, kx := suiteParams(c.suite)
	if kx == kxRSA {
		return c.unexpected(hsServerKeyExchange)
	}
	if kx == kxDHE && c.certs == nil {
		return c.unexpected(hsServerKeyExchange)
	}
	bad := func(what string) error {
		return c.fail(alertDecodeError, fmt.Errorf("TLS ServerKeyExchange: %s: %w", what, errMalformed))
	}
	p, rest, ok := readVec(b)
	if !ok {
		return bad("DH p")
	}
	g, rest, ok := readVec(rest)
	if !ok {
		return bad("DH g")
	}
	ys, rest, ok := readVec(rest)
	if !ok {
		return bad("DH Ys")
	}
	params := b[:len(b)-len(rest)]
	c.dhP, c.dhG, c.dhYs = new(big.Int).SetBytes(p), new(big.Int).SetBytes(g), new(big.Int).SetBytes(ys)
	pm1 := new(big.Int).Sub(c.dhP, big.NewInt(1))
	switch {
	case c.dhP.BitLen() < 1024 || c.dhP.BitLen() > maxDHBits || c.dhP.Bit(0) == 0:
		// The upper bound keeps a hostile server from making the
		// phone compute for minutes.
		return c.fail(alertIllegalParameter, fmt.Errorf("TLS server DH prime of %d bits (odd, 1024 to %d): %w", c.dhP.BitLen(), maxDHBits, errMalformed))
	case c.dhG.Cmp(big.NewInt(1)) <= 0 || c.dhG.Cmp(pm1) >= 0:
		return c.fail(alertIllegalParameter, fmt.Errorf("TLS server DH generator out of range: %w", errMalformed))
	case c.dhYs.Cmp(big.NewInt(1)) <= 0 || c.dhYs.Cmp(pm1) >= 0:
		return c.fail(alertIllegalParameter, fmt.Errorf("TLS server DH public value out of range: %w", errMalformed))
	}
	if kx == kxAnon {
		if len(rest) != 0 {
			return bad("trailing bytes after anonymous DH parameters")
		}
		return nil
	}
	if len(rest) < 2 {
		return bad("no signature")
	}
	scheme := binary.BigEndian.Uint16(rest)
	sig, rest, ok := readVec(rest[2:])
	if !ok || len(rest) != 0 {
		return bad("signature length")
	}
	signed := slices.Concat(c.clientRandom, c.serverRandom, params)
	if err := verifyRSASignature(c.certs[0].PublicKey.(*rsa.PublicKey), scheme, signed, sig); err != nil {
		return c.fail(alertDecryptError, newError(ReasonServerAuthFailure, err, "TLS ServerKeyExchange signature does not verify with the server certificate"))
	}
	return nil
}

func verifyRSASignature(pub *rsa.PublicKey, scheme uint16, msg, sig []byte) error {
	var h crypto.Hash
	pss := false
	switch scheme {
	case 0x0401, 0x0804:
		h = crypto.SHA256
	case 0x0501, 0x0805:
		h = crypto.SHA384
	case 0x0601, 0x0806:
		h = crypto.SHA512
	default:
		return fmt.Errorf("signature scheme %#04x not offered", scheme)
	}
	pss = scheme >= 0x0804
	hh := h.New()
	hh.Write(msg)
	d := hh.Sum(nil)
	if pss {
		return rsa.VerifyPSS(pub, h, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	return rsa.VerifyPKCS1v15(pub, h, d, sig)
}

// clientFlight answers ServerHelloDone: ClientKeyExchange, CCS, Finished.
func (c *fastTLS) clientFlight() ([]byte, error) {
	_, kx := suiteParams(c.suite)
	var pre, cke []byte
	switch {
	case kx == kxRSA:
		if c.certs == nil {
			return nil, c.fail(alertUnexpectedMessage, fmt.Errorf("TLS ServerHelloDone before the server certificate: %w", errMalformed))
		}
		pre = make([]byte, 48)
		binary.BigEndian.PutUint16(pre, tlsVersion12)
		if _, err := io.ReadFull(c.conf.rand, pre[2:]); err != nil {
			return nil, c.fail(alertInternalError, fmt.Errorf("TLS premaster secret: %w", err))
		}
		enc, err := rsa.EncryptPKCS1v15(c.conf.rand, c.certs[0].PublicKey.(*rsa.PublicKey), pre)
		if err != nil {
			return nil, c.fail(alertInternalError, fmt.Errorf("TLS RSA key exchange: %w", err))
		}
		cke = binary.BigEndian.AppendUint16(nil, uint16(len(enc)))
		cke = append(cke, enc...)
	default:
		if c.dhP == nil {
			return nil, c.fail(alertUnexpectedMessage, fmt.Errorf("TLS ServerHelloDone before ServerKeyExchange: %w", errMalformed))
		}
		xb := make([]byte, 32)
		if _, err := io.ReadFull(c.conf.rand, xb); err != nil {
			return nil, c.fail(alertInternalError, fmt.Errorf("TLS DH secret: %w", err))
		}
		x := new(big.Int).SetBytes(xb)
		yc := new(big.Int).Exp(c.dhG, x, c.dhP)
		pre = new(big.Int).Exp(c.dhYs, x, c.dhP).Bytes()
		cke = binary.BigEndian.AppendUint16(nil, uint16(len(yc.Bytes())))
		cke = append(cke, yc.Bytes()...)
	}
	c.master = prf12(pre, "master secret", slices.Concat(c.clientRandom, c.serverRandom), 48)
	if err := c.deriveRecordKeys(); err != nil {
		return nil, c.fail(alertInternalError, err)
	}
	msg := handshakeMsg(hsClientKeyExchange, cke)
	c.transcript = append(c.transcript, msg...)
	out := appendRecord(nil, recHandshake, tlsVersion12, msg)
	fin, err := c.clientFinished()
	if err != nil {
		return nil, err
	}
	c.state = tlsWaitCCS
	return append(out, fin...), nil
}

// clientFinished is our CCS and encrypted Finished.
func (c *fastTLS) clientFinished() ([]byte, error) {
	out := appendRecord(nil, recChangeCipherSpec, tlsVersion12, []byte{1})
	c.write, c.nextWrite = c.nextWrite, nil
	sum := sha256.Sum256(c.transcript)
	msg := handshakeMsg(hsFinished, prf12(c.master, "client finished", sum[:], 12))
	c.transcript = append(c.transcript, msg...)
	frag, err := c.write.seal(recHandshake, msg, c.conf.rand)
	if err != nil {
		return nil, c.fail(alertInternalError, err)
	}
	return appendRecord(out, recHandshake, tlsVersion12, frag), nil
}

func (c *fastTLS) serverFinished(body, raw []byte) ([]byte, error) {
	sum := sha256.Sum256(c.transcript)
	want := prf12(c.master, "server finished", sum[:], 12)
	if !hmac.Equal(body, want) {
		err := fmt.Errorf("TLS server Finished does not verify: %w", errMalformed)
		if c.resumed {
			err = newError(ReasonServerAuthFailure, err, "EAP-FAST server does not know our PAC-Key")
		}
		return nil, c.fail(alertDecryptError, err)
	}
	c.transcript = append(c.transcript, raw...)
	c.state = tlsEstablished
	if !c.resumed {
		return nil, nil
	}
	return c.clientFinished()
}

// sessionKeySeed returns the n octets of TLS key material after the key
// block (RFC 4851 5.1). As hostapd derives them on TLS 1.2 (proven against
// it in the lab), the PRF is TLS 1.2's and the key block skipped counts
// 2 × (MAC key, cipher key, IV) although TLS 1.2's CBC suites take no IV
// from it.
func (c *fastTLS) sessionKeySeed(n int) []byte {
	keyLen, _ := suiteParams(c.suite)
	skip := 2 * (20 + keyLen + 16)
	return prf12(c.master, "key expansion", c.serverFirst(), skip+n)[skip:]
}

// anonymous tells whether the tunnel came from anonymous DH.
func (c *fastTLS) anonymous() bool {
	_, kx := suiteParams(c.suite)
	return !c.resumed && kx == kxAnon
}
