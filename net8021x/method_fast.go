package net8021x

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
)

// fastMethod is EAP-FAST (RFC 4851) with PAC provisioning (RFC 5422): its
// own TLS client (fast_tls.go) builds the tunnel, from the stored PAC when
// there is one for the server's A-ID, else by provisioning (the server's
// certificate checked, or anonymous DH when Config.FASTAnonProvisioning
// allows it). Inside, TLVs (fast_tlv.go) carry the inner EAP-MSCHAPv2 or
// EAP-GTC, the Crypto-Binding of the key chain (fast_keys.go) and the new
// PAC, which is stored on flash (fast_pac.go).
type fastMethod struct {
	cfg    *Config
	store  PACStore
	framer *tlsFramer
	tls    *fastTLS
	rand   io.Reader

	aid       []byte
	pac       *PAC // the PAC offered, nil when provisioning
	refresh   bool // ask for a new PAC at the end
	keys      *fastKeys
	challenge []byte // anonymous provisioning: server then client challenge
	in        *innerEAP
	bound     bool // a Crypto-Binding verified
	askedPAC  bool
	gotPAC    bool
	done      bool
	decision  Decision
	msk, emsk []byte
	reason    error // why the server's Failure comes, for FailureReason
}

var _ Method = (*fastMethod)(nil)

// ErrFASTProvisioned marks the EAP-Failure that ends anonymous PAC
// provisioning by design (RFC 5422 3.2.3): the phone authenticates again
// at once, resuming with its new PAC.
var ErrFASTProvisioned = errors.New("EAP-FAST PAC provisioned anonymously; the server ends provisioning with EAP-Failure by design")

func newFAST(cfg *Config) *fastMethod {
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	return &fastMethod{cfg: cfg, store: PACStore{Dir: cfg.FASTPACDir}, rand: r}
}

func (m *fastMethod) Type() uint8              { return typeFAST }
func (m *fastMethod) Name() string             { return "FAST" }
func (m *fastMethod) Keys() (msk, emsk []byte) { return m.msk, m.emsk }

// FailureReason explains the server's EAP-Failure by how far we got.
func (m *fastMethod) FailureReason() error {
	switch {
	case m.reason != nil:
		return m.reason
	case m.tls == nil || !m.tls.established():
		return newError(ReasonTLS, nil, "server ended EAP-FAST during the TLS handshake (EAP-Failure): no common cipher suite, or it refused the phone's ClientHello")
	case m.in != nil:
		return m.in.failure("EAP-Failure")
	}
	return newError(ReasonRejected, nil, "server ended the EAP-FAST tunnel before the inner method (EAP-Failure)")
}

func (m *fastMethod) Close() error {
	if m.in != nil {
		m.in.close()
	}
	return nil
}

func (m *fastMethod) Process(id uint8, data []byte) (Step, error) {
	if len(data) < 1 {
		return Step{}, discardf("EAP-FAST request without flags")
	}
	if data[0]&tlsFlagStart != 0 {
		return m.start(data)
	}
	if m.tls == nil {
		return Step{}, discardf("EAP-FAST request before the Start")
	}
	res, msg, err := m.framer.receive(data)
	if err != nil {
		return Step{}, newError(ReasonProtocol, err, "EAP-FAST framing")
	}
	switch res {
	case frameNext:
		return Step{Response: m.framer.next(), State: MethodCont, Decision: DecisionFail}, nil
	case frameAck:
		return Step{Response: m.framer.ack(), State: MethodCont, Decision: DecisionFail}, nil
	}
	if m.done {
		return Step{}, discardf("EAP-FAST request after the method ended")
	}
	return m.message(msg)
}

// start answers the Start: its A-ID picks the PAC, then the ClientHello.
func (m *fastMethod) start(data []byte) (Step, error) {
	if m.tls != nil {
		return Step{}, discardf("EAP-FAST Start after the handshake began")
	}
	if v := data[0] & tlsVersionMsk; v < 1 {
		return Step{}, newError(ReasonProtocol, nil, "EAP-FAST Start with version %d, the phone speaks version 1", v)
	}
	payload := data[1:]
	if data[0]&tlsFlagLength != 0 {
		if len(payload) < 4 {
			return Step{}, discardf("EAP-FAST Start with the L flag but %d length bytes", len(payload))
		}
		payload = payload[4:]
	}
	tlvs, err := parseTLVList(payload, "EAP-FAST Start TLV")
	if err != nil {
		return Step{}, newError(ReasonProtocol, err, "EAP-FAST Start")
	}
	for _, t := range tlvs {
		if t.typ == pacAttrAID {
			m.aid = bytes.Clone(t.value)
		}
	}
	m.choosePAC()
	conf := fastTLSConfig{anon: m.cfg.FASTAnonProvisioning, rand: m.rand}
	if m.cfg.CAs != nil || m.cfg.NoServerVerify {
		conf.auth = true
		conf.verify = m.verifyServer
	}
	if m.pac != nil {
		conf.pacKey, conf.pacOpaque = m.pac.Key, m.pac.Opaque
	}
	m.tls = newFastTLS(conf)
	hello, err := m.tls.clientHello()
	if err != nil {
		return Step{}, newError(ReasonConfig, err, "EAP-FAST")
	}
	m.framer = newTLSFramer(m.cfg.fragmentSize(), m.cfg.maxMessage())
	m.framer.version = 1
	return Step{Response: m.framer.send(hello), State: MethodCont, Decision: DecisionFail}, nil
}

// choosePAC loads the PAC of the server's A-ID, unless it expired or is
// damaged (then the phone provisions a new one, and says why).
func (m *fastMethod) choosePAC() {
	log := m.cfg.logger()
	if m.aid == nil {
		log.Info("802.1X EAP-FAST server sent no A-ID: provisioning a PAC")
		return
	}
	p, err := m.store.Load(m.aid)
	switch {
	case errors.Is(err, ErrNoPAC):
		log.Info("802.1X EAP-FAST: no PAC for this server, provisioning one", "a_id", fmt.Sprintf("%x", m.aid))
		return
	case err != nil:
		log.Warn("802.1X EAP-FAST: PAC file unusable, provisioning a new one", "err", err)
		if qerr := m.store.Quarantine(m.aid); qerr != nil {
			log.Warn("802.1X EAP-FAST", "err", qerr)
		}
		return
	}
	now := m.cfg.now()
	if p.expired(now) {
		log.Info("802.1X EAP-FAST: PAC expired, provisioning a new one", "pac", p)
		return
	}
	m.pac = p
	m.refresh = p.needsRefresh(now)
}

func (m *fastMethod) verifyServer(certs []*x509.Certificate) error {
	return (&tlsMethod{cfg: m.cfg}).verifyServer(tls.ConnectionState{PeerCertificates: certs})
}

// message handles one whole EAP-FAST message from the server.
func (m *fastMethod) message(msg []byte) (Step, error) {
	wasUp := m.tls.established()
	out, app, err := m.tls.handle(msg)
	if err != nil {
		return m.tlsFailure(err)
	}
	if !wasUp && m.tls.established() {
		m.tunnelUp()
	}
	for _, a := range app {
		resp, err := m.tunnel(a)
		if resp != nil {
			sealed, serr := m.tls.seal(resp)
			if serr != nil {
				return Step{State: MethodDone, Decision: DecisionFail}, newError(ReasonTLS, serr, "EAP-FAST tunnel")
			}
			out = append(out, sealed...)
		}
		if err != nil {
			m.done, m.decision = true, DecisionFail
			return Step{Response: m.framer.send(out), State: MethodDone, Decision: DecisionFail}, err
		}
	}
	st := Step{Response: m.framer.send(out), State: MethodCont, Decision: DecisionFail}
	if m.decision != DecisionFail {
		st.State, st.Decision = MethodMayCont, m.decision
	}
	if m.framer.sending() {
		st.State, st.Decision = MethodCont, DecisionFail
	}
	return st, nil
}

func (m *fastMethod) tlsFailure(err error) (Step, error) {
	m.done = true
	var e *Error
	if !errors.As(err, &e) {
		err = newError(ReasonTLS, err, "EAP-FAST TLS")
	}
	m.reason = err
	return Step{Response: m.framer.send(m.tls.alertOut), State: MethodDone, Decision: DecisionFail}, err
}

// tunnelUp derives the session key seed (and, for anonymous provisioning,
// the EAP-FAST-MSCHAPv2 challenges, RFC 5422 3.2.2).
func (m *fastMethod) tunnelUp() {
	n := fastSKSLen
	if m.tls.anonymous() {
		n += 32
	}
	km := m.tls.sessionKeySeed(n)
	m.keys = newFastKeys(km[:fastSKSLen])
	if m.tls.anonymous() {
		m.challenge = km[fastSKSLen:]
	}
	how := "PAC"
	switch {
	case m.tls.anonymous():
		how = "anonymous provisioning"
	case !m.tls.resumed:
		how = "server-authenticated provisioning"
	}
	m.cfg.logger().Debug("802.1X EAP-FAST tunnel up", "by", how, "suite", fmt.Sprintf("%#04x", m.tls.suite))
}

// tunnel answers one decrypted tunnel message with our TLVs.
func (m *fastMethod) tunnel(data []byte) ([]byte, error) {
	msg, err := decodeFastMsg(data)
	if err != nil {
		m.reason = newError(ReasonProtocol, err, "EAP-FAST tunnel message")
		return fastResultTLV(fastTLVResult, resultFailure), m.reason
	}
	if len(msg.unknown) > 0 {
		var resp []byte
		for _, t := range msg.unknown {
			resp = append(resp, fastNAKTLV(t)...)
		}
		return resp, nil
	}
	if msg.hasNAK {
		m.cfg.logger().Info("802.1X EAP-FAST server refused a TLV", "type", msg.nakType, "vendor", msg.nakVendor)
	}
	if msg.errorCode != 0 {
		m.reason = newError(ReasonRejected, nil, "EAP-FAST server sent Error TLV code %d", msg.errorCode)
	}
	var resp []byte
	if msg.eapPayload != nil {
		r, err := m.innerRequest(msg.eapPayload)
		if err != nil {
			m.reason = err
			return fastResultTLV(fastTLVResult, resultFailure), err
		}
		resp = append(resp, r...)
	}
	if msg.result == 0 && msg.intermediate == 0 {
		if msg.binding != nil {
			return fastResultTLV(fastTLVResult, resultFailure), m.fail(newError(ReasonProtocol, nil, "EAP-FAST Crypto-Binding without a Result TLV"))
		}
		return resp, nil
	}
	r, err := m.result(msg)
	return append(resp, r...), err
}

// fail records err as the method's failure and the decision.
func (m *fastMethod) fail(err error) error {
	m.reason = err
	m.decision = DecisionFail
	return err
}

// innerRequest runs the inner EAP method on an EAP-Payload TLV.
func (m *fastMethod) innerRequest(b []byte) ([]byte, error) {
	p, err := parseEAP(b)
	if err != nil {
		return nil, newError(ReasonProtocol, err, "EAP-FAST EAP-Payload")
	}
	if p.Code != codeRequest {
		return nil, newError(ReasonProtocol, nil, "EAP-FAST inner EAP %s where a Request was due", codeName(p.Code))
	}
	if m.in == nil {
		m.in = newInnerEAP(m.cfg, typeMSCHAPv2)
	}
	if m.in.method == nil && (p.Type == typeMSCHAPv2 || p.Type == typeGTC) {
		// The server picks the inner method; both use the password.
		m.in.typ = p.Type
		if p.Type == typeMSCHAPv2 && m.challenge != nil {
			// EAP-FAST-MSCHAPv2 (RFC 5422 3.2.2): both challenges are
			// the ones the two sides derived from the anonymous tunnel,
			// whatever the packet carries (hostapd sends zeros). The peer
			// challenge reaches the method through its randomness source.
			c := *m.cfg
			c.Rand = bytes.NewReader(m.challenge[16:32])
			m.in.cfg = &c
		}
	}
	if p.Type == typeMSCHAPv2 && m.challenge != nil && len(p.Data) >= 21 && p.Data[0] == mschapChallenge {
		p.Data = bytes.Clone(p.Data)
		copy(p.Data[5:21], m.challenge[:16])
	}
	resp, err := m.in.request(p)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, nil
	}
	return fastTLVBytes(fastTLVEAPPayload, resp), nil
}

// result answers Result / Intermediate-Result with Crypto-Binding, stores
// a PAC, and asks for one when due. Its error is the method's failure.
func (m *fastMethod) result(msg fastMsg) ([]byte, error) {
	innerOK := m.in != nil && m.in.succeeded()
	ok := (msg.result == 0 || msg.result == resultSuccess) && (msg.intermediate == 0 || msg.intermediate == resultSuccess)
	var binding []byte
	var failure error
	if ok && msg.binding != nil {
		if !innerOK {
			ok = false
		} else {
			var isk []byte
			if m.in != nil {
				isk = fastISK(m.in.method)
			}
			m.keys.next(isk)
			b, err := m.keys.answerBinding(msg.binding)
			if err != nil {
				failure, ok = err, false
			} else {
				binding, m.bound = b, true
			}
		}
	}
	if ok && msg.result == resultSuccess && !m.bound {
		failure, ok = newError(ReasonProtocol, nil, "EAP-FAST Result success without a Crypto-Binding: not accepted"), false
	}
	if !ok && failure == nil {
		switch {
		case msg.result == resultFailure || msg.intermediate == resultFailure:
			if m.in != nil {
				failure = m.in.failure("EAP-FAST Result failure")
			} else {
				failure = newError(ReasonRejected, nil, "EAP-FAST server reported failure before the inner method")
			}
		case m.in == nil || m.in.method == nil:
			failure = newError(ReasonProtocol, nil, "EAP-FAST server reported success before any inner method ran")
		default:
			failure = newError(ReasonProtocol, nil, "EAP-FAST server reported success before the inner %s completed", innerName(m.in.typ))
		}
	}
	status := uint16(resultSuccess)
	if !ok {
		status = resultFailure
		m.decision = DecisionFail
	}
	var resp []byte
	if msg.intermediate != 0 {
		resp = append(resp, fastResultTLV(fastTLVIntermediate, status)...)
	}
	if msg.result != 0 {
		resp = append(resp, fastResultTLV(fastTLVResult, status)...)
	}
	resp = append(resp, binding...)
	if !ok {
		return resp, m.fail(failure)
	}
	if msg.result != resultSuccess {
		return resp, nil
	}
	// Final success.
	m.msk, m.emsk = m.keys.msk(), m.keys.emsk()
	if msg.pac != nil {
		if err := m.storePAC(msg.pac); err != nil {
			return fastResultTLV(fastTLVResult, resultFailure), m.fail(err)
		}
		resp = append(resp, fastPACAckTLV()...)
	} else if (m.pac == nil || m.refresh) && !m.tls.anonymous() && !m.askedPAC {
		m.askedPAC = true
		resp = append(resp, fastPACRequestTLV()...)
	}
	if m.tls.anonymous() {
		// RFC 5422: a tunnel nobody authenticated grants nothing; the
		// server ends with EAP-Failure and the phone comes back with
		// its PAC.
		m.decision = DecisionFail
		if m.gotPAC {
			m.reason = newError(ReasonRejected, ErrFASTProvisioned, "EAP-FAST")
		}
		return resp, nil
	}
	m.decision = DecisionCondSucc
	return resp, nil
}

func (m *fastMethod) storePAC(v []byte) error {
	p, err := parsePACTLV(v, m.aid)
	if err != nil {
		return newError(ReasonProtocol, err, "EAP-FAST PAC from the server")
	}
	p.Received = m.cfg.now()
	if m.store.Dir == "" {
		return newError(ReasonConfig, nil, "EAP-FAST: no PAC directory configured to keep the new PAC")
	}
	if err := m.store.Save(p); err != nil {
		return newError(ReasonConfig, err, "EAP-FAST")
	}
	m.gotPAC = true
	m.cfg.logger().Info("802.1X EAP-FAST: new PAC stored", "pac", p)
	return nil
}
