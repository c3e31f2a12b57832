package net8021x

import (
	"errors"
	"fmt"
)

// Reason classifies why authentication failed, for the UI to choose its text.
type Reason string

// Failure reasons.
const (
	ReasonCredentials       Reason = "wrong-credentials"
	ReasonPasswordExpired   Reason = "password-expired"
	ReasonAccountDisabled   Reason = "account-disabled"
	ReasonCertUntrusted     Reason = "server-cert-untrusted"
	ReasonCertExpired       Reason = "server-cert-expired"
	ReasonCertNotYetValid   Reason = "server-cert-not-yet-valid"
	ReasonCertName          Reason = "server-cert-name"
	ReasonTimeout           Reason = "timeout"
	ReasonNoAuthenticator   Reason = "no-authenticator"
	ReasonMethodNotOffered  Reason = "method-not-offered"
	ReasonRejected          Reason = "rejected"
	ReasonTLS               Reason = "tls"
	ReasonProtocol          Reason = "protocol"
	ReasonConfig            Reason = "config"
	ReasonLinkDown          Reason = "link-down"
	ReasonUnsupported       Reason = "unsupported"
	ReasonServerAuthFailure Reason = "server-auth-failed" // the server did not prove it knows the password
)

// Error is an authentication failure with its typed reason. Msg is meant
// for people; it never holds a password.
type Error struct {
	Reason Reason
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func newError(r Reason, err error, format string, args ...any) *Error {
	return &Error{Reason: r, Msg: fmt.Sprintf(format, args...), Err: err}
}

// ReasonOf returns the typed reason inside err, or ReasonProtocol when err
// carries none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ReasonProtocol
}
