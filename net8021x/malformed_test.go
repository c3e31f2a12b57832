package net8021x

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// Malformed input, one case each (the list in shared/notes/8021x.md). Each
// must be refused with an error naming what was wrong, and never panic.
func TestMalformedInput(t *testing.T) {
	cfg := &Config{Identity: "alice", Password: "pw", Logger: slog.New(slog.DiscardHandler)}
	md5 := func(b []byte) error { _, err := newMD5(cfg).Process(1, b); return err }
	mschap := func(b []byte) error { _, err := newMSCHAPv2(cfg).Process(1, b); return err }
	mschapAfterChallenge := func(b []byte) error {
		m := newMSCHAPv2(cfg)
		if _, err := m.Process(1, append([]byte{1, 1, 0, 21, 16}, make([]byte, 16)...)); err != nil {
			return err
		}
		_, err := m.Process(2, b)
		return err
	}
	frags := func(fragments ...[]byte) error {
		f := newTLSFramer(100, 64)
		for _, b := range fragments {
			if _, _, err := f.receive(b); err != nil {
				return err
			}
		}
		return nil
	}
	frag := func(b []byte) error { return frags(b) }
	sendingFrag := func(b []byte) error {
		f := newTLSFramer(10, 1000)
		f.send(make([]byte, 30))
		_, _, err := f.receive(b)
		return err
	}
	tlsStart := func(b []byte) error {
		_, err := newTLSMethod(cfg).Process(1, b)
		return err
	}
	eapol := func(b []byte) error { _, err := parseEAPOL(b); return err }
	eap := func(b []byte) error { _, err := parseEAP(b); return err }
	tlv := func(b []byte) error { _, err := parsePEAPTLVs(b); return err }
	avp := func(b []byte) error { _, err := parseTTLSAVPs(b); return err }
	peap := func(b []byte) error {
		_, err := peapPhase2(newTLSEngine(), newInnerEAP(cfg, typeMSCHAPv2), &peapKeys{}, b)
		return err
	}

	tests := []struct {
		name  string
		parse func([]byte) error
		in    []byte
		want  string
	}{
		{"EAPOL shorter than 4 bytes", eapol, []byte{1, 0, 0}, "need 4"},
		{"EAPOL body length past the frame", eapol, []byte{1, 0, 0, 9, 1, 2}, "past"},
		{"Ethernet frame not EAPOL", func(b []byte) error { _, err := parseFrame(b); return err }, make([]byte, 20), "not EAPOL"},
		{"invalid EAP code", eap, []byte{9, 1, 0, 4}, "code 9"},
		{"EAP length below 4", eap, []byte{1, 1, 0, 3, 1}, "below"},
		{"EAP length past the body", eap, []byte{1, 1, 0, 40, 1}, "past"},
		{"EAP request without type", eap, []byte{1, 1, 0, 4}, "without a type"},
		{"EAP expanded type too short", eap, []byte{1, 1, 0, 7, 254, 0, 0}, "expanded"},
		{"MD5 with no value", md5, nil, "value-size"},
		{"MD5 with zero value", md5, []byte{0}, "zero"},
		{"MD5 with overlong value", md5, []byte{16, 1, 2}, "past"},
		{"MSCHAPv2 short challenge", mschap, []byte{1, 1, 0, 9, 16, 1, 2, 3}, "need 21"},
		{"MSCHAPv2 wrong-length challenge", mschap, append([]byte{1, 1, 0, 21, 8}, make([]byte, 16)...), "value-size 8"},
		{"MSCHAPv2 unknown opcode", mschap, []byte{9, 1, 0, 4}, "opcode 9"},
		{"MSCHAPv2 Success before Challenge", mschap, []byte{3, 1, 0, 46}, "before a Challenge"},
		{"MSCHAPv2 bad S= response", mschapAfterChallenge, append([]byte{3, 1, 0, 46}, "S=0000000000000000000000000000000000000000"...), "authenticator response is wrong"},
		{"MSCHAPv2 malformed Failure", mschapAfterChallenge, append([]byte{4, 1, 0, 9}, "junk"...), "without an error code"},
		{"MSCHAPv2 password expired", mschapAfterChallenge, append([]byte{4, 1, 0, 20}, "E=648 R=0 V=3"...), "password expired"},
		{"TLS fragment missing flags", frag, nil, "without flags"},
		{"TLS first length smaller than the data", frag, append([]byte{tlsFlagLength | tlsFlagMore, 0, 0, 0, 2}, 1, 2, 3), "announced"},
		{"TLS more data than announced", func([]byte) error {
			return frags([]byte{tlsFlagLength | tlsFlagMore, 0, 0, 0, 4, 1, 2, 3}, []byte{0, 4, 5})
		}, nil, "announced"},
		{"TLS less data than announced", frag, []byte{tlsFlagLength, 0, 0, 0, 4, 1, 2}, "announced"},
		{"TLS reassembly past the cap", func([]byte) error {
			return frags(append([]byte{tlsFlagMore}, make([]byte, 40)...), append([]byte{tlsFlagMore}, make([]byte, 40)...))
		}, nil, "past 64"},
		{"TLS announced length past the cap", frag, []byte{tlsFlagLength | tlsFlagMore, 0, 1, 0, 0, 1}, "cap"},
		{"TLS non-ACK to a more-fragments message", sendingFrag, []byte{0, 1, 2}, "ACK"},
		{"TLS M flag without data", frag, []byte{tlsFlagMore}, "no data"},
		{"EAP-TLS Start with payload", tlsStart, []byte{tlsFlagStart, 1, 2, 3}, "Start carrying"},
		{"EAP-TLS data before Start", tlsStart, []byte{0, 1, 2, 3}, "before the Start"},
		{"PEAP inner length mismatch", peap, []byte{1, 7, 0, 20, typeTLV, 0x80, 3, 0, 2, 0, 1}, "past"},
		{"PEAP short Result TLV", tlv, []byte{0x80, 3, 0, 1, 1}, "want 2"},
		{"PEAP Result TLV unknown status", tlv, []byte{0x80, 3, 0, 2, 0, 7}, "status 7"},
		{"PEAP TLV overflow", tlv, []byte{0x80, 3, 0, 9, 0, 1}, "past"},
		{"PEAP bad crypto-binding TLV", tlv, []byte{0, 12, 0, 4, 1, 0, 0, 0}, "Crypto-Binding"},
		{"PEAP unknown mandatory TLV", tlv, []byte{0x80, 99, 0, 0}, "mandatory"},
		{"TTLS AVP length below 8", avp, []byte{0, 0, 0, 79, 0x40, 0, 0, 4}, "below 8"},
		{"TTLS AVP length overflowing", avp, []byte{0, 0, 0, 79, 0x40, 0, 0, 40, 1}, "past"},
		{"TTLS short vendor AVP", avp, []byte{0, 0, 0, 26, 0xc0, 0, 0, 10, 0, 0}, "below 12"},
		{"TTLS unknown mandatory AVP", avp, []byte{0, 0, 0, 99, 0x40, 0, 0, 8}, "mandatory"},
		{"TTLS MS-CHAP2-Success not 43 bytes", avp, []byte{0, 0, 0, 26, 0xc0, 0, 0, 14, 0, 0, 1, 0x37, 1, 2}, "want 43"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse(tc.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

// Unknown EAPOL types and EAPOL-Key on the wired port are ignored; the
// supplicant answers only the valid request that follows.
func TestSupplicantIgnoresOtherEAPOL(t *testing.T) {
	cfg := baseConfig(t, ModeMD5)
	_, err, sr := authenticate(t, cfg, func(a *testAuth) scriptResult {
		a.waitStart()
		a.end.WriteFrame(buildFrame(PAEGroupAddr, authMAC, eapolKey, make([]byte, 95)))
		a.end.WriteFrame(buildFrame(PAEGroupAddr, authMAC, 9, []byte{1, 2}))
		a.end.WriteFrame(append(buildFrame(PAEGroupAddr, authMAC, eapolEAP, nil)[:16], 0x00))         // truncated
		a.end.WriteFrame(buildFrame(PAEGroupAddr, authMAC, eapolEAP, []byte{7, 1, 0, 4}))             // bad code
		a.end.WriteFrame(buildFrame(PAEGroupAddr, authMAC, eapolEAP, []byte{codeSuccess, 100, 0, 4})) // no method yet
		a.id = 50
		id, err := a.identity()
		if err != nil || id != "alice" {
			return scriptResult{err: errors.Join(err, errors.New("identity "+id))}
		}
		ok, err := a.serverMD5("s3cret-pw")
		a.success()
		return scriptResult{ok: ok, err: err}
	})
	if err != nil || !sr.ok || sr.err != nil {
		t.Fatalf("client %v, server %+v", err, sr)
	}
}
