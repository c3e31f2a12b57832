package net8021x

import (
	"errors"
	"fmt"
	"strings"
)

// outcome is where an EAP conversation ended, if it did.
type outcome int

const (
	outcomeNone outcome = iota
	outcomeSuccess
	outcomeFailure
)

// peer is the EAP peer state machine of RFC 4137 (hostap eap_peer/eap.c),
// driven one received packet at a time. It is not safe for concurrent use.
type peer struct {
	cfg *Config

	method      Method // nil until a request of our type arrived
	methodRan   bool   // it processed at least one request
	methodState MethodState
	decision    Decision
	methodErr   error // the method's own failure, reported over a bare Failure
	nakFrom     uint8 // a type the server offered and we refused

	lastID   int // identifier of the last request answered, -1 none
	lastResp []byte
	done     bool // Success or Failure seen: the next request restarts
}

func newPeer(cfg *Config) *peer {
	p := &peer{cfg: cfg}
	p.reset()
	return p
}

// reset starts a new conversation (RFC 4137 INITIALIZE).
func (p *peer) reset() {
	if p.method != nil {
		p.method.Close()
	}
	*p = peer{cfg: p.cfg, lastID: -1}
}

// inProgress tells whether a conversation has started and not ended.
func (p *peer) inProgress() bool { return p.lastID >= 0 && !p.done }

// receive handles one EAP packet. It returns the response to send (nil for
// none), the outcome, and for a failure the reason. A non-nil error with
// outcomeNone is a discarded packet, for the log.
func (p *peer) receive(b []byte) ([]byte, outcome, error) {
	pkt, err := parseEAP(b)
	if err != nil {
		return nil, outcomeNone, err
	}
	switch pkt.Code {
	case codeRequest:
		return p.request(pkt)
	case codeSuccess:
		return p.success(pkt)
	case codeFailure:
		return p.failure(pkt)
	}
	return nil, outcomeNone, fmt.Errorf("EAP Response sent to the peer: %w", errMalformed)
}

func (p *peer) request(pkt eapPacket) ([]byte, outcome, error) {
	if p.done {
		// A request after Success or Failure is a new authentication
		// (re-authentication): RFC 4137 eapRestart.
		p.reset()
	}
	if int(pkt.ID) == p.lastID && p.lastResp != nil {
		// Duplicate: the authenticator lost our answer (RFC 4137 RETRANSMIT).
		return p.lastResp, outcomeNone, nil
	}
	var resp []byte
	switch {
	case pkt.Type == typeIdentity:
		if p.method != nil {
			// A new Identity request mid-method restarts the conversation.
			p.reset()
		}
		resp = buildEAP(codeResponse, pkt.ID, typeIdentity, []byte(p.cfg.outerIdentity()))
	case pkt.Type == typeNotification:
		p.cfg.logger().Info("802.1X notification", "text", printable(pkt.Data))
		resp = buildEAP(codeResponse, pkt.ID, typeNotification, nil)
	case pkt.Type == typeNak:
		return nil, outcomeNone, fmt.Errorf("EAP Nak sent as a request: %w", errMalformed)
	case p.method == nil && pkt.Type == methodType(p.cfg.Mode):
		m, err := newMethod(p.cfg)
		if err != nil {
			return nil, outcomeFailure, err
		}
		p.method = m
		return p.runMethod(pkt)
	case p.method == nil:
		want := methodType(p.cfg.Mode)
		p.nakFrom = pkt.Type
		resp = buildNak(pkt.ID, pkt.Type, want)
	case pkt.Type == p.method.Type() && p.methodState != MethodDone:
		return p.runMethod(pkt)
	default:
		return nil, outcomeNone, discardf("EAP request of type %d while running %s", pkt.Type, p.method.Name())
	}
	p.lastID, p.lastResp = int(pkt.ID), resp
	return resp, outcomeNone, nil
}

func (p *peer) runMethod(pkt eapPacket) ([]byte, outcome, error) {
	step, err := p.method.Process(pkt.ID, pkt.Data)
	if err != nil && errors.Is(err, ErrDiscard) {
		return nil, outcomeNone, err
	}
	p.methodRan = true
	p.methodState, p.decision = step.State, step.Decision
	if err != nil {
		p.methodErr = err
		p.methodState, p.decision = MethodDone, DecisionFail
		if step.Response == nil {
			// Nothing to tell the server: the method's failure is final.
			p.done = true
			return nil, outcomeFailure, err
		}
	}
	resp := buildEAP(codeResponse, pkt.ID, p.method.Type(), step.Response)
	p.lastID, p.lastResp = int(pkt.ID), resp
	return resp, outcomeNone, nil
}

// idMatches accepts a Success/Failure with the identifier of our last
// response, or one more (hostap's workaround for authenticators that
// increment it, which RFC 3748 4.2 does not forbid outright).
func (p *peer) idMatches(id uint8) bool {
	return p.lastID >= 0 && (int(id) == p.lastID || int(id) == (p.lastID+1)&0xff)
}

func (p *peer) success(pkt eapPacket) ([]byte, outcome, error) {
	if p.done || !p.idMatches(pkt.ID) {
		return nil, outcomeNone, discardf("EAP-Success id %d does not follow response id %d", pkt.ID, p.lastID)
	}
	if p.decision != DecisionFail {
		p.done = true
		return nil, outcomeSuccess, nil
	}
	if p.method != nil && p.methodState == MethodCont {
		return nil, outcomeNone, discardf("EAP-Success while the method still runs")
	}
	// RFC 4137: Success with decision FAIL is a failure, not authentication.
	p.done = true
	if p.methodErr != nil {
		return nil, outcomeFailure, p.methodErr
	}
	return nil, outcomeFailure, newError(ReasonProtocol, nil, "EAP-Success before the %s method completed: not accepted", p.cfg.Mode)
}

// failure believes an EAP-Failure wherever it arrives (it grants nothing),
// unless the method already succeeded unconditionally (RFC 4137).
func (p *peer) failure(pkt eapPacket) ([]byte, outcome, error) {
	if p.done || !p.idMatches(pkt.ID) {
		return nil, outcomeNone, discardf("EAP-Failure id %d does not follow response id %d", pkt.ID, p.lastID)
	}
	if p.decision == DecisionUncondSucc {
		return nil, outcomeNone, discardf("EAP-Failure after the method succeeded unconditionally")
	}
	p.done = true
	return nil, outcomeFailure, p.failureReason()
}

// failureReason explains a server's EAP-Failure as well as we can.
func (p *peer) failureReason() error {
	if p.methodErr != nil {
		return p.methodErr
	}
	if r, ok := p.method.(interface{ FailureReason() error }); ok && r.FailureReason() != nil {
		return r.FailureReason()
	}
	switch {
	case p.methodRan:
		return newError(ReasonCredentials, nil, "server rejected the %s credentials (EAP-Failure)", p.cfg.Mode)
	case p.nakFrom != 0:
		return newError(ReasonMethodNotOffered, nil, "server offered EAP type %d, refused %s", p.nakFrom, p.cfg.Mode)
	}
	return newError(ReasonRejected, nil, "server rejected identity %q before any method", p.cfg.outerIdentity())
}

// keys returns the method's keys after a success.
func (p *peer) keys() (msk, emsk []byte) {
	if p.method == nil {
		return nil, nil
	}
	return p.method.Keys()
}

// printable keeps log text free of control bytes from the network.
func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '.'
		}
		return r
	}, string(b))
}
