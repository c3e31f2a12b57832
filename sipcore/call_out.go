package sipcore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"deskphone/media"
)

// DialOptions are the choices of an outgoing call.
type DialOptions struct {
	Precedence Precedence // MLPP level; "" sends no Resource-Priority
	// OnCreated, when set, gets the call before the INVITE is sent, so a
	// caller can show it and Hangup (cancel) it while it rings.
	OnCreated func(*Call)
}

// ErrInsecure means the line's security mode forbids the call as it would
// be placed (encrypted or authenticated without TLS signalling).
var ErrInsecure = errors.New("refused by the line's security mode")

// Dial calls uri (a SIP URI, or a user of the line's domain) from line and
// returns once the call is answered; ctx bounds the wait (its end cancels
// the unanswered call). Audio runs on Hooks.Audio until Hangup.
func (e *Engine) Dial(ctx context.Context, line int, uri string) (*Call, error) {
	return e.DialWith(ctx, line, uri, DialOptions{})
}

// DialWith is Dial with options. An answer the line's security mode does
// not accept (no SRTP under encrypted) ends the call with BYE and the
// error wraps media.ErrNotAcceptable; the call's state is then refused.
func (e *Engine) DialWith(ctx context.Context, line int, uri string, o DialOptions) (*Call, error) {
	if err := checkPrecedence(o.Precedence); err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	e.mu.Lock()
	cfg, st := e.cfg, e.st
	e.mu.Unlock()
	if st == nil {
		return nil, errors.New("dial: sip engine is not running")
	}
	lc := cfg.line(line)
	if lc == nil {
		return nil, fmt.Errorf("dial: no enabled line %d", line)
	}
	if lc.Security != Nonsecure && lc.Transport != TLS {
		return nil, fmt.Errorf("dial: line %d is %s: %w: signalling is %s, not tls", line, lc.Security, ErrInsecure, lc.Transport)
	}
	var target sip.Uri
	if !strings.Contains(uri, ":") && !strings.Contains(uri, "@") {
		uri = "sip:" + uri + "@" + cmpOr(lc.Domain, lc.Registrar)
	}
	if err := sip.ParseUri(uri, &target); err != nil {
		return nil, fmt.Errorf("dial %q: %w", uri, err)
	}
	lr := &lineRun{cfg: *lc, timing: cfg.Timing, st: st, userAgent: cfg.UserAgent, now: cfg.TLS.Time, clockSrc: cfg.TLS.ClockSource, log: e.log}
	t := target0(*lc)
	ctx, dialCancel := context.WithCancel(ctx)
	defer dialCancel()
	c := &Call{Line: line, URI: uri, Direction: Outgoing, Precedence: o.Precedence, e: e, st: st, lr: lr,
		dest: t.dest(), tls: lc.Transport == TLS, state: CallDialing, callID: sip.GenerateTagN(24),
		endpoint: e.startEndpoint(), dialCancel: dialCancel, ended: make(chan struct{})}

	conn, addr, err := listenMedia(st, t.dest(), 0)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	c.local = newLocal(addr)
	c.mcfg = mediaConfig(*lc, cfg.Codecs, c.tls)
	offer, err := media.BuildOffer(c.mcfg, c.local)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("dial: %w", err)
	}
	e.remember(c)
	if o.OnCreated != nil {
		o.OnCreated(c)
	}
	e.callChanged(c, CallDialing)
	fail := func(s CallState, err error) (*Call, error) {
		c.end(s, err.Error())
		return nil, fmt.Errorf("dial %s: %w", uri, err)
	}
	res, err := c.invite(ctx, target, offer.SDP)
	if err != nil {
		conn.Close()
		return fail(CallEnded, err)
	}
	c.sendACK(c.cseq)
	neg, err := offer.ApplyAnswer(res.Body(), c.local)
	if err != nil {
		conn.Close()
		_ = c.bye(context.WithoutCancel(ctx))
		return fail(CallRefused, err)
	}
	if err := c.startMedia(conn, neg); err != nil {
		_ = c.bye(context.WithoutCancel(ctx))
		return fail(CallEnded, err)
	}
	c.mu.Lock()
	c.dialCancel = nil
	c.mu.Unlock()
	c.setState(CallEstablished)
	return c, nil
}

// line is the enabled line idx, or nil.
func (c Config) line(idx int) *Line {
	for i := range c.Lines {
		if c.Lines[i].Index == idx && c.Lines[i].Enabled {
			return &c.Lines[i]
		}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// target0 is the line's primary registrar.
func target0(l Line) target {
	l = l.withDefaults()
	return target{host: l.Registrar, port: l.RegistrarPort, proxy: l.OutboundProxy}
}

// invite sends INVITE until a final response, answering digest challenges.
func (c *Call) invite(ctx context.Context, to sip.Uri, body []byte) (*sip.Response, error) {
	var auth clientAuth
	fromTag := sip.GenerateTagN(12)
	for range 3 {
		c.cseq++
		req, contact, err := c.lr.request(ctx, sip.INVITE, target0(c.lr.cfg), c.callID, fromTag, c.cseq)
		if err != nil {
			return nil, err
		}
		c.contact = contact
		req.Recipient = to
		th := &sip.ToHeader{Address: to, Params: sip.NewParams()}
		req.ReplaceHeader(th)
		req.AppendHeader(&sip.ContactHeader{Address: contact})
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.AppendHeader(sip.NewHeader("Allow", allowed))
		if c.Precedence != "" {
			req.AppendHeader(sip.NewHeader("Resource-Priority", c.Precedence.header()))
		}
		req.SetBody(body)
		if err := auth.authorize(req, cmpOr(c.lr.cfg.AuthUser, c.lr.cfg.User), c.lr.cfg.Password); err != nil {
			return nil, err
		}
		res, err := c.transact(ctx, req)
		if err != nil {
			return nil, err
		}
		switch code := res.StatusCode; {
		case res.IsSuccess():
			c.mu.Lock()
			c.from = req.From()
			c.to = res.To()
			if ct := res.Contact(); ct != nil {
				c.remote = ct.Address
			} else {
				c.remote = to
			}
			// A UAC's route set is the Record-Route in reverse (RFC 3261 12.1.2).
			for _, h := range res.GetHeaders("Record-Route") {
				if rr, ok := h.(*sip.RecordRouteHeader); ok {
					c.routes = append([]sip.Uri{rr.Address}, c.routes...)
				}
			}
			c.mu.Unlock()
			return res, nil
		case code == sip.StatusUnauthorized || code == sip.StatusProxyAuthRequired:
			refused, err := auth.challenge(res)
			if err != nil {
				return nil, err
			}
			if refused {
				return nil, fmt.Errorf("credentials refused (%d %s)", code, res.Reason)
			}
		case code == 486 || code == 600:
			return nil, fmt.Errorf("busy: %d %s", code, res.Reason)
		default:
			return nil, fmt.Errorf("refused: %d %s", code, res.Reason)
		}
	}
	return nil, errors.New("too many challenges")
}

// allowed are the methods the phone takes.
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY"

// transact runs the INVITE transaction, noting ringing; the end of ctx
// cancels it.
func (c *Call) transact(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	tx, err := c.st.txl.Request(context.WithoutCancel(ctx), req)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	cancelled := false
	var giveUp *time.Timer
	defer func() {
		if giveUp != nil {
			giveUp.Stop()
		}
	}()
	for {
		var done <-chan struct{}
		if !cancelled {
			done = ctx.Done()
		}
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				if res.StatusCode == 180 || res.StatusCode == 183 {
					c.setState(CallRinging)
				}
				continue
			}
			if cancelled {
				if res.IsSuccess() {
					// The answer crossed our CANCEL: the call is up, end it.
					c.mu.Lock()
					c.from, c.to, c.remote = req.From(), res.To(), req.Recipient
					if ct := res.Contact(); ct != nil {
						c.remote = ct.Address
					}
					c.mu.Unlock()
					c.sendACK(req.CSeq().SeqNo)
					_ = c.bye(context.WithoutCancel(ctx))
				}
				return nil, ctx.Err()
			}
			return res, nil
		case <-tx.Done():
			if cancelled {
				return nil, ctx.Err()
			}
			return nil, tx.Err()
		case <-done:
			c.sendCancel(req)
			cancelled = true
			// Wait for the 487 (or a crossing 2xx), bounded.
			giveUp = time.AfterFunc(c.lr.timing.RequestTimeout, tx.Terminate)
		}
	}
}

// sendCancel cancels the pending INVITE req (RFC 3261 9.1).
func (c *Call) sendCancel(req *sip.Request) {
	cancel := sip.NewRequest(sip.CANCEL, req.Recipient)
	cancel.AppendHeader(sip.HeaderClone(req.Via()))
	for _, h := range req.GetHeaders("Route") {
		cancel.AppendHeader(sip.HeaderClone(h))
	}
	maxf := sip.MaxForwardsHeader(70)
	cancel.AppendHeader(&maxf)
	cancel.AppendHeader(sip.HeaderClone(req.From()))
	cancel.AppendHeader(sip.HeaderClone(req.To()))
	cancel.AppendHeader(sip.HeaderClone(req.CallID()))
	cancel.AppendHeader(&sip.CSeqHeader{SeqNo: req.CSeq().SeqNo, MethodName: sip.CANCEL})
	cancel.SetTransport(req.Transport())
	cancel.SetDestination(req.Destination())
	cancel.Laddr = req.Laddr
	ctx, done := context.WithTimeout(context.Background(), c.lr.timing.RequestTimeout)
	defer done()
	_, _ = c.st.do(ctx, cancel, c.lr.timing.RequestTimeout)
}
