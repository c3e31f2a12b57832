package net8021x

import (
	"errors"
	"fmt"
)

// MethodState is RFC 4137's methodState as a method reports it.
type MethodState int

const (
	MethodCont    MethodState = iota // more requests must follow
	MethodMayCont                    // the server may end the method now
	MethodDone                       // the method is over
)

// Decision is RFC 4137's decision: whether an EAP-Success may be believed.
type Decision int

const (
	DecisionFail       Decision = iota // a Success now is not authentication
	DecisionCondSucc                   // a Success is accepted, a Failure too
	DecisionUncondSucc                 // authenticated whatever the server says
)

// Step is a method's answer to one request.
type Step struct {
	Response []byte // the response type-data, after the Type octet
	State    MethodState
	Decision Decision
}

// Method is one EAP method on the peer side, like hostap's struct
// eap_method. The peer state machine hands it each request of its type and
// sends back what it returns.
//
// Process returns an error wrapping ErrDiscard for a request to drop
// silently (RFC 4137 "ignore": malformed or unexpected); any other error is
// the method's failure, its Step may still carry a last response (a TLS
// alert) to send before the server's EAP-Failure.
type Method interface {
	Type() uint8
	Name() string
	Process(id uint8, data []byte) (Step, error)
	// Keys returns the MSK and EMSK once the method derived them, else nil.
	Keys() (msk, emsk []byte)
	// Close releases the method (its goroutines, for the TLS methods).
	Close() error
}

// ErrDiscard marks a request a method drops without an answer.
var ErrDiscard = errors.New("request discarded")

func discardf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrDiscard)
}

// methodType is the outer EAP type a mode runs.
func methodType(m Mode) uint8 {
	switch m {
	case ModeMD5:
		return typeMD5
	case ModeTLS:
		return typeTLS
	case ModePEAPMSCHAPv2, ModePEAPGTC:
		return typePEAP
	case ModeTTLSMSCHAPv2, ModeTTLSGTC:
		return typeTTLS
	case ModeFAST:
		return typeFAST
	}
	return 0
}

// newMethod makes the outer method for cfg.Mode.
func newMethod(cfg *Config) (Method, error) {
	switch cfg.Mode {
	case ModeMD5:
		return newMD5(cfg), nil
	case ModeTLS:
		return newTLSMethod(cfg), nil
	case ModePEAPMSCHAPv2:
		return newPEAP(cfg, typeMSCHAPv2), nil
	case ModePEAPGTC:
		return newPEAP(cfg, typeGTC), nil
	case ModeTTLSMSCHAPv2:
		return newTTLS(cfg, typeMSCHAPv2), nil
	case ModeTTLSGTC:
		return newTTLS(cfg, typeGTC), nil
	case ModeFAST:
		return newFAST(cfg), nil
	}
	return nil, newError(ReasonUnsupported, nil, "802.1X mode %d (%s) has no method", int(cfg.Mode), cfg.Mode)
}

// newInnerMethod makes the method run inside a PEAP or TTLS tunnel.
func newInnerMethod(cfg *Config, typ uint8) Method {
	if typ == typeGTC {
		return newGTC(cfg)
	}
	return newMSCHAPv2(cfg)
}
