package sipcore

import (
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// clientAuth answers a registrar's digest challenge and keeps it for the
// next requests, counting nc per nonce (icholy/digest leaves nc at 1 unless
// told).
type clientAuth struct {
	chal   *digest.Challenge
	header string // Authorization or Proxy-Authorization
	nc     int
	fresh  bool // the last credentials were the first answer to chal
}

// algorithmRank orders the algorithms a registrar may offer (RFC 8760):
// the strongest one the phone supports wins.
var algorithmRank = map[string]int{"": 1, "MD5": 1, "SHA-256": 2, "SHA-512-256": 3}

// challenge takes the best challenge of a 401/407 response. It reports
// whether the credentials just refused were a first answer to a challenge
// that is not stale: then the password is wrong and retrying is pointless.
func (a *clientAuth) challenge(res *sip.Response) (refused bool, err error) {
	name, authz := "WWW-Authenticate", "Authorization"
	if res.StatusCode == sip.StatusProxyAuthRequired {
		name, authz = "Proxy-Authenticate", "Proxy-Authorization"
	}
	var best *digest.Challenge
	for _, h := range res.GetHeaders(name) {
		c, err := digest.ParseChallenge(h.Value())
		if err != nil {
			continue
		}
		c.Algorithm = strings.ToUpper(c.Algorithm)
		for i := range c.QOP {
			c.QOP[i] = strings.TrimSpace(c.QOP[i])
		}
		rank, ok := algorithmRank[c.Algorithm]
		if !ok || !digest.CanDigest(c) {
			continue
		}
		if best == nil || rank > algorithmRank[best.Algorithm] {
			best = c
		}
	}
	if best == nil {
		return false, fmt.Errorf("%d without a usable %s digest challenge", res.StatusCode, name)
	}
	refused = a.chal != nil && a.fresh && !best.Stale
	a.chal, a.header, a.nc, a.fresh = best, authz, 0, true
	return refused, nil
}

// authorize adds credentials for req over the kept challenge, if any.
func (a *clientAuth) authorize(req *sip.Request, user, password string) error {
	if a.chal == nil {
		return nil
	}
	a.nc++
	a.fresh = a.nc == 1
	cred, err := digest.Digest(a.chal, digest.Options{
		Method:   req.Method.String(),
		URI:      req.Recipient.String(),
		Username: user,
		Password: password,
		Count:    a.nc,
	})
	if err != nil {
		return fmt.Errorf("digest for %s: %w", req.Method, err)
	}
	req.RemoveHeader(a.header)
	req.AppendHeader(sip.NewHeader(a.header, cred.String()))
	return nil
}

func (a *clientAuth) reset() { *a = clientAuth{} }
