package sipcore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// target is one registrar a line registers with.
type target struct {
	host  string
	port  int
	proxy string // next hop host:port; "" = the registrar itself
}

func (t target) String() string { return net.JoinHostPort(t.host, strconv.Itoa(t.port)) }

func (t target) dest() string {
	if t.proxy != "" {
		return t.proxy
	}
	return t.String()
}

// binding is a line's registration with one target: the Call-ID, CSeq
// and digest state kept across refreshes (RFC 3261 10.2.4).
type binding struct {
	target  target
	callID  string
	fromTag string
	cseq    uint32
	auth    clientAuth
	contact sip.Uri // as last sent
	minExp  int     // the registrar's Min-Expires, once it sent 423
}

func newBinding(t target) *binding {
	return &binding{target: t, callID: sip.GenerateTagN(24), fromTag: sip.GenerateTagN(12)}
}

// regError is a registration failure with its cause.
type regError struct {
	cause  Cause
	reason string
}

func (e *regError) Error() string { return e.reason }

// request builds an out-of-dialog request of the line to t. For TLS it
// connects first, so the Contact carries the connection's own address.
func (l *lineRun) request(ctx context.Context, method sip.RequestMethod, t target, callID, fromTag string, cseq uint32) (*sip.Request, sip.Uri, error) {
	cfg := l.cfg
	domain, port := cfg.Domain, 0
	if domain == "" {
		domain, port = t.host, t.port
	}
	ruri := sip.Uri{Scheme: "sip", Host: domain, Port: port}
	if method == sip.OPTIONS {
		ruri = sip.Uri{Scheme: "sip", Host: t.host, Port: t.port}
	}
	req := sip.NewRequest(method, ruri)
	tp := strings.ToUpper(string(cfg.Transport))
	req.SetTransport(tp)
	req.SetDestination(t.dest())

	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: tp, Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	contact := sip.Uri{Scheme: "sip", User: cfg.User}
	switch cfg.Transport {
	case UDP, TCP:
		contact.Host, contact.Port = l.st.contactHost(t.dest()), l.st.port
		via.Host, via.Port = contact.Host, contact.Port
		if cfg.Transport == UDP {
			req.Laddr = l.st.udpAddr() // send from the listening socket
		} else {
			contact.UriParams = sip.NewParams()
			contact.UriParams.Add("transport", "tcp")
		}
	}
	aor := sip.Uri{Scheme: "sip", User: cfg.User, Host: domain}
	from := &sip.FromHeader{DisplayName: cfg.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", fromTag)
	to := &sip.ToHeader{Address: aor, Params: sip.NewParams()}
	if method == sip.OPTIONS {
		to.Address = ruri
	}
	cid := sip.CallIDHeader(callID)
	maxf := sip.MaxForwardsHeader(70)
	req.AppendHeader(via)
	if t.proxy != "" {
		ph, pp := hostPort(t.proxy, defaultPort(cfg.Transport))
		r := &sip.RouteHeader{Address: sip.Uri{Scheme: "sip", Host: ph, Port: pp, UriParams: sip.NewParams()}}
		r.Address.UriParams.Add("lr", "")
		req.AppendHeader(r)
	}
	req.AppendHeader(&maxf)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: method})
	req.AppendHeader(sip.NewHeader("User-Agent", l.userAgent))

	if cfg.Transport == TLS {
		conn, err := l.st.tp.ClientRequestConnection(ctx, req)
		if err != nil {
			return nil, contact, err
		}
		local := conn.LocalAddr()
		conn.TryClose()
		h, p, err := net.SplitHostPort(local.String())
		if err != nil {
			return nil, contact, fmt.Errorf("tls local address %s: %w", local, err)
		}
		contact.Host = h
		contact.Port, _ = strconv.Atoi(p)
		contact.UriParams = sip.NewParams()
		contact.UriParams.Add("transport", "tls")
	}
	req.SetBody(nil)
	return req, contact, nil
}

// register sends REGISTER for b with the requested expiry (0 removes the
// binding), answering digest challenges, and returns the granted expiry.
func (l *lineRun) register(ctx context.Context, b *binding, expires int) (int, error) {
	if expires > 0 {
		expires = max(expires, b.minExp)
	}
	for range 4 {
		b.cseq++
		req, contact, err := l.request(ctx, sip.REGISTER, b.target, b.callID, b.fromTag, b.cseq)
		if err != nil {
			return 0, err
		}
		b.contact = contact
		req.AppendHeader(&sip.ContactHeader{Address: contact})
		exp := sip.ExpiresHeader(expires)
		req.AppendHeader(&exp)
		if err := b.auth.authorize(req, l.cfg.AuthUser, l.cfg.Password); err != nil {
			return 0, &regError{CauseAuth, err.Error()}
		}
		res, err := l.st.do(ctx, req, l.timing.RequestTimeout)
		if err != nil {
			return 0, err
		}
		switch code := res.StatusCode; {
		case res.IsSuccess():
			return grantedExpiry(res, contact, expires), nil
		case code == sip.StatusUnauthorized || code == sip.StatusProxyAuthRequired:
			refused, err := b.auth.challenge(res)
			if err != nil {
				return 0, &regError{CauseAuth, err.Error()}
			}
			if refused {
				return 0, &regError{CauseAuth, fmt.Sprintf("credentials refused (%d %s)", code, res.Reason)}
			}
		case code == 423:
			if h := res.GetHeader("Min-Expires"); h != nil {
				if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > expires {
					expires, b.minExp = n, n
					continue
				}
			}
			return 0, &regError{CauseRejected, "423 without a usable Min-Expires"}
		case code == sip.StatusForbidden:
			return 0, &regError{CauseAuth, "403 " + res.Reason}
		default:
			return 0, &regError{CauseRejected, fmt.Sprintf("%d %s", code, res.Reason)}
		}
	}
	return 0, &regError{CauseAuth, "too many challenges"}
}

// grantedExpiry reads the registrar's grant: the expires parameter of our
// Contact (or of the only Contact), else the Expires header, else what was
// asked.
func grantedExpiry(res *sip.Response, contact sip.Uri, asked int) int {
	var contacts []*sip.ContactHeader
	for _, h := range res.GetHeaders("Contact") {
		if c, ok := h.(*sip.ContactHeader); ok {
			contacts = append(contacts, c)
		}
	}
	for _, c := range contacts {
		if c.Address.User == contact.User && c.Address.Host == contact.Host && c.Address.Port == contact.Port || len(contacts) == 1 {
			if v, ok := c.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil && n >= 0 {
					return n
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n >= 0 {
			return n
		}
	}
	return asked
}

// probe sends OPTIONS to t; any answer but 503 means it is up.
func (l *lineRun) probe(ctx context.Context, t target) bool {
	req, _, err := l.request(ctx, sip.OPTIONS, t, sip.GenerateTagN(24), sip.GenerateTagN(12), 1)
	if err != nil {
		return false
	}
	res, err := l.st.do(ctx, req, l.timing.RequestTimeout)
	return err == nil && res.StatusCode != sip.StatusServiceUnavailable
}

// explain gives the cause and reason of a registration error.
func (l *lineRun) explain(err error) (Cause, string) {
	var re *regError
	if errors.As(err, &re) {
		return re.cause, re.reason
	}
	return classify(err, l.now, l.clockSrc)
}
