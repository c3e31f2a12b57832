package net8021x

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

// fastServer is a scripted EAP-FAST server for in-memory tests: it resumes
// the phone's session with a known PAC (the abbreviated handshake) and
// then sends whatever tunnel messages a test scripts, or any bytes in
// place of its handshake flight. It shares only the vector-tested PRFs and
// the record layer with the client.
type fastServer struct {
	t           *testing.T
	m           *fastMethod
	cfg         *Config
	pac         *PAC
	id          uint8
	cr, sr      []byte
	master      []byte
	read, write *cbcState
	transcript  []byte
	suite       uint16
}

var fastTestAID = []byte("lab-aid-0123456789")

func newFastServer(t *testing.T) *fastServer {
	t.Helper()
	dir := t.TempDir()
	pac := &PAC{AID: fastTestAID, AIDInfo: "test", IID: "alice", Key: bytes.Repeat([]byte{0x42}, 32),
		Opaque: []byte("opaque-ticket"), Expires: time.Now().Add(7 * 24 * time.Hour), Received: time.Now()}
	if err := (PACStore{Dir: dir}).Save(pac); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Mode: ModeFAST, Identity: "alice", Password: "secret-pw", FASTPACDir: dir, NoServerVerify: true,
		Logger: slog.New(slog.DiscardHandler)}
	return &fastServer{t: t, m: newFAST(cfg), cfg: cfg, pac: pac, suite: suiteRSAAES128}
}

// send hands the method one EAP-FAST request's type-data.
func (s *fastServer) send(data []byte) (Step, error) {
	s.id++
	return s.m.Process(s.id, data)
}

// tlsOut strips the EAP-FAST flags (and length) from a response.
func tlsOut(t *testing.T, resp []byte) []byte {
	t.Helper()
	if len(resp) == 0 {
		t.Fatal("empty response")
	}
	if resp[0]&tlsVersionMsk != 1 {
		t.Fatalf("response version %d, want 1", resp[0]&tlsVersionMsk)
	}
	if resp[0]&tlsFlagLength != 0 {
		return resp[5:]
	}
	return resp[1:]
}

// start sends the Start with the A-ID and reads the ClientHello.
func (s *fastServer) start() {
	t := s.t
	st, err := s.send(append([]byte{tlsFlagStart | 1}, pacAttr(pacAttrAID, fastTestAID)...))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := parseRecords(tlsOut(t, st.Response))
	if err != nil || len(recs) != 1 || recs[0].typ != recHandshake || recs[0].data[0] != hsClientHello {
		t.Fatalf("ClientHello: %v %v", recs, err)
	}
	ch := recs[0].data
	s.transcript = append(s.transcript, ch...)
	s.cr = bytes.Clone(ch[6:38])
	if !bytes.Contains(ch, pacAttr(pacAttrOpaque, s.pac.Opaque)) {
		t.Fatal("ClientHello without the PAC-Opaque TLV")
	}
	s.sr = bytes.Repeat([]byte{0x5e}, 32)
}

// serverHello is a ServerHello message with the given version and suite.
func (s *fastServer) serverHello(version, suite uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, version)
	b = append(b, s.sr...)
	b = append(b, 32)
	b = append(b, bytes.Repeat([]byte{7}, 32)...) // a new session id, as hostapd sends
	b = binary.BigEndian.AppendUint16(b, suite)
	b = append(b, 0)
	return handshakeMsg(hsServerHello, b)
}

// keys derives both directions from the PAC, as the server side.
func (s *fastServer) keys() {
	s.master = tPRF(s.pac.Key, "PAC to master secret label hash", append(bytes.Clone(s.sr), s.cr...), 48)
	kb := prf12(s.master, "key expansion", append(bytes.Clone(s.sr), s.cr...), 2*20+2*16)
	s.read, _ = newCBCState(kb[40:56], kb[:20])
	s.write, _ = newCBCState(kb[56:72], kb[20:40])
}

func (s *fastServer) seal(typ uint8, data []byte) []byte {
	frag, err := s.write.seal(typ, data, bytes.NewReader(make([]byte, 16)))
	if err != nil {
		s.t.Fatal(err)
	}
	return appendRecord(nil, typ, tlsVersion12, frag)
}

// resume runs the abbreviated handshake to the established tunnel.
func (s *fastServer) resume() {
	t := s.t
	s.start()
	sh := s.serverHello(tlsVersion12, s.suite)
	s.transcript = append(s.transcript, sh...)
	s.keys()
	sum := sha256.Sum256(s.transcript)
	fin := handshakeMsg(hsFinished, prf12(s.master, "server finished", sum[:], 12))
	s.transcript = append(s.transcript, fin...)
	flight := appendRecord(nil, recHandshake, tlsVersion12, sh)
	flight = appendRecord(flight, recChangeCipherSpec, tlsVersion12, []byte{1})
	flight = append(flight, s.seal(recHandshake, fin)...)
	st, err := s.send(append([]byte{1}, flight...))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := parseRecords(tlsOut(t, st.Response))
	if err != nil || len(recs) != 2 || recs[0].typ != recChangeCipherSpec || recs[1].typ != recHandshake {
		t.Fatalf("client CCS + Finished: %v %v", recs, err)
	}
	cfin, err := s.read.open(recHandshake, recs[1].data)
	if err != nil {
		t.Fatalf("client Finished: %v", err)
	}
	sum = sha256.Sum256(s.transcript)
	if want := handshakeMsg(hsFinished, prf12(s.master, "client finished", sum[:], 12)); !bytes.Equal(cfin, want) {
		t.Fatal("client Finished does not verify")
	}
	if !s.m.tls.established() || !s.m.tls.resumed {
		t.Fatal("tunnel not up after the abbreviated handshake")
	}
}

// tunnel sends TLVs in the tunnel and returns the method's step, its
// decrypted TLVs and its error.
func (s *fastServer) tunnel(tlvs []byte) (Step, []byte, error) {
	st, err := s.send(append([]byte{1}, s.seal(recAppData, tlvs)...))
	var plain []byte
	if len(st.Response) > 1 {
		recs, perr := parseRecords(tlsOut(s.t, st.Response))
		if perr != nil {
			s.t.Fatal(perr)
		}
		for _, r := range recs {
			p, oerr := s.read.open(r.typ, r.data)
			if oerr != nil {
				s.t.Fatalf("client record: %v", oerr)
			}
			plain = append(plain, p...)
		}
	}
	return st, plain, err
}

// sessionKeys is the server's key chain for this tunnel.
func (s *fastServer) sessionKeys() *fastKeys {
	sks := prf12(s.master, "key expansion", append(bytes.Clone(s.sr), s.cr...), 2*(20+16+16)+40)[2*(20+16+16):]
	return newFastKeys(sks)
}

// bindingRequest is a server Crypto-Binding TLV for CMK.
func bindingRequest(cmk []byte) []byte {
	tlv := []byte{0x80, fastTLVCryptoBinding, 0, cryptoBindingLen, 0, 1, 1, 0}
	tlv = append(tlv, bytes.Repeat([]byte{0xa2}, 32)...)
	tlv = append(tlv, make([]byte, 20)...)
	copy(tlv[40:], compoundMAC(cmk, tlv))
	return tlv
}

func eapPayload(code, id, typ uint8, data []byte) []byte {
	return fastTLVBytes(fastTLVEAPPayload, buildEAP(code, id, typ, data))
}

// gtc runs the inner EAP-GTC round and checks the password went through.
func (s *fastServer) gtc() {
	_, resp, err := s.tunnel(eapPayload(codeRequest, 9, typeGTC, []byte("Password: ")))
	if err != nil {
		s.t.Fatal(err)
	}
	if want := eapPayload(codeResponse, 9, typeGTC, []byte(s.cfg.Password)); !bytes.Equal(resp, want) {
		s.t.Fatalf("GTC answer %x", resp)
	}
}

// TestFASTResumptionInMemory: PAC resumption, inner GTC, Result and
// Crypto-Binding, keys equal to the server's, against the scripted server.
func TestFASTResumptionInMemory(t *testing.T) {
	s := newFastServer(t)
	s.resume()
	s.gtc()
	keys := s.sessionKeys()
	keys.next(nil) // GTC has no key
	st, resp, err := s.tunnel(append(fastResultTLV(fastTLVResult, resultSuccess), bindingRequest(keys.cmk)...))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := decodeFastMsg(resp)
	if err != nil || msg.result != resultSuccess || msg.binding == nil || msg.pac != nil {
		t.Fatalf("answer %x: %+v %v", resp, msg, err)
	}
	if !bytes.Equal(compoundMAC(keys.cmk, msg.binding), msg.binding[40:]) || msg.binding[7] != fastCBResponse {
		t.Fatal("client Crypto-Binding does not verify")
	}
	if st.Decision != DecisionCondSucc {
		t.Fatalf("decision %v after Result success", st.Decision)
	}
	msk, emsk := s.m.Keys()
	if !bytes.Equal(msk, keys.msk()) || !bytes.Equal(emsk, keys.emsk()) {
		t.Fatal("MSK/EMSK differ from the server's")
	}
}

// TestFASTMalformedTLVs: each bad tunnel message is a clear error (or the
// prescribed answer), never a panic or a success.
func TestFASTMalformedTLVs(t *testing.T) {
	badCB := func(s *fastServer) []byte {
		k := s.sessionKeys()
		k.next(nil)
		b := bindingRequest(k.cmk)
		b[len(b)-1] ^= 0xff
		return b
	}
	goodCB := func(s *fastServer) []byte {
		k := s.sessionKeys()
		k.next(nil)
		return bindingRequest(k.cmk)
	}
	pacTLV := func(key []byte, aid []byte) []byte {
		v := pacAttr(pacAttrKey, key)
		v = append(v, pacAttr(pacAttrOpaque, []byte("new-opaque"))...)
		info := pacAttr(pacAttrLifetime, binary.BigEndian.AppendUint32(nil, uint32(time.Now().Add(time.Hour).Unix())))
		info = append(info, pacAttr(pacAttrAID, aid)...)
		v = append(v, pacAttr(pacAttrInfo, info)...)
		return fastTLVBytes(fastTLVPAC, v)
	}
	for _, tc := range []struct {
		name   string
		inner  bool                       // run GTC first
		bound  bool                       // and a good Result + Crypto-Binding
		msg    func(s *fastServer) []byte // the message under test
		errHas string                     // "" expects no error
		check  func(t *testing.T, st Step, resp []byte, s *fastServer)
	}{
		{name: "TLV overflow", msg: func(*fastServer) []byte { return []byte{0x80, 3, 0, 16, 0, 1} }, errHas: "past the"},
		{name: "truncated TLV header", msg: func(*fastServer) []byte { return []byte{0x80, 3, 0} }, errHas: "header of 3 bytes"},
		{name: "duplicate Result", msg: func(*fastServer) []byte {
			return append(fastResultTLV(fastTLVResult, resultSuccess), fastResultTLV(fastTLVResult, resultSuccess)...)
		}, errHas: "twice"},
		{name: "short Result", msg: func(*fastServer) []byte { return []byte{0x80, 3, 0, 1, 1} }, errHas: "Result TLV of 1 bytes"},
		{name: "unknown Result status", msg: func(*fastServer) []byte { return fastResultTLV(fastTLVResult, 7) }, errHas: "status 7 unknown"},
		{name: "PAC without Result", msg: func(*fastServer) []byte { return pacTLV(bytes.Repeat([]byte{1}, 32), fastTestAID) }, errHas: "without a Result"},
		{name: "Crypto-Binding wrong length", msg: func(*fastServer) []byte {
			return append(fastResultTLV(fastTLVResult, resultSuccess), fastTLVBytes(fastTLVCryptoBinding, make([]byte, 16))...)
		}, errHas: "Crypto-Binding TLV of 16 bytes"},
		{name: "Crypto-Binding without Result", inner: true, msg: goodCB, errHas: "without a Result"},
		{name: "Result before the inner method", msg: func(s *fastServer) []byte {
			return append(fastResultTLV(fastTLVResult, resultSuccess), goodCB(s)...)
		}, errHas: "before any inner method ran"},
		{name: "Crypto-Binding wrong MAC", inner: true, msg: func(s *fastServer) []byte {
			return append(fastResultTLV(fastTLVResult, resultSuccess), badCB(s)...)
		}, errHas: "Compound MAC is wrong"},
		{name: "Crypto-Binding wrong version", inner: true, msg: func(s *fastServer) []byte {
			b := goodCB(s)
			b[5] = 2
			return append(fastResultTLV(fastTLVResult, resultSuccess), b...)
		}, errHas: "version 2"},
		{name: "Result success without Crypto-Binding", inner: true, msg: func(*fastServer) []byte {
			return fastResultTLV(fastTLVResult, resultSuccess)
		}, errHas: "without a Crypto-Binding"},
		{name: "EAP-Payload too short", msg: func(*fastServer) []byte { return fastTLVBytes(fastTLVEAPPayload, []byte{1, 2}) }, errHas: "EAP-Payload TLV of 2 bytes"},
		{name: "EAP-Payload length past the TLV", msg: func(*fastServer) []byte {
			return fastTLVBytes(fastTLVEAPPayload, []byte{codeRequest, 1, 0, 50, typeGTC})
		}, errHas: "EAP length 50 past"},
		{name: "inner EAP Response", msg: func(*fastServer) []byte { return eapPayload(codeResponse, 1, typeGTC, nil) }, errHas: "where a Request was due"},
		{name: "Error TLV", msg: func(*fastServer) []byte { return fastTLVBytes(fastTLVError, []byte{0, 0, 0x07, 0xd0}) },
			check: func(t *testing.T, st Step, _ []byte, s *fastServer) {
				if st.Decision != DecisionFail || s.m.FailureReason() == nil || !strings.Contains(s.m.FailureReason().Error(), "code 2000") {
					t.Errorf("Error TLV: decision %v, reason %v", st.Decision, s.m.FailureReason())
				}
			}},
		{name: "unknown mandatory TLV gets a NAK", msg: func(*fastServer) []byte { return fastTLVBytes(0x3f, nil) },
			check: func(t *testing.T, _ Step, resp []byte, _ *fastServer) {
				if !bytes.Equal(resp, fastNAKTLV(0x3f)) {
					t.Errorf("answer %x, want a NAK TLV for type 0x3f", resp)
				}
			}},
		{name: "unknown optional TLV ignored", msg: func(*fastServer) []byte { return []byte{0, 0x3f, 0, 0} },
			check: func(t *testing.T, st Step, resp []byte, _ *fastServer) {
				if len(resp) != 0 || st.Decision != DecisionFail {
					t.Errorf("answer %x, decision %v", resp, st.Decision)
				}
			}},
		{name: "PAC-Key of 16 bytes", inner: true, bound: true, msg: func(*fastServer) []byte {
			return append(fastResultTLV(fastTLVResult, resultSuccess), pacTLV(bytes.Repeat([]byte{1}, 16), fastTestAID)...)
		}, errHas: "PAC-Key of 16 bytes"},
		{name: "PAC of another A-ID", inner: true, bound: true, msg: func(*fastServer) []byte {
			return append(fastResultTLV(fastTLVResult, resultSuccess), pacTLV(bytes.Repeat([]byte{1}, 32), []byte("other"))...)
		}, errHas: "PAC for A-ID"},
		{name: "PAC stored and acknowledged", inner: true, bound: true, msg: func(*fastServer) []byte {
			return append(fastResultTLV(fastTLVResult, resultSuccess), pacTLV(bytes.Repeat([]byte{9}, 32), fastTestAID)...)
		}, check: func(t *testing.T, st Step, resp []byte, s *fastServer) {
			if want := append(fastResultTLV(fastTLVResult, resultSuccess), fastPACAckTLV()...); !bytes.Equal(resp, want) {
				t.Errorf("answer %x, want Result + PAC-Acknowledgement", resp)
			}
			p, err := (PACStore{Dir: s.cfg.FASTPACDir}).Load(fastTestAID)
			if err != nil || !bytes.Equal(p.Key, bytes.Repeat([]byte{9}, 32)) || st.Decision != DecisionCondSucc {
				t.Errorf("stored PAC %v, %v; decision %v", p, err, st.Decision)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFastServer(t)
			s.resume()
			if tc.inner {
				s.gtc()
			}
			if tc.bound {
				if _, _, err := s.tunnel(append(fastResultTLV(fastTLVIntermediate, resultSuccess), goodCB(s)...)); err != nil {
					t.Fatal(err)
				}
			}
			st, resp, err := s.tunnel(tc.msg(s))
			if tc.errHas == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				tc.check(t, st, resp, s)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("error %v, want one containing %q", err, tc.errHas)
			}
			if errors.Is(err, ErrDiscard) || st.Decision != DecisionFail {
				t.Fatalf("error %v with decision %v: must be a failure", err, st.Decision)
			}
			if msg, derr := decodeFastMsg(resp); derr != nil || msg.result != resultFailure {
				t.Errorf("answer %x, want a Result failure", resp)
			}
		})
	}
}

// TestFASTMalformedRecords: bad TLS from the server in place of its
// handshake flight, each a clear error with our alert as the last answer.
func TestFASTMalformedRecords(t *testing.T) {
	rec := func(typ uint8, b []byte) []byte { return appendRecord(nil, typ, tlsVersion12, b) }
	for _, tc := range []struct {
		name   string
		flight func(s *fastServer) []byte
		errHas string
		reason Reason
	}{
		{name: "truncated record header", flight: func(*fastServer) []byte { return []byte{22, 3, 3} }, errHas: "record header of 3 bytes"},
		{name: "record length past the data", flight: func(*fastServer) []byte { return []byte{22, 3, 3, 0, 0x40, 2, 0} }, errHas: "past the 2 bytes"},
		{name: "unknown content type", flight: func(*fastServer) []byte { return []byte{99, 3, 3, 0, 0} }, errHas: "type 99 unknown"},
		{name: "bad record version", flight: func(*fastServer) []byte { return []byte{22, 5, 5, 0, 0} }, errHas: "version 0x0505"},
		{name: "oversized record", flight: func(*fastServer) []byte { return append([]byte{23, 3, 3, 0x50, 0}, make([]byte, 0x5000)...) }, errHas: "limit"},
		{name: "ServerHello TLS 1.0", flight: func(s *fastServer) []byte {
			return rec(recHandshake, s.serverHello(0x0301, suiteRSAAES128))
		}, errHas: "speaks TLS 1.2"},
		{name: "suite not offered", flight: func(s *fastServer) []byte {
			return rec(recHandshake, s.serverHello(tlsVersion12, 0x0005))
		}, errHas: "did not offer"},
		{name: "short ServerHello", flight: func(*fastServer) []byte { return rec(recHandshake, handshakeMsg(hsServerHello, []byte{3, 3})) }, errHas: "ServerHello: 2 bytes"},
		{name: "CCS before ServerHello", flight: func(*fastServer) []byte { return rec(recChangeCipherSpec, []byte{1}) }, errHas: "where none was due"},
		{name: "CCS with a wrong body", flight: func(s *fastServer) []byte {
			return append(rec(recHandshake, s.serverHello(tlsVersion12, suiteRSAAES128)), rec(recChangeCipherSpec, []byte{2})...)
		}, errHas: "ChangeCipherSpec of 02"},
		{name: "Finished that does not verify", flight: func(s *fastServer) []byte {
			s.keys()
			b := append(rec(recHandshake, s.serverHello(tlsVersion12, suiteRSAAES128)), rec(recChangeCipherSpec, []byte{1})...)
			return append(b, s.seal(recHandshake, handshakeMsg(hsFinished, make([]byte, 12)))...)
		}, errHas: "Finished does not verify", reason: ReasonServerAuthFailure},
		{name: "record with a bad MAC", flight: func(s *fastServer) []byte {
			b := append(rec(recHandshake, s.serverHello(tlsVersion12, suiteRSAAES128)), rec(recChangeCipherSpec, []byte{1})...)
			return append(b, rec(recHandshake, bytes.Repeat([]byte{0x33}, 48))...)
		}, errHas: "bad_record_mac"},
		{name: "server alert", flight: func(*fastServer) []byte { return rec(recAlert, []byte{2, 40}) }, errHas: "handshake_failure"},
		{name: "handshake message over the limit", flight: func(*fastServer) []byte { return rec(recHandshake, []byte{2, 0xff, 0xff, 0xff}) }, errHas: "limit"},
		{name: "application data before the handshake", flight: func(*fastServer) []byte { return rec(recAppData, []byte{0}) }, errHas: "before the handshake finished"},
		{name: "ServerHelloDone before the certificate", flight: func(s *fastServer) []byte {
			return rec(recHandshake, append(s.serverHello(tlsVersion12, suiteRSAAES128), handshakeMsg(hsServerHelloDone, nil)...))
		}, errHas: "before the server certificate"},
		{name: "CertificateRequest", flight: func(s *fastServer) []byte {
			return rec(recHandshake, append(s.serverHello(tlsVersion12, suiteRSAAES128), handshakeMsg(hsCertificateRequest, []byte{0})...))
		}, errHas: "client certificate"},
		{name: "Certificate not X.509", flight: func(s *fastServer) []byte {
			return rec(recHandshake, append(s.serverHello(tlsVersion12, suiteRSAAES128), handshakeMsg(hsCertificate, []byte{0, 0, 5, 0, 0, 2, 1, 2})...))
		}, errHas: "server certificate"},
		{name: "ServerKeyExchange with RSA key exchange", flight: func(s *fastServer) []byte {
			return rec(recHandshake, append(s.serverHello(tlsVersion12, suiteRSAAES128), handshakeMsg(hsServerKeyExchange, []byte{0, 1, 1})...))
		}, errHas: "ServerKeyExchange unexpected"},
		{name: "second ServerHello", flight: func(s *fastServer) []byte {
			sh := s.serverHello(tlsVersion12, suiteRSAAES128)
			return rec(recHandshake, append(bytes.Clone(sh), sh...))
		}, errHas: "ServerHello unexpected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFastServer(t)
			s.start()
			st, err := s.send(append([]byte{1}, tc.flight(s)...))
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("error %v, want one containing %q", err, tc.errHas)
			}
			if tc.reason != "" && ReasonOf(err) != tc.reason {
				t.Errorf("reason %s, want %s", ReasonOf(err), tc.reason)
			}
			if st.State != MethodDone || st.Decision != DecisionFail {
				t.Errorf("state %v decision %v after a TLS failure", st.State, st.Decision)
			}
			if tc.name != "server alert" {
				recs, perr := parseRecords(tlsOut(t, st.Response))
				if perr != nil || len(recs) != 1 || recs[0].typ != recAlert {
					t.Errorf("last answer %x, want our alert", st.Response)
				}
			}
			// The method is over: more requests are dropped, not crashed on.
			if _, err := s.send([]byte{1, 22, 3, 3, 0, 0}); !errors.Is(err, ErrDiscard) {
				t.Errorf("request after the failure: %v", err)
			}
		})
	}
}

// TestFASTStartSelectsPAC: the Start's A-ID picks the PAC; another
// server's A-ID, or none, gets a ClientHello without a ticket
// (provisioning), and a Start of version 0 is refused.
func TestFASTStartSelectsPAC(t *testing.T) {
	for name, tc := range map[string]struct {
		start  []byte
		ticket bool
	}{
		"own A-ID":   {append([]byte{tlsFlagStart | 1}, pacAttr(pacAttrAID, fastTestAID)...), true},
		"other A-ID": {append([]byte{tlsFlagStart | 1}, pacAttr(pacAttrAID, []byte("another server"))...), false},
		"no A-ID":    {[]byte{tlsFlagStart | 1}, false},
		"L flag":     {append([]byte{tlsFlagStart | tlsFlagLength | 1, 0, 0, 0, 22}, pacAttr(pacAttrAID, fastTestAID)...), true},
	} {
		t.Run(name, func(t *testing.T) {
			s := newFastServer(t)
			st, err := s.send(tc.start)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := parseRecords(tlsOut(t, st.Response))
			if err != nil || len(recs) != 1 {
				t.Fatalf("ClientHello: %v", err)
			}
			if got := bytes.Contains(recs[0].data, pacAttr(pacAttrOpaque, s.pac.Opaque)); got != tc.ticket {
				t.Fatalf("ClientHello carries the PAC-Opaque: %v, want %v", got, tc.ticket)
			}
		})
	}
	s := newFastServer(t)
	if _, err := s.send(append([]byte{tlsFlagStart}, pacAttr(pacAttrAID, fastTestAID)...)); ReasonOf(err) != ReasonProtocol {
		t.Fatalf("version 0 Start: %v", err)
	}
	if _, err := s.send([]byte{tlsFlagStart | 1, 0, 4, 0, 40}); err == nil || !strings.Contains(err.Error(), "past the") {
		t.Fatalf("Start with a bad TLV: %v", err)
	}
}

// TestFASTSuitesOffered: DH_anon only when anonymous provisioning is
// allowed, and last (hostapd follows the client's order); nothing without
// a PAC, a CA or that permission.
func TestFASTSuitesOffered(t *testing.T) {
	for name, tc := range map[string]struct {
		conf fastTLSConfig
		want []uint16
	}{
		"CA only":          {fastTLSConfig{auth: true}, []uint16{suiteDHERSAAES128, suiteDHERSAAES256, suiteRSAAES128, suiteRSAAES256}},
		"CA and anonymous": {fastTLSConfig{auth: true, anon: true}, []uint16{suiteDHERSAAES128, suiteDHERSAAES256, suiteRSAAES128, suiteRSAAES256, suiteDHAnonAES128}},
		"anonymous only":   {fastTLSConfig{anon: true}, []uint16{suiteDHAnonAES128}},
		"PAC, anonymous":   {fastTLSConfig{anon: true, pacKey: make([]byte, 32)}, []uint16{suiteDHERSAAES128, suiteDHERSAAES256, suiteRSAAES128, suiteRSAAES256, suiteDHAnonAES128}},
		"nothing":          {fastTLSConfig{}, nil},
	} {
		c := newFastTLS(tc.conf)
		if got := c.suites(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: offers %04x, want %04x", name, got, tc.want)
		}
		tc.conf.rand = zeroReader{}
		if _, err := newFastTLS(tc.conf).clientHello(); (err != nil) != (tc.want == nil) {
			t.Errorf("%s: ClientHello error %v", name, err)
		}
	}
}
