// Package sipcore is the phone's SIP signalling core: the lines (accounts)
// and their registrations, TLS signalling, and the check-sync NOTIFY that
// tells the phone to resync its configuration. Calls and media come later and
// plug into the same Engine.
//
// Engine (engine.go) runs every line of a Config on one SIP stack built with
// github.com/emiago/sipgo: one UDP and one TCP listener on Config.Listen for
// requests sent to the phone, and outgoing TCP/TLS connections to the
// registrars (requests from a registrar also come back over them). Run(ctx)
// owns the stack and the line goroutines; Reconfigure applies a new Config
// live, restarting only the lines that changed (all of them when the
// listener or the TLS settings change); Suspend stops every line without
// unregistering (802.1X lost the port) and Resume starts them again.
//
// Registration policy (line.go, register.go):
//
//   - REGISTER answers 401/407 with digest (MD5, SHA-256, SHA-512-256;
//     qop=auth with nc counted per nonce). The last challenge is reused for
//     refreshes (nc+1) until the registrar rejects it.
//   - A binding is refreshed at 80% of the granted expiry, but at least 5 s
//     before it expires and never sooner than at half of it (granted 3600 s:
//     after 2880 s; 20 s: after 15 s; 4 s: after 2 s).
//   - A failed attempt (timeout, refused connection, TLS check, 4xx-6xx)
//     fails over at once to the backup registrar when there is one; when a
//     whole round (primary, then backup) fails the line waits RetryMin,
//     doubling after each failed round up to RetryMax, and starts again with
//     the primary.
//   - Fail-back: while registered on the backup, the line sends OPTIONS to
//     the primary every ProbeInterval; any SIP response other than 503
//     counts as "up". The line then registers with the primary and, once
//     that succeeds, removes its binding on the backup (Expires: 0).
//   - On shutdown (Run's context ended, line removed or changed by
//     Reconfigure) each registered line sends REGISTER with Expires: 0,
//     bounded by UnregisterTimeout. Suspend does not: the network is gone.
//   - The outbound proxy, when set, is the next hop (loose Route) for the
//     primary registrar; the backup registrar is contacted directly.
//   - A line's transport is fixed: a TLS line never falls back to UDP or TCP.
//
// TLS (tlsconf.go) checks the server certificate against Config.TLS.Roots
// (nil means an empty trust store: nothing is trusted) and the registrar's
// host name or IP, with the phone's clock (TLS.Time), TLS 1.2 minimum unless
// 1.3 is chosen, and presents the device certificate when asked. A failed
// check says why: untrusted, expired, wrong name.
//
// Check-sync (checksync.go, digest_server.go): a NOTIFY with Event:
// check-sync to one of the lines gets 200 and starts Hooks.Resync(reboot),
// deferred while the phone is in a call (SetInCall). With
// Config.ChecksyncChallenge (Snom challenge_checksync) the first NOTIFY gets
// 401 and only a NOTIFY carrying a valid digest for the addressed line's
// authentication user and SIP password, over a fresh single-use nonce, is
// accepted (qop=auth is offered; an RFC 2069 answer without qop is also
// accepted, the nonce being single-use). The digest URI must name the
// addressed line's user; the nonce is burnt by any attempt, right or wrong.
// Without the challenge a NOTIFY for no configured user gets 404; with it,
// 401 like any other (users are not enumerable). Other events get 489 Bad
// Event. Hooks.Resync runs on the engine's own goroutine and should only
// start the resync, not wait for it.
package sipcore
