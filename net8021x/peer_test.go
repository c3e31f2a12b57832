package net8021x

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"
)

func testPeer(mode Mode) *peer {
	return newPeer(&Config{Mode: mode, Identity: "alice", Password: "pw", Logger: slog.New(slog.DiscardHandler)})
}

func TestPeerIdentityAndDuplicate(t *testing.T) {
	p := testPeer(ModeMD5)
	req := buildEAP(codeRequest, 5, typeIdentity, nil)
	r1, out, err := p.receive(req)
	if err != nil || out != outcomeNone {
		t.Fatal(out, err)
	}
	if want := buildEAP(codeResponse, 5, typeIdentity, []byte("alice")); !bytes.Equal(r1, want) {
		t.Fatalf("identity response %x, want %x", r1, want)
	}
	chal := buildEAP(codeRequest, 6, typeMD5, append([]byte{4}, 1, 2, 3, 4))
	r2, _, _ := p.receive(chal)
	// The same request again (our answer was lost): the same answer.
	r3, out, err := p.receive(chal)
	if err != nil || out != outcomeNone || !bytes.Equal(r2, r3) {
		t.Fatalf("duplicate got %x (%v, %v), want %x", r3, out, err, r2)
	}
	// Ethernet padding after the EAP length is ignored.
	_, out, err = p.receive(append([]byte{codeSuccess, 6, 0, 4}, make([]byte, 40)...))
	if out != outcomeSuccess || err != nil {
		t.Fatalf("success with padding: %v %v", out, err)
	}
}

func TestPeerNak(t *testing.T) {
	p := testPeer(ModePEAPMSCHAPv2)
	p.receive(buildEAP(codeRequest, 1, typeIdentity, nil))
	r, _, err := p.receive(buildEAP(codeRequest, 2, typeMD5, []byte{1, 9}))
	if err != nil || !bytes.Equal(r, []byte{codeResponse, 2, 0, 6, typeNak, typePEAP}) {
		t.Fatalf("NAK %x %v", r, err)
	}
	// An expanded-type request gets an Expanded Nak proposing PEAP.
	exp := buildEAP(codeRequest, 3, typeExpanded, []byte{0, 0, 0x9f, 0, 0, 0, 1})
	r, _, err = p.receive(exp)
	want := []byte{codeResponse, 3, 0, 20, typeExpanded, 0, 0, 0, 0, 0, 0, typeNak, typeExpanded, 0, 0, 0, 0, 0, 0, typePEAP}
	if err != nil || !bytes.Equal(r, want) {
		t.Fatalf("expanded NAK %x %v, want %x", r, err, want)
	}
	// The server gives up: the reason says it never offered our method.
	_, out, err := p.receive([]byte{codeFailure, 3, 0, 4})
	if out != outcomeFailure || ReasonOf(err) != ReasonMethodNotOffered {
		t.Fatalf("failure %v %v", out, err)
	}
}

func TestPeerSuccessRules(t *testing.T) {
	p := testPeer(ModeMD5)
	// Success before anything was answered: dropped.
	if _, out, err := p.receive([]byte{codeSuccess, 0, 0, 4}); out != outcomeNone || !errors.Is(err, ErrDiscard) {
		t.Fatalf("early success: %v %v", out, err)
	}
	p.receive(buildEAP(codeRequest, 1, typeIdentity, nil))
	// Success with a wrong identifier: dropped.
	if _, out, _ := p.receive([]byte{codeSuccess, 9, 0, 4}); out != outcomeNone {
		t.Fatalf("success with wrong id accepted")
	}
	// Success before the method ran is not authentication (RFC 4137).
	_, out, err := p.receive([]byte{codeSuccess, 1, 0, 4})
	if out != outcomeFailure || ReasonOf(err) != ReasonProtocol {
		t.Fatalf("success before method: %v %v", out, err)
	}
}

func TestPeerSuccessWhileTLSRuns(t *testing.T) {
	p := testPeer(ModeTLS)
	p.cfg.NoServerVerify = true
	defer p.reset()
	p.receive(buildEAP(codeRequest, 1, typeIdentity, nil))
	if _, _, err := p.receive(buildEAP(codeRequest, 2, typeTLS, []byte{tlsFlagStart})); err != nil {
		t.Fatal(err)
	}
	// The handshake has only begun: an EAP-Success must not authenticate.
	if _, out, _ := p.receive([]byte{codeSuccess, 2, 0, 4}); out == outcomeSuccess {
		t.Fatal("success accepted mid-handshake")
	}
}

func TestPeerNotificationMidExchange(t *testing.T) {
	p := testPeer(ModeMD5)
	p.receive(buildEAP(codeRequest, 1, typeIdentity, nil))
	r, _, err := p.receive(buildEAP(codeRequest, 2, typeNotification, []byte("maintenance\x07 tonight")))
	if err != nil || !bytes.Equal(r, []byte{codeResponse, 2, 0, 5, typeNotification}) {
		t.Fatalf("notification answer %x %v", r, err)
	}
	r, _, err = p.receive(buildEAP(codeRequest, 3, typeMD5, []byte{1, 0xaa}))
	if err != nil || len(r) != 5+17 {
		t.Fatalf("MD5 after notification %x %v", r, err)
	}
	if _, out, _ := p.receive([]byte{codeSuccess, 3, 0, 4}); out != outcomeSuccess {
		t.Fatal("no success")
	}
}

func TestPeerFailureReasons(t *testing.T) {
	p := testPeer(ModeMD5)
	p.receive(buildEAP(codeRequest, 1, typeIdentity, nil))
	_, out, err := p.receive([]byte{codeFailure, 1, 0, 4})
	if out != outcomeFailure || ReasonOf(err) != ReasonRejected {
		t.Fatalf("failure before method: %v %v", out, err)
	}
	// A request after the failure starts over.
	r, _, _ := p.receive(buildEAP(codeRequest, 1, typeIdentity, nil))
	if r == nil {
		t.Fatal("no answer after restart")
	}
	p.receive(buildEAP(codeRequest, 2, typeMD5, []byte{1, 0xaa}))
	_, out, err = p.receive([]byte{codeFailure, 2, 0, 4})
	if out != outcomeFailure || ReasonOf(err) != ReasonCredentials {
		t.Fatalf("failure after method: %v %v", out, err)
	}
}

func TestConfigValidate(t *testing.T) {
	pool := getPKI(t).pool
	tests := []struct {
		cfg  Config
		want Reason // "" for valid
	}{
		{Config{Mode: ModeDisabled}, ""},
		{Config{Mode: ModeMD5, Identity: "a"}, ""},
		{Config{Mode: ModeMD5}, ReasonConfig},
		{Config{Mode: ModePEAPMSCHAPv2, Identity: "a"}, ReasonConfig}, // no CA
		{Config{Mode: ModePEAPMSCHAPv2, Identity: "a", CAs: pool}, ""},
		{Config{Mode: ModeTTLSGTC, Identity: "a", NoServerVerify: true}, ""},
		{Config{Mode: ModeTLS, Identity: "a", CAs: pool}, ReasonConfig},  // no client certificate
		{Config{Mode: ModeFAST, Identity: "a", CAs: pool}, ReasonConfig}, // no PAC directory
		{Config{Mode: ModeFAST, Identity: "a", CAs: pool, FASTPACDir: "/flash/pac"}, ""},
		{Config{Mode: 9}, ReasonConfig},
	}
	for _, tc := range tests {
		err := tc.cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("mode %d: %v", tc.cfg.Mode, err)
		case tc.want != "" && ReasonOf(err) != tc.want:
			t.Errorf("mode %d: %v, want reason %q", tc.cfg.Mode, err, tc.want)
		}
	}
}
