package net8021x

import (
	"bytes"
	"crypto/x509"
	"errors"
	"log/slog"
	"testing"
)

// zeroReader makes the client's randoms fixed, so seeds replay exactly.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// fuzzPACKey is the PAC-Key of the FuzzFASTRecord seeds.
var fuzzPACKey = bytes.Repeat([]byte{0x42}, 32)

// FuzzFASTRecord feeds a server flight to the TLS client right after its
// ClientHello (a PAC offered, all suites allowed), and the same bytes to
// the record parser and to a record decryption.
func FuzzFASTRecord(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 14, 0, 0, 0})
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})
	f.Fuzz(func(t *testing.T, b []byte) {
		if recs, err := parseRecords(b); err == nil {
			n := 0
			for _, r := range recs {
				n += recordHeaderLen + len(r.data)
			}
			if n != len(b) {
				t.Fatalf("records cover %d of %d bytes", n, len(b))
			}
		}
		s, _ := newCBCState(make([]byte, 16), make([]byte, 20))
		if p, err := s.open(recAppData, b); err == nil && len(p) > len(b) {
			t.Fatal("plaintext longer than the record")
		}
		c := newFastTLS(fastTLSConfig{pacKey: fuzzPACKey, pacOpaque: []byte("opaque"), auth: true, anon: true, rand: zeroReader{},
			verify: func([]*x509.Certificate) error { return errors.New("no CA in the fuzzer") }})
		if _, err := c.clientHello(); err != nil {
			t.Fatal(err)
		}
		out, app, err := c.handle(b)
		if err != nil && (out != nil || app != nil) {
			t.Fatal("output with an error")
		}
		if len(app) > 0 && !c.established() {
			t.Fatal("application data before the handshake")
		}
	})
}

// FuzzFASTTLV feeds a decrypted tunnel message to the TLV decoder, the PAC
// parser and the method's tunnel handler (keys set, inner method not run).
func FuzzFASTTLV(f *testing.F) {
	f.Add(fastResultTLV(fastTLVResult, resultSuccess))
	f.Add(eapPayload(codeRequest, 1, typeIdentity, nil))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeFastMsg(b)
		parsePACTLV(b, nil)
		cfg := &Config{Mode: ModeFAST, Identity: "alice", Password: "pw", FASTPACDir: dir, NoServerVerify: true, Logger: slog.New(slog.DiscardHandler)}
		m := newFAST(cfg)
		m.tls = &fastTLS{suite: suiteRSAAES128, resumed: true, state: tlsEstablished}
		m.keys = newFastKeys(make([]byte, fastSKSLen))
		for range 2 { // twice: a second message meets the state the first left
			_, err := m.tunnel(b)
			if m.decision != DecisionFail && (!m.bound || m.msk == nil) {
				t.Fatalf("decision %v without a verified Crypto-Binding (err %v)", m.decision, err)
			}
		}
	})
}
