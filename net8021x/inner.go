package net8021x

import (
	"errors"
	"fmt"
)

// innerEAP answers the EAP requests inside a PEAP or TTLS tunnel: Identity,
// Notification, the configured inner method, a Nak for anything else. It
// keeps the inner method's state for the outer method's decision.
type innerEAP struct {
	cfg      *Config
	typ      uint8
	method   Method
	state    MethodState
	decision Decision
	err      error // the inner method's failure
}

func newInnerEAP(cfg *Config, typ uint8) *innerEAP {
	return &innerEAP{cfg: cfg, typ: typ}
}

// succeeded tells whether the inner method ended well.
func (in *innerEAP) succeeded() bool {
	return in.method != nil && in.state == MethodDone && in.decision != DecisionFail && in.err == nil
}

// request answers one inner request (full EAP header in and out). A nil
// response with a nil error means nothing to send.
func (in *innerEAP) request(pkt eapPacket) ([]byte, error) {
	switch pkt.Type {
	case typeIdentity:
		return buildEAP(codeResponse, pkt.ID, typeIdentity, []byte(in.cfg.Identity)), nil
	case typeNotification:
		in.cfg.logger().Info("802.1X inner notification", "text", printable(pkt.Data))
		return buildEAP(codeResponse, pkt.ID, typeNotification, nil), nil
	case in.typ:
	default:
		return buildNak(pkt.ID, pkt.Type, in.typ), nil
	}
	if in.method == nil {
		in.method = newInnerMethod(in.cfg, in.typ)
	}
	step, err := in.method.Process(pkt.ID, pkt.Data)
	if err != nil && errors.Is(err, ErrDiscard) {
		return nil, newError(ReasonProtocol, err, "inner %s", in.method.Name())
	}
	in.state, in.decision = step.State, step.Decision
	if err != nil {
		in.err = err
		in.state, in.decision = MethodDone, DecisionFail
		if step.Response == nil {
			return nil, err
		}
	}
	return buildEAP(codeResponse, pkt.ID, in.typ, step.Response), nil
}

func (in *innerEAP) close() {
	if in.method != nil {
		in.method.Close()
	}
}

// failure explains an inner failure the server reported.
func (in *innerEAP) failure(what string) error {
	if in.err != nil {
		return in.err
	}
	if in.method != nil {
		return newError(ReasonCredentials, nil, "server rejected the inner %s credentials (%s)", in.method.Name(), what)
	}
	return newError(ReasonRejected, nil, "server ended the tunnel before the inner method (%s)", what)
}

func innerName(typ uint8) string {
	switch typ {
	case typeMSCHAPv2:
		return "MSCHAPv2"
	case typeGTC:
		return "GTC"
	}
	return fmt.Sprintf("type %d", typ)
}
