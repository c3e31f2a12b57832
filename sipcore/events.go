package sipcore

import "time"

// EventKind says what an Event reports.
type EventKind string

// Event kinds.
const (
	EventRegistering    EventKind = "registering"
	EventRegistered     EventKind = "registered"
	EventRegisterFailed EventKind = "register-failed"
	EventUnregistered   EventKind = "unregistered" // binding removed (Expires: 0 answered) or line stopped
	EventCheckSync      EventKind = "check-sync"
	EventResync         EventKind = "resync" // Hooks.Resync is being called (after any deferral)
)

// Cause is a short, stable code for why something failed or was refused.
type Cause string

// Causes.
const (
	CauseTimeout      Cause = "timeout"
	CauseUnreachable  Cause = "unreachable"    // connection refused, no route, DNS
	CauseTLSUntrusted Cause = "tls-untrusted"  // not signed by the trust store
	CauseTLSExpired   Cause = "tls-expired"    // expired or not yet valid by the phone's clock
	CauseTLSName      Cause = "tls-wrong-name" // not issued for the registrar's name
	CauseTLS          Cause = "tls-handshake"  // other TLS failure
	CauseAuth         Cause = "auth-failed"    // credentials refused (401/407 again, 403)
	CauseRejected     Cause = "rejected"       // another final error response
	CauseSuspended    Cause = "suspended"

	// Check-sync refusals.
	CauseNoCredentials Cause = "no-credentials" // challenged; normal first step with challenge on
	CauseBadNonce      Cause = "bad-nonce"      // unknown, expired or already used
	CauseBadDigest     Cause = "bad-digest"     // wrong password, user, realm or URI
	CauseUnknownLine   Cause = "unknown-line"
	CauseBadEvent      Cause = "bad-event"
)

// Event is one thing that happened on a line, for the firmware's log, LCD
// and the CLI.
type Event struct {
	Kind      EventKind
	Line      int           // line index; 0 when no line matched
	Registrar string        // host:port the attempt went to
	Transport Transport     // the line's transport
	Expires   time.Duration // granted expiry (EventRegistered)
	RetryIn   time.Duration // wait before the next attempt (EventRegisterFailed; 0 = failing over now)
	Cause     Cause
	Reason    string // human readable, never holds a secret

	// Check-sync.
	Accepted bool
	Reboot   bool
	Deferred bool // accepted while in a call: Resync runs when the call ends
}
