package sipcore

import (
	"errors"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// checkSyncEvent is the event package that asks the phone to resync.
const checkSyncEvent = "check-sync"

// maxEventHeader bounds the Event header we parse.
const maxEventHeader = 1024

// parseEvent splits an Event header value ("check-sync;reboot=true") into
// its package (lower case) and parameters (names lower case).
func parseEvent(v string) (string, map[string]string, error) {
	if len(v) > maxEventHeader {
		return "", nil, errors.New("event header too long")
	}
	parts := strings.Split(v, ";")
	pkg := strings.ToLower(strings.TrimSpace(parts[0]))
	if pkg == "" || !isEventToken(pkg) {
		return "", nil, errors.New("event package missing or malformed")
	}
	params := map[string]string{}
	for _, p := range parts[1:] {
		name, val, _ := strings.Cut(p, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			return "", nil, errors.New("event parameter without a name")
		}
		params[name] = strings.Trim(strings.TrimSpace(val), `"`)
	}
	return pkg, params, nil
}

func isEventToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c == '.' || c == '_' || c == '!' || c == '%' || c == '*' || c == '+' || c == '`' || c == '\'' || c == '~' ||
			c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// checkSyncState is what the NOTIFY handler reads from the engine.
type checkSyncState struct {
	lines     []Line // enabled lines
	challenge bool
	realm     string
}

// handleNotify answers one NOTIFY: 489 for another event, 404 for no
// line, 401 when challenged and the credentials are missing or wrong, 200
// otherwise. It never blocks; the returned event tells what happened.
func handleNotify(req *sip.Request, st checkSyncState, nonces *nonceStore) (*sip.Response, Event) {
	ev := Event{Kind: EventCheckSync}
	var h sip.Header
	if h = req.GetHeader("Event"); h == nil {
		h = req.GetHeader("o") // compact form
	}
	if h == nil {
		return badEvent(req, ev, "no Event header")
	}
	pkg, params, err := parseEvent(h.Value())
	if err != nil {
		return badEvent(req, ev, err.Error())
	}
	if pkg != checkSyncEvent {
		return badEvent(req, ev, "event "+pkg+" not supported")
	}
	ev.Reboot = strings.EqualFold(params["reboot"], "true")

	var line *Line
	for i := range st.lines {
		if st.lines[i].User == req.Recipient.User {
			line = &st.lines[i]
			break
		}
	}
	if line == nil {
		ev.Cause, ev.Reason = CauseUnknownLine, "no line for "+req.Recipient.User
		if st.challenge {
			// Challenged like any other: do not tell which users exist.
			return challenged(req, st.realm, nonces), ev
		}
		return sip.NewResponseFromRequest(req, sip.StatusNotFound, "Not Found", nil), ev
	}
	ev.Line = line.Index

	if st.challenge {
		if cause, reason := authorizeNotify(req, *line, st.realm, nonces); cause != "" {
			ev.Cause, ev.Reason = cause, reason
			return challenged(req, st.realm, nonces), ev
		}
	}
	ev.Accepted = true
	return sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil), ev
}

func challenged(req *sip.Request, realm string, nonces *nonceStore) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", challengeValue(realm, nonces.issue())))
	return res
}

func badEvent(req *sip.Request, ev Event, reason string) (*sip.Response, Event) {
	ev.Cause, ev.Reason = CauseBadEvent, reason
	res := sip.NewResponseFromRequest(req, 489, "Bad Event", nil)
	res.AppendHeader(sip.NewHeader("Allow-Events", checkSyncEvent))
	return res, ev
}

// authorizeNotify checks the NOTIFY's digest against line: a fresh nonce
// of ours (burnt by this attempt), the line's authentication user, our
// realm, a digest URI for the line's user, and the password. It returns ""
// when all hold.
func authorizeNotify(req *sip.Request, line Line, realm string, nonces *nonceStore) (Cause, string) {
	h := req.GetHeader("Authorization")
	if h == nil {
		return CauseNoCredentials, "challenged: no Authorization"
	}
	c, err := parseCredentials(h.Value())
	if err != nil {
		return CauseBadDigest, "authorization: " + err.Error()
	}
	if !nonces.consume(c["nonce"]) {
		return CauseBadNonce, "nonce unknown, expired or already used"
	}
	var uri sip.Uri
	uriErr := sip.ParseUri(c["uri"], &uri)
	ok := constantEqual(c["username"], line.AuthUser)
	ok = constantEqual(c["realm"], realm) && ok
	ok = uriErr == nil && uri.User == line.User && req.Recipient.User == line.User && ok
	ok = verifyResponse(c, req.Method.String(), line.Password) && ok
	if !ok {
		return CauseBadDigest, "digest does not match the line's credentials"
	}
	return "", ""
}
