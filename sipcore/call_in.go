package sipcore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"

	"deskphone/media"
)

// answerReq is Answer (code 200) or Reject (4xx-6xx) handed to the
// goroutine that holds the INVITE's server transaction.
type answerReq struct {
	code int
	done chan error
}

// rejectReasons are the phrases of the codes Reject sends.
var rejectReasons = map[int]string{
	480: "Temporarily Unavailable", 486: "Busy Here", 488: "Not Acceptable Here", 603: "Decline",
}

// Answer accepts an incoming call that rings (200 with the SDP answer)
// and starts its media.
func (c *Call) Answer() error { return c.decide(200) }

// Reject refuses an incoming call that rings: 486 (busy), 603 (decline)
// or 480.
func (c *Call) Reject(code int) error {
	if _, ok := rejectReasons[code]; !ok || code == 488 {
		return fmt.Errorf("reject: %d is not 480, 486 or 603", code)
	}
	return c.decide(code)
}

func (c *Call) decide(code int) error {
	if c.Direction != Incoming || c.answerCh == nil {
		return errors.New("answer: not an incoming call")
	}
	r := answerReq{code: code, done: make(chan error, 1)}
	select {
	case c.answerCh <- r:
		return <-r.done
	case <-c.decided:
		return fmt.Errorf("answer: the call is already %s", c.State())
	}
}

// lineFor is the enabled line an incoming request is for: the user of its
// Request-URI (the Contact the line registered), else of its To.
func (cfg Config) lineFor(req *sip.Request) *Line {
	for _, user := range []string{req.Recipient.User, req.To().Address.User} {
		for i := range cfg.Lines {
			if l := &cfg.Lines[i]; l.Enabled && user != "" && l.User == user {
				return l
			}
		}
	}
	return nil
}

// onInvite takes an INVITE: a new call rings (180) until Answer, Reject,
// the caller's CANCEL (sipgo answers 487) or the end of the engine; an
// offer the line's security mode refuses gets 488. An INVITE in a dialog
// is a re-INVITE (hold from the far end).
func (e *Engine) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if req.To().Params.Has("tag") {
		e.onReinvite(req, tx)
		return
	}
	e.mu.Lock()
	cfg, st := e.cfg, e.st
	e.mu.Unlock()
	lc := cfg.lineFor(req)
	if st == nil || lc == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 404, "Not Found", nil))
		return
	}
	tls := strings.EqualFold(req.Transport(), "TLS")
	lr := &lineRun{cfg: *lc, timing: cfg.Timing, st: st, userAgent: cfg.UserAgent, now: cfg.TLS.Time, clockSrc: cfg.TLS.ClockSource, log: e.log}
	t := target0(*lc)
	c := &Call{Line: lc.Index, URI: peerOf(req.From()), Direction: Incoming, Precedence: precedenceOf(req),
		e: e, st: st, lr: lr, dest: t.dest(), tls: tls, state: CallIncoming, callID: req.CallID().Value(),
		endpoint: e.startEndpoint(), ended: make(chan struct{}),
		answerCh: make(chan answerReq), decided: make(chan struct{}), acked: make(chan struct{})}
	defer close(c.decided)
	tag := sip.GenerateTagN(12)
	response := func(code int, reason string, body []byte) *sip.Response {
		res := sip.NewResponseFromRequest(req, code, reason, body)
		to := req.To().Address
		th := &sip.ToHeader{DisplayName: req.To().DisplayName, Address: to, Params: req.To().Params.Clone()}
		th.Params.Add("tag", tag)
		res.ReplaceHeader(th)
		if code < 300 {
			res.AppendHeader(&sip.ContactHeader{Address: c.contact})
		}
		if body != nil {
			res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		}
		if code == 200 {
			res.AppendHeader(sip.NewHeader("Allow", allowed))
		}
		return res
	}
	respond := func(code int, reason string, body []byte) error {
		return tx.Respond(response(code, reason, body))
	}
	// refused answers 488 and reports the call refused, with why.
	refused := func(why string) {
		if err := respond(488, "Not Acceptable Here", nil); err != nil {
			e.log.Warn("sip call: respond 488", "err", err)
		}
		e.log.Info("sip call refused", "line", lc.Index, "from", c.URI, "reason", why)
		c.state, c.reason = CallRefused, why
		e.callChanged(c, CallRefused)
		close(c.ended)
	}
	if lc.Security != Nonsecure && !tls {
		refused(fmt.Sprintf("line %d is %s: the call came over %s, not tls", lc.Index, lc.Security, strings.ToLower(req.Transport())))
		return
	}
	if len(req.Body()) == 0 {
		refused("the INVITE has no SDP offer")
		return
	}
	conn, addr, err := listenMedia(st, c.dest, 0)
	if err != nil {
		_ = respond(500, "Server Internal Error", nil)
		e.log.Warn("sip call: incoming", "err", err)
		return
	}
	c.local = newLocal(addr)
	c.mcfg = mediaConfig(*lc, cfg.Codecs, tls)
	answer, neg, err := media.AnswerOffer(c.mcfg, c.local, req.Body())
	if err != nil {
		conn.Close()
		refused(err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timing.RequestTimeout)
	_, contact, err := lr.request(ctx, sip.OPTIONS, t, c.callID, tag, 1)
	cancel()
	if err != nil {
		conn.Close()
		_ = respond(500, "Server Internal Error", nil)
		e.log.Warn("sip call: incoming: contact", "err", err)
		return
	}
	c.contact = contact
	// The dialog, as the UAS sees it (RFC 3261 12.1.1).
	c.from = &sip.FromHeader{DisplayName: req.To().DisplayName, Address: req.To().Address, Params: req.To().Params.Clone()}
	c.from.Params.Add("tag", tag)
	c.to = &sip.ToHeader{DisplayName: req.From().DisplayName, Address: req.From().Address, Params: req.From().Params.Clone()}
	c.remote = req.From().Address
	if ct := req.Contact(); ct != nil {
		c.remote = ct.Address
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			c.routes = append(c.routes, rr.Address)
		}
	}

	cancelled := make(chan struct{})
	tx.OnCancel(func(*sip.Request) { close(cancelled) })
	e.remember(c)
	if err := respond(180, "Ringing", nil); err != nil {
		e.log.Warn("sip call: ringing", "err", err)
	}
	e.log.Info("sip call incoming", "line", lc.Index, "from", c.URI, "precedence", c.Precedence)
	e.callChanged(c, CallIncoming)
	select {
	case a := <-c.answerCh:
		if a.code != 200 {
			conn.Close()
			err := respond(a.code, rejectReasons[a.code], nil)
			c.end(CallEnded, fmt.Sprintf("rejected (%d)", a.code))
			a.done <- err
			return
		}
		ok := response(200, "OK", answer)
		if err := tx.Respond(ok); err != nil {
			conn.Close()
			c.end(CallEnded, "answer: "+err.Error())
			a.done <- fmt.Errorf("answer: %w", err)
			return
		}
		if !sip.IsReliable(req.Transport()) {
			// Ends with the ACK, the call, or 64*T1 (not in c.wg: the
			// media's restarts wait for that group).
			go c.keepAnswer(tx, ok)
		}
		if err := c.startMedia(conn, neg); err != nil {
			_ = c.bye(context.Background())
			c.end(CallEnded, err.Error())
			a.done <- fmt.Errorf("answer: %w", err)
			return
		}
		c.setState(CallEstablished)
		a.done <- nil
	case <-cancelled:
		conn.Close()
		c.end(CallEnded, "cancelled by the caller")
	case <-tx.Done():
		conn.Close()
		c.end(CallEnded, "the caller went away")
	}
}

// peerOf is the caller as shown: the display name and the address.
func peerOf(h *sip.FromHeader) string {
	a := h.Address
	u := sip.Uri{Scheme: cmpOr(a.Scheme, "sip"), User: a.User, Host: a.Host, Port: a.Port}
	if h.DisplayName != "" {
		return strings.Trim(h.DisplayName, `"`) + " <" + u.String() + ">"
	}
	return u.String()
}

// onAck takes the ACK of our 2xx: it is a transaction of its own (RFC
// 3261 17.1.1.3), matched to its call by the Call-ID.
func (e *Engine) onAck(req *sip.Request, _ sip.ServerTransaction) {
	if c := e.call(req.CallID().Value()); c != nil {
		c.ackReceived()
	}
}
