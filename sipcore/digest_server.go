package sipcore

// The server side of digest authentication (RFC 2617/7616 over SIP), used to
// challenge check-sync NOTIFYs: single-use nonces that expire, a strict
// parser of the Authorization header, and a constant-time comparison.

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"
)

// maxNonces bounds the outstanding nonces: a flood of unauthenticated
// NOTIFYs evicts the oldest instead of growing memory.
const maxNonces = 64

// nonceStore issues single-use nonces that expire after ttl.
type nonceStore struct {
	mu     sync.Mutex
	ttl    time.Duration
	now    func() time.Time
	issued map[string]time.Time
}

func newNonceStore(ttl time.Duration, now func() time.Time) *nonceStore {
	if now == nil {
		now = time.Now
	}
	return &nonceStore{ttl: ttl, now: now, issued: map[string]time.Time{}}
}

func (s *nonceStore) issue() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sipcore: no randomness: " + err.Error())
	}
	n := hex.EncodeToString(b[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, t := range s.issued {
		if now.Sub(t) > s.ttl {
			delete(s.issued, k)
		}
	}
	for len(s.issued) >= maxNonces {
		oldest, at := "", now
		for k, t := range s.issued {
			if !t.After(at) {
				oldest, at = k, t
			}
		}
		delete(s.issued, oldest)
	}
	s.issued[n] = now
	return n
}

// consume reports whether n was issued and is still fresh, and burns it:
// a nonce is good for one attempt, right or wrong.
func (s *nonceStore) consume(n string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.issued[n]
	if !ok {
		return false
	}
	delete(s.issued, n)
	return s.now().Sub(t) <= s.ttl
}

// challengeValue is the WWW-Authenticate value for a nonce (Snom's form plus
// qop="auth", which sipsak and the reference UAS use).
func challengeValue(realm, nonce string) string {
	return fmt.Sprintf(`Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, realm, nonce)
}

// credentials are the parameters of a Digest Authorization header, values
// unquoted, names lower case.
type credentials map[string]string

var errNotDigest = errors.New("not a Digest Authorization")

// maxAuthorization bounds the header we are willing to parse.
const maxAuthorization = 4096

// parseCredentials parses `Digest k=v, k="v", ...`. Duplicate parameters,
// unterminated quotes and stray bytes are errors.
func parseCredentials(v string) (credentials, error) {
	if len(v) > maxAuthorization {
		return nil, errors.New("authorization header too long")
	}
	v = strings.TrimLeft(v, " \t")
	if len(v) < 7 || !strings.EqualFold(v[:6], "digest") || (v[6] != ' ' && v[6] != '\t') {
		return nil, errNotDigest
	}
	s := v[7:]
	out := credentials{}
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("authorization parameter without value near %q", trunc(s))
		}
		name := strings.ToLower(strings.TrimRight(s[:eq], " \t"))
		if !isToken(name) {
			return nil, fmt.Errorf("authorization parameter name %q", trunc(name))
		}
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i, closed := 1, false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if c == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("authorization parameter %s: unterminated quote", name)
			}
			val, s = b.String(), s[i:]
		} else {
			end := strings.IndexAny(s, ", \t")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
			if val == "" {
				return nil, fmt.Errorf("authorization parameter %s: empty", name)
			}
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("authorization parameter %s twice", name)
		}
		out[name] = val
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		if s[0] != ',' {
			return nil, fmt.Errorf("authorization: expected ',' near %q", trunc(s))
		}
		s = s[1:]
	}
	return out, nil
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func trunc(s string) string {
	if len(s) > 24 {
		return s[:24] + "..."
	}
	return s
}

// digestHash returns the hash of a digest algorithm name.
func digestHash(alg string) (func() hash.Hash, error) {
	switch strings.ToUpper(alg) {
	case "", "MD5":
		return md5.New, nil
	case "SHA-256":
		return sha256.New, nil
	}
	return nil, fmt.Errorf("digest algorithm %q not supported", alg)
}

func hexHash(h func() hash.Hash, parts ...string) string {
	d := h()
	d.Write([]byte(strings.Join(parts, ":")))
	return hex.EncodeToString(d.Sum(nil))
}

// expectedResponse computes the response a client knowing password must
// send for these credentials (qop=auth or none; RFC 2617 3.2.2.1).
func expectedResponse(c credentials, method, password string) (string, error) {
	h, err := digestHash(c["algorithm"])
	if err != nil {
		return "", err
	}
	ha1 := hexHash(h, c["username"], c["realm"], password)
	ha2 := hexHash(h, method, c["uri"])
	switch c["qop"] {
	case "":
		return hexHash(h, ha1, c["nonce"], ha2), nil
	case "auth":
		if c["nc"] == "" || c["cnonce"] == "" {
			return "", errors.New("qop=auth without nc or cnonce")
		}
		return hexHash(h, ha1, c["nonce"], c["nc"], c["cnonce"], "auth", ha2), nil
	}
	return "", fmt.Errorf("digest qop %q not supported", c["qop"])
}

// verifyResponse checks c's response in constant time.
func verifyResponse(c credentials, method, password string) bool {
	want, err := expectedResponse(c, method, password)
	if err != nil {
		return false
	}
	got := strings.ToLower(c["response"])
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// constantEqual compares two identity strings without an early exit.
func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
