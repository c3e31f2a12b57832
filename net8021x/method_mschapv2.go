package net8021x

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// EAP-MSCHAPv2 opcodes (draft-kamath-pppext-eap-mschapv2).
const (
	mschapChallenge = 1
	mschapResponse  = 2
	mschapSuccess   = 3
	mschapFailure   = 4
)

// mschapv2Method is EAP-MSCHAPv2, the inner method of PEAP and TTLS.
type mschapv2Method struct {
	cfg           *Config
	authChallenge []byte
	peerChallenge []byte
	ntResponse    []byte
	msk           []byte
}

var _ Method = (*mschapv2Method)(nil)

func newMSCHAPv2(cfg *Config) *mschapv2Method { return &mschapv2Method{cfg: cfg} }

func (m *mschapv2Method) Type() uint8              { return typeMSCHAPv2 }
func (m *mschapv2Method) Name() string             { return "MSCHAPv2" }
func (m *mschapv2Method) Keys() (msk, emsk []byte) { return m.msk, nil }
func (m *mschapv2Method) Close() error             { return nil }

func (m *mschapv2Method) Process(id uint8, data []byte) (Step, error) {
	if len(data) < 1 {
		return Step{}, discardf("MSCHAPv2 request without an opcode")
	}
	switch data[0] {
	case mschapChallenge:
		return m.challenge(data)
	case mschapSuccess:
		return m.success(data)
	case mschapFailure:
		return m.failure(data)
	}
	return Step{}, discardf("MSCHAPv2 opcode %d unknown", data[0])
}

// challenge: op, ms-id, ms-length(2), value-size 16, challenge(16), name.
func (m *mschapv2Method) challenge(data []byte) (Step, error) {
	if len(data) < 5 {
		return Step{}, discardf("MSCHAPv2 challenge of %d bytes", len(data))
	}
	if data[4] != 16 {
		return Step{}, discardf("MSCHAPv2 challenge value-size %d, want 16", data[4])
	}
	if len(data) < 21 {
		return Step{}, discardf("MSCHAPv2 challenge of %d bytes, need 21", len(data))
	}
	m.authChallenge = append([]byte(nil), data[5:21]...)
	m.peerChallenge = make([]byte, 16)
	r := m.cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, m.peerChallenge); err != nil {
		return Step{}, fmt.Errorf("MSCHAPv2 peer challenge: %w", err)
	}
	user := mschapUser(m.cfg.Identity)
	m.ntResponse = generateNTResponse(m.authChallenge, m.peerChallenge, user, m.cfg.Password)
	resp := []byte{mschapResponse, data[1], 0, 0, 49}
	resp = append(resp, m.peerChallenge...)
	resp = append(resp, make([]byte, 8)...)
	resp = append(resp, m.ntResponse...)
	resp = append(resp, 0) // flags
	resp = append(resp, m.cfg.Identity...)
	binary.BigEndian.PutUint16(resp[2:4], uint16(len(resp)))
	return Step{Response: resp, State: MethodCont, Decision: DecisionFail}, nil
}

// success: op, ms-id, ms-length, "S=<40 hex> M=<message>".
func (m *mschapv2Method) success(data []byte) (Step, error) {
	if m.ntResponse == nil {
		return Step{}, discardf("MSCHAPv2 Success before a Challenge")
	}
	if len(data) < 4 {
		return Step{}, discardf("MSCHAPv2 Success of %d bytes", len(data))
	}
	msg := string(data[4:])
	want := authenticatorResponse(m.cfg.Password, m.ntResponse, m.peerChallenge, m.authChallenge, mschapUser(m.cfg.Identity))
	if len(msg) < 42 || subtle.ConstantTimeCompare([]byte(strings.ToUpper(msg[:42])), []byte(want)) != 1 {
		return Step{}, newError(ReasonServerAuthFailure, nil, "MSCHAPv2 server authenticator response is wrong: the server does not know the password")
	}
	m.msk = mschapv2MSK(m.cfg.Password, m.ntResponse)
	return Step{Response: []byte{mschapSuccess}, State: MethodDone, Decision: DecisionCondSucc}, nil
}

// failure: op, ms-id, ms-length, "E=eee R=r C=cccc V=vvv M=<msg>". The peer
// acknowledges and records why.
func (m *mschapv2Method) failure(data []byte) (Step, error) {
	var msg string
	if len(data) > 4 {
		msg = string(data[4:])
	}
	return Step{Response: []byte{mschapFailure}, State: MethodDone, Decision: DecisionFail}, mschapFailureError(msg)
}

// mschapFailureError maps the E= code of a Failure packet (RFC 2759 6).
func mschapFailureError(msg string) error {
	code := -1
	text := ""
	for f := range strings.FieldsSeq(msg) {
		switch {
		case strings.HasPrefix(f, "E="):
			if n, err := strconv.Atoi(f[2:]); err == nil {
				code = n
			}
		case strings.HasPrefix(f, "M="):
			text = printable([]byte(msg[strings.Index(msg, "M=")+2:]))
		}
	}
	detail := ""
	if text != "" {
		detail = " (" + text + ")"
	}
	switch code {
	case 691:
		return newError(ReasonCredentials, nil, "MSCHAPv2 authentication failure E=691%s", detail)
	case 648:
		return newError(ReasonPasswordExpired, nil, "MSCHAPv2 password expired E=648%s", detail)
	case 647:
		return newError(ReasonAccountDisabled, nil, "MSCHAPv2 account disabled E=647%s", detail)
	case -1:
		return newError(ReasonRejected, nil, "MSCHAPv2 failure without an error code")
	}
	return newError(ReasonRejected, nil, "MSCHAPv2 failure E=%d%s", code, detail)
}
