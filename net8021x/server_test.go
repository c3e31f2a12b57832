package net8021x

// A scripted 802.1X authenticator with its own EAP server, written for the
// tests: it speaks EAPOL over the in-memory pipe, runs crypto/tls as the
// TLS server of EAP-TLS, PEAPv0 and TTLS, and checks MD5, MSCHAPv2 and GTC
// answers against the password it knows.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

var authMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0xaa}

type testAuth struct {
	end  *PipeEnd
	ctx  context.Context
	id   uint8
	last eapPacket // the last response
}

func newTestAuth(ctx context.Context, end *PipeEnd) *testAuth {
	return &testAuth{end: end, ctx: ctx, id: 100}
}

var errStop = errors.New("authenticator stopped")

// next returns the next EAPOL packet from the supplicant.
func (a *testAuth) next() (eapolPDU, error) {
	buf := make([]byte, 4096)
	n, err := a.end.ReadFrame(a.ctx, buf)
	if err != nil {
		return eapolPDU{}, errStop
	}
	p, err := parseFrame(buf[:n])
	if err != nil {
		return p, fmt.Errorf("authenticator got a bad frame: %w", err)
	}
	return p, nil
}

// waitStart reads until an EAPOL-Start.
func (a *testAuth) waitStart() error {
	for {
		p, err := a.next()
		if err != nil {
			return err
		}
		if p.Type == eapolStart {
			return nil
		}
	}
}

func (a *testAuth) sendEAP(pkt []byte) {
	a.end.WriteFrame(buildFrame(PAEGroupAddr, authMAC, eapolEAP, pkt))
}

// request sends a Request with a fresh identifier and returns the matching
// response, skipping EAPOL-Starts.
func (a *testAuth) request(typ uint8, data []byte) (eapPacket, error) {
	a.id++
	a.sendEAP(buildEAP(codeRequest, a.id, typ, data))
	return a.response()
}

func (a *testAuth) response() (eapPacket, error) {
	for {
		p, err := a.next()
		if err != nil {
			return eapPacket{}, err
		}
		if p.Type != eapolEAP {
			continue
		}
		r, err := parseEAP(p.Body)
		if err != nil {
			return r, fmt.Errorf("authenticator: %w", err)
		}
		if r.Code != codeResponse || r.ID != a.id {
			return r, fmt.Errorf("authenticator: got %s id %d, want Response id %d", codeName(r.Code), r.ID, a.id)
		}
		a.last = r
		return r, nil
	}
}

func (a *testAuth) success() { a.sendEAP([]byte{codeSuccess, a.id, 0, 4}) }
func (a *testAuth) failure() { a.sendEAP([]byte{codeFailure, a.id, 0, 4}) }

// identity asks for the identity and returns it.
func (a *testAuth) identity() (string, error) {
	r, err := a.request(typeIdentity, nil)
	if err != nil {
		return "", err
	}
	if r.Type != typeIdentity {
		return "", fmt.Errorf("identity: got type %d", r.Type)
	}
	return string(r.Data), nil
}

// serverMD5 runs EAP-MD5 and reports whether the password matched.
func (a *testAuth) serverMD5(password string) (bool, error) {
	chal := make([]byte, 16)
	rand.Read(chal)
	r, err := a.request(typeMD5, append([]byte{16}, chal...))
	if err != nil {
		return false, err
	}
	if r.Type != typeMD5 {
		return false, fmt.Errorf("MD5: got type %d", r.Type)
	}
	return bytes.Equal(r.Data, md5Response(a.id, password, chal)), nil
}

// eapServerConn is the server's net.Conn under crypto/tls: writes are
// buffered and sent as (fragmented) EAP requests when TLS reads; the
// client's (fragmented) responses are reassembled into the read buffer.
type eapServerConn struct {
	a       *testAuth
	typ     uint8
	framer  *tlsFramer
	in, out bytes.Buffer
	flights int
}

func (a *testAuth) tlsStart(typ uint8, fragSize int, startFlags uint8) (*eapServerConn, error) {
	c := &eapServerConn{a: a, typ: typ, framer: newTLSFramer(fragSize, 1<<20)}
	r, err := a.request(typ, []byte{tlsFlagStart | startFlags})
	if err != nil {
		return nil, err
	}
	return c, c.absorb(r)
}

// absorb takes the client's response, ACKing its fragments.
func (c *eapServerConn) absorb(r eapPacket) error {
	for {
		if r.Type != c.typ {
			return fmt.Errorf("TLS server: response of type %d (%x)", r.Type, r.Data)
		}
		res, msg, err := c.framer.receive(r.Data)
		if err != nil {
			return err
		}
		if res == frameComplete {
			c.in.Write(msg)
			return nil
		}
		if r, err = c.a.request(c.typ, []byte{0}); err != nil {
			return err
		}
	}
}

// flush sends the pending output and absorbs the client's answer.
func (c *eapServerConn) flush() error {
	c.flights++
	data := bytes.Clone(c.out.Bytes())
	c.out.Reset()
	r, err := c.a.request(c.typ, c.framer.send(data))
	for err == nil && c.framer.sending() {
		if len(r.Data) != 1 || r.Data[0]&(tlsFlagLength|tlsFlagMore) != 0 {
			return fmt.Errorf("TLS server: want an ACK, got %x", r.Data)
		}
		r, err = c.a.request(c.typ, c.framer.next())
	}
	if err != nil {
		return err
	}
	return c.absorb(r)
}

func (c *eapServerConn) Read(p []byte) (int, error) {
	if c.in.Len() == 0 {
		if err := c.flush(); err != nil {
			return 0, err
		}
		if c.in.Len() == 0 {
			return 0, io.EOF
		}
	}
	return c.in.Read(p)
}

func (c *eapServerConn) Write(p []byte) (int, error)      { return c.out.Write(p) }
func (c *eapServerConn) Close() error                     { return nil }
func (c *eapServerConn) LocalAddr() net.Addr              { return eapAddr{} }
func (c *eapServerConn) RemoteAddr() net.Addr             { return eapAddr{} }
func (c *eapServerConn) SetDeadline(time.Time) error      { return nil }
func (c *eapServerConn) SetReadDeadline(time.Time) error  { return nil }
func (c *eapServerConn) SetWriteDeadline(time.Time) error { return nil }

// expectEmpty flushes and requires an empty answer (the client's ACK).
func (c *eapServerConn) expectEmpty() error {
	if err := c.flush(); err != nil {
		return err
	}
	if c.in.Len() != 0 {
		return fmt.Errorf("TLS server: want an empty response, got %d bytes", c.in.Len())
	}
	return nil
}

// serverMSCHAPv2 is the server half of EAP-MSCHAPv2 inside a tunnel:
// exchange sends one inner request (full header) and returns the inner
// response. It returns whether the client proved the password.
func serverMSCHAPv2(exchange func(req []byte) ([]byte, error), user, password string, id *uint8) (bool, []byte, error) {
	authChal := make([]byte, 16)
	rand.Read(authChal)
	*id++
	ch := []byte{mschapChallenge, *id, 0, 0, 16}
	ch = append(ch, authChal...)
	ch = append(ch, "srv"...)
	binary.BigEndian.PutUint16(ch[2:4], uint16(len(ch)))
	resp, err := exchange(buildEAP(codeRequest, *id, typeMSCHAPv2, ch))
	if err != nil {
		return false, nil, err
	}
	p, err := parseEAP(resp)
	if err != nil || p.Type != typeMSCHAPv2 || len(p.Data) < 54 || p.Data[0] != mschapResponse {
		return false, nil, fmt.Errorf("MSCHAPv2 server: bad response %x (%v)", resp, err)
	}
	peerChal, nt := p.Data[5:21], p.Data[29:53]
	if name := string(p.Data[54:]); name != user {
		return false, nil, fmt.Errorf("MSCHAPv2 server: name %q, want %q", name, user)
	}
	want := generateNTResponse(authChal, peerChal, mschapUser(user), password)
	*id++
	var msg []byte
	ok := bytes.Equal(nt, want)
	if ok {
		msg = append([]byte{mschapSuccess, *id - 1, 0, 0}, authenticatorResponse(password, nt, peerChal, authChal, mschapUser(user))+" M=welcome"...)
	} else {
		msg = append([]byte{mschapFailure, *id - 1, 0, 0}, "E=691 R=0 C=00000000000000000000000000000000 V=3 M=bad password"...)
	}
	binary.BigEndian.PutUint16(msg[2:4], uint16(len(msg)))
	resp, err = exchange(buildEAP(codeRequest, *id, typeMSCHAPv2, msg))
	if err != nil {
		return false, nil, err
	}
	if p, err = parseEAP(resp); err != nil || p.Type != typeMSCHAPv2 || len(p.Data) != 1 {
		return false, nil, fmt.Errorf("MSCHAPv2 server: bad final response %x", resp)
	}
	return ok, mschapv2MSK(password, nt), nil
}

// serverGTC checks the GTC answer.
func serverGTC(exchange func(req []byte) ([]byte, error), password string, id *uint8) (bool, error) {
	*id++
	resp, err := exchange(buildEAP(codeRequest, *id, typeGTC, []byte("Password: ")))
	if err != nil {
		return false, err
	}
	p, err := parseEAP(resp)
	if err != nil || p.Type != typeGTC {
		return false, fmt.Errorf("GTC server: bad response %x", resp)
	}
	return string(p.Data) == password, nil
}

// serverInner runs the inner method by type.
func serverInner(typ uint8, exchange func([]byte) ([]byte, error), user, password string, id *uint8) (bool, []byte, error) {
	if typ == typeGTC {
		ok, err := serverGTC(exchange, password, id)
		return ok, nil, err
	}
	return serverMSCHAPv2(exchange, user, password, id)
}

// tlsServerOpts shapes the test server.
type tlsServerOpts struct {
	cfg        *tls.Config
	fragSize   int
	user, pass string
	inner      uint8 // PEAP/TTLS inner type
	fullIDHdr  bool  // PEAP: send the inner Identity with its header (FreeRADIUS)
	commitment bool  // EAP-TLS 1.3: send the 0x00 commitment (else close_notify)
	binding    bool  // PEAP: send a Crypto-Binding TLV (hostapd does)
	badBinding bool  // PEAP: with a wrong Compound MAC
}

// serverTLSMethod runs EAP-TLS, PEAP or TTLS; it returns the server's MSK
// and whether the client authenticated.
func (a *testAuth) serverTLSMethod(typ uint8, o tlsServerOpts) (msk []byte, ok bool, err error) {
	frag := o.fragSize
	if frag == 0 {
		frag = 1398
	}
	var startFlags uint8
	if typ == typePEAP {
		startFlags = 1 // offer PEAPv1 like hostapd; the client answers v0
	}
	c, err := a.tlsStart(typ, frag, startFlags)
	if err != nil {
		return nil, false, err
	}
	srv := tls.Server(c, o.cfg)
	if err := srv.Handshake(); err != nil {
		// A real server sends its alert if it has one, then EAP-Failure.
		if c.out.Len() > 0 {
			c.flush()
		}
		return nil, false, fmt.Errorf("server handshake: %w", err)
	}
	cs := srv.ConnectionState()
	switch typ {
	case typeTLS:
		if cs.Version == tls.VersionTLS13 {
			if o.commitment {
				srv.Write([]byte{0})
			} else {
				srv.CloseWrite()
			}
			km, _ := cs.ExportKeyingMaterial("EXPORTER_EAP_TLS_Key_Material", []byte{typeTLS}, 128)
			msk = km[:64]
		} else {
			km, _ := cs.ExportKeyingMaterial("client EAP encryption", nil, 128)
			msk = km[:64]
		}
		return msk, true, c.expectEmpty()
	case typePEAP:
		km, _ := cs.ExportKeyingMaterial("client EAP encryption", nil, 128)
		msk = km[:64]
		ok, bound, err := a.serverPEAPPhase2(srv, o, km[:60])
		if bound != nil {
			msk = bound
		}
		return msk, ok, err
	default:
		km, _ := cs.ExportKeyingMaterial("ttls keying material", nil, 128)
		msk = km[:64]
		ok, err = a.serverTTLSPhase2(srv, o)
		return msk, ok, err
	}
}

func (a *testAuth) serverPEAPPhase2(srv *tls.Conn, o tlsServerOpts, tk []byte) (ok bool, boundMSK []byte, err error) {
	buf := make([]byte, 1<<16)
	id := uint8(0)
	// exchange strips the inner header (PEAPv0) and restores it on the answer.
	exchange := func(req []byte) ([]byte, error) {
		if _, err := srv.Write(req[4:]); err != nil {
			return nil, err
		}
		n, err := srv.Read(buf)
		if err != nil {
			return nil, err
		}
		resp := append([]byte{codeResponse, req[1], 0, 0}, buf[:n]...)
		binary.BigEndian.PutUint16(resp[2:4], uint16(len(resp)))
		return resp, nil
	}
	var idResp []byte
	if o.fullIDHdr {
		srv.Write([]byte{codeRequest, 0, 0, 5, typeIdentity})
		n, err := srv.Read(buf)
		if err != nil {
			return false, nil, err
		}
		idResp = append([]byte{codeResponse, 0, 0, 0}, buf[:n]...)
		binary.BigEndian.PutUint16(idResp[2:4], uint16(len(idResp)))
	} else if idResp, err = exchange(buildEAP(codeRequest, 0, typeIdentity, nil)); err != nil {
		return false, nil, err
	}
	if p, err := parseEAP(idResp); err != nil || p.Type != typeIdentity || string(p.Data) != o.user {
		return false, nil, fmt.Errorf("PEAP server: inner identity %x", idResp)
	}
	ok, isk, err := serverInner(o.inner, exchange, o.user, o.pass, &id)
	if err != nil {
		return false, nil, err
	}
	status := byte(resultFailure)
	if ok {
		status = resultSuccess
	}
	tlvs := []byte{0x80, tlvResult, 0, 2, 0, status}
	var ipmk, cmk, nonce []byte
	if o.binding && ok {
		ipmk, cmk = peapCMK(tk, isk)
		nonce = make([]byte, 32)
		rand.Read(nonce)
		cb := cryptoBindingTLV(cmk, cbSubtypeRequest, nonce)
		if o.badBinding {
			cb[50] ^= 1
		}
		tlvs = append(tlvs, cb...)
	}
	id++
	srv.Write(buildEAP(codeRequest, id, typeTLV, tlvs))
	n, err := srv.Read(buf)
	if err != nil {
		return false, nil, err
	}
	p, err := parseEAP(buf[:n])
	if err != nil || p.Type != typeTLV {
		return false, nil, fmt.Errorf("PEAP server: Result response %x", buf[:n])
	}
	got, err := parsePEAPTLVs(p.Data)
	if err != nil || len(got) == 0 || got[0].Type != tlvResult {
		return false, nil, fmt.Errorf("PEAP server: Result response %x (%v)", p.Data, err)
	}
	if got[0].Value[1] != resultSuccess {
		return false, nil, nil
	}
	if !ok {
		return false, nil, fmt.Errorf("PEAP server: client answered success to a failure")
	}
	if ipmk == nil {
		return true, nil, nil
	}
	if len(got) != 2 || got[1].Type != tlvCryptoBinding {
		return false, nil, fmt.Errorf("PEAP server: no Crypto-Binding in the response %x", p.Data)
	}
	v := got[1].Value
	tlv := append([]byte{0, tlvCryptoBinding, 0, cryptoBindingLen}, v...)
	if v[3] != cbSubtypeResponse || !bytes.Equal(v[4:36], nonce) || !bytes.Equal(v[36:], peapCompoundMAC(cmk, tlv)) {
		return false, nil, fmt.Errorf("PEAP server: bad Crypto-Binding response %x", v)
	}
	return true, peapPRFPlus(ipmk, "Session Key Generating Function", []byte{0}, 128)[:64], nil
}

func (a *testAuth) serverTTLSPhase2(srv *tls.Conn, o tlsServerOpts) (bool, error) {
	buf := make([]byte, 1<<16)
	readEAP := func() ([]byte, []ttlsAVP, error) {
		n, err := srv.Read(buf)
		if err != nil {
			return nil, nil, err
		}
		avps, err := parseTTLSAVPs(buf[:n])
		if err != nil {
			return nil, nil, err
		}
		for _, v := range avps {
			if v.Code == avpEAPMessage {
				return v.Data, avps, nil
			}
		}
		return nil, avps, fmt.Errorf("TTLS server: no EAP-Message in %x", buf[:n])
	}
	idResp, avps, err := readEAP()
	if err != nil {
		return false, err
	}
	// FreeRADIUS 3.2 learns the inner user only from an EAP-Identity that
	// comes without a User-Name AVP (rlm_eap_ttls); with one, every later
	// inner request lacks the user and fails (seen in the lab).
	for _, v := range avps {
		if v.Code == avpUserName {
			return false, fmt.Errorf("TTLS server: User-Name AVP %q beside the inner EAP-Identity", v.Data)
		}
	}
	if p, err := parseEAP(idResp); err != nil || p.Type != typeIdentity || string(p.Data) != o.user {
		return false, fmt.Errorf("TTLS server: identity %x", idResp)
	}
	id := uint8(0)
	exchange := func(req []byte) ([]byte, error) {
		if _, err := srv.Write(appendAVP(nil, avpEAPMessage, req)); err != nil {
			return nil, err
		}
		r, _, err := readEAP()
		return r, err
	}
	ok, _, err := serverInner(o.inner, exchange, o.user, o.pass, &id)
	return ok, err
}
