package net8021x

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// tlsMethod is the part EAP-TLS, PEAP and TTLS share: the Start, the
// fragmentation, the handshake in a tlsEngine, the server certificate check
// and the key export. tunnel, when set, runs after the handshake inside the
// engine goroutine (the PEAP or TTLS phase 2) and returns when it ends.
type tlsMethod struct {
	cfg     *Config
	typ     uint8
	name    string
	maxVer  uint16
	framer  *tlsFramer
	engine  *tlsEngine
	tunnel  func(c *tls.Conn) error
	keyFunc func(cs tls.ConnectionState) (msk, emsk []byte, err error)

	// Written in the engine goroutine before the flush that reports them.
	msk, emsk []byte
	reason    error // the inner method's failure, from the last engine message
}

var _ Method = (*tlsMethod)(nil)

// newTLSMethod is EAP-TLS (RFC 5216; TLS 1.3 per RFC 9190).
func newTLSMethod(cfg *Config) *tlsMethod {
	m := &tlsMethod{cfg: cfg, typ: typeTLS, name: "TLS", maxVer: cfg.TLSMaxVersion}
	if m.maxVer == 0 {
		m.maxVer = tls.VersionTLS13
	}
	m.keyFunc = eapTLSKeys
	m.tunnel = m.eapTLS13Commitment
	return m
}

func (m *tlsMethod) Type() uint8              { return m.typ }
func (m *tlsMethod) Name() string             { return m.name }
func (m *tlsMethod) Keys() (msk, emsk []byte) { return m.msk, m.emsk }

func (m *tlsMethod) Close() error {
	if m.engine != nil {
		m.engine.close()
	}
	return nil
}

func (m *tlsMethod) Process(id uint8, data []byte) (Step, error) {
	if len(data) < 1 {
		return Step{}, discardf("%s request without flags", m.name)
	}
	if data[0]&tlsFlagStart != 0 {
		return m.start(id, data)
	}
	if m.engine == nil {
		return Step{}, discardf("%s request before the Start", m.name)
	}
	res, msg, err := m.framer.receive(data)
	if err != nil {
		return Step{}, newError(ReasonProtocol, err, "%s framing", m.name)
	}
	switch res {
	case frameNext:
		return Step{Response: m.framer.next(), State: MethodCont, Decision: DecisionFail}, nil
	case frameAck:
		return Step{Response: m.framer.ack(), State: MethodCont, Decision: DecisionFail}, nil
	}
	if m.engine.finished {
		return Step{}, discardf("%s request after the method ended", m.name)
	}
	return m.answer(m.engine.exchange(id, msg))
}

func (m *tlsMethod) start(id uint8, data []byte) (Step, error) {
	if m.engine != nil {
		return Step{}, discardf("%s Start after the handshake began", m.name)
	}
	if m.typ == typeTLS && len(data) > 1 {
		return Step{}, discardf("EAP-TLS Start carrying %d bytes", len(data)-1)
	}
	m.framer = newTLSFramer(m.cfg.fragmentSize(), m.cfg.maxMessage())
	if m.typ == typePEAP {
		// We speak PEAPv0 whatever the server offers (PEAP version
		// negotiation: the peer answers with the version it takes).
		m.framer.version = 0
	}
	m.engine = newTLSEngine()
	return m.answer(m.engine.start(id, m.run))
}

// FailureReason tells the peer why a tunnelled inner method failed, for a
// bare EAP-Failure that follows.
func (m *tlsMethod) FailureReason() error { return m.reason }

// answer turns an engine message into the method's Step.
func (m *tlsMethod) answer(o engineOut) (Step, error) {
	if o.reason != nil {
		m.reason = o.reason
	}
	if o.done && o.err != nil {
		// Answer with our alert, or an empty message, so the server can
		// end with EAP-Failure; the failure reason stays ours.
		return Step{Response: m.framer.send(o.data), State: MethodDone, Decision: DecisionFail}, o.err
	}
	st := Step{Response: m.framer.send(o.data), State: MethodMayCont, Decision: o.decision}
	if o.done {
		st.State, st.Decision = MethodDone, DecisionCondSucc
	}
	if m.framer.sending() {
		st.State, st.Decision = MethodCont, DecisionFail
	}
	return st, nil
}

// run is the engine goroutine: handshake, keys, then the tunnel.
func (m *tlsMethod) run(conn net.Conn) error {
	c := tls.Client(conn, m.tlsConfig())
	if err := c.Handshake(); err != nil {
		return m.handshakeError(err)
	}
	cs := c.ConnectionState()
	msk, emsk, err := m.keyFunc(cs)
	if err != nil {
		return err
	}
	m.msk, m.emsk = msk, emsk
	if m.tunnel == nil {
		return nil
	}
	return m.tunnel(c)
}

func (m *tlsMethod) tlsConfig() *tls.Config {
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		MaxVersion: m.maxVer,
		ServerName: m.cfg.ServerName,
		Time:       m.cfg.Clock,
		Rand:       m.cfg.Rand,
		// The check is ours (verifyServer): it needs the phone's clock in
		// its message and must run without a server name too.
		InsecureSkipVerify: true,
		VerifyConnection:   m.verifyServer,
	}
	if cert := m.cfg.Certificate; cert != nil {
		// Sent whatever CAs the server lists, as OpenSSL-based supplicants
		// do: the server's list is often empty or incomplete.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	return cfg
}

// verifyServer checks the server chain against the configured CAs, the
// phone's clock and the optional server name.
func (m *tlsMethod) verifyServer(cs tls.ConnectionState) error {
	if m.cfg.NoServerVerify {
		return nil
	}
	if len(cs.PeerCertificates) == 0 {
		return newError(ReasonCertUntrusted, nil, "server sent no certificate")
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	now := m.cfg.now()
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         m.cfg.CAs,
		Intermediates: inter,
		CurrentTime:   now,
		DNSName:       m.cfg.ServerName,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err == nil {
		return nil
	}
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		c := invalid.Cert
		if c == nil {
			c = leaf
		}
		r := ReasonCertExpired
		if now.Before(c.NotBefore) {
			r = ReasonCertNotYetValid
		}
		return newError(r, nil, "server certificate %q valid from %s to %s, phone clock %s%s",
			c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339),
			clockFrom(m.cfg.ClockSource))
	case errors.As(err, &unknown):
		return newError(ReasonCertUntrusted, nil, "server certificate %q (issuer %q) is not signed by a trusted CA", leaf.Subject.CommonName, leaf.Issuer.CommonName)
	case errors.As(err, &host):
		return newError(ReasonCertName, nil, "server certificate %q does not match server name %q", leaf.Subject.CommonName, m.cfg.ServerName)
	}
	return newError(ReasonCertUntrusted, err, "server certificate %q rejected", leaf.Subject.CommonName)
}

// handshakeError types a handshake failure; an EAP-TLS server refusing our
// certificate is a credentials problem.
func (m *tlsMethod) handshakeError(err error) error {
	if m.typ == typeTLS && m.cfg.Certificate != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "remote error" && certAlert(op.Err.Error()) {
			return newError(ReasonCredentials, err, "server rejected the client certificate")
		}
	}
	return classifyTLSError(m.name, err)
}

// certAlert tells the TLS alerts a server sends about a client certificate.
func certAlert(s string) bool {
	for _, a := range []string{"bad certificate", "unsupported certificate", "certificate revoked", "certificate expired",
		"certificate unknown", "unknown certificate authority", "certificate required", "access denied"} {
		if strings.Contains(s, a) {
			return true
		}
	}
	return false
}

// classifyTLSError keeps a typed error from verifyServer and types the rest.
func classifyTLSError(name string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, errEngineClosed) {
		return err
	}
	return newError(ReasonTLS, err, "%s handshake", name)
}

// exportKeys runs the TLS exporter, explaining Go's refusal on TLS 1.2
// without Extended Master Secret.
func exportKeys(cs tls.ConnectionState, label string, context []byte) (msk, emsk []byte, err error) {
	km, err := cs.ExportKeyingMaterial(label, context, 128)
	if err != nil {
		if cs.Version == tls.VersionTLS12 {
			return nil, nil, newError(ReasonTLS, err, "server negotiated TLS 1.2 without Extended Master Secret; Go refuses the EAP key export (GODEBUG=tlsunsafeekm=1 allows it)")
		}
		return nil, nil, newError(ReasonTLS, err, "TLS key export %q", label)
	}
	return km[:64], km[64:], nil
}

// eapTLSKeys is RFC 5216 2.3 (TLS 1.2) or RFC 9190 2.3 (TLS 1.3).
func eapTLSKeys(cs tls.ConnectionState) (msk, emsk []byte, err error) {
	if cs.Version == tls.VersionTLS13 {
		return exportKeys(cs, "EXPORTER_EAP_TLS_Key_Material", []byte{typeTLS})
	}
	return exportKeys(cs, "client EAP encryption", nil)
}

// eapTLS13Commitment waits, on TLS 1.3, for the server's commitment
// message (one application data byte 0x00, RFC 9190 2.5) or a close_notify
// (as drafts of it did) before the method may end.
func (m *tlsMethod) eapTLS13Commitment(c *tls.Conn) error {
	if c.ConnectionState().Version != tls.VersionTLS13 {
		return nil
	}
	b := make([]byte, 16)
	n, err := c.Read(b)
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return m.handshakeError(err)
	case n != 1 || b[0] != 0:
		return newError(ReasonProtocol, nil, "EAP-TLS 1.3 commitment message of %d bytes (%x), want one 0x00", n, b[:n])
	}
	return nil
}

// String helps logs.
func (m *tlsMethod) String() string { return fmt.Sprintf("EAP-%s", m.name) }

// clockFrom says which clock a certificate check used, when known: before
// network time a phone without a real-time clock checks against a lower
// bound (its build time or the last time it saved).
func clockFrom(source func() string) string {
	if source == nil {
		return ""
	}
	if s := source(); s != "" {
		return " (from " + s + ")"
	}
	return ""
}
