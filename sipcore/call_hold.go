package sipcore

import (
	"context"
	"fmt"

	"github.com/emiago/sipgo/sip"

	"deskphone/media"
)

// Hold puts an established call on hold: a re-INVITE offering sendonly;
// the microphone is muted meanwhile (the peer hears silence).
func (c *Call) Hold(ctx context.Context) error { return c.setHold(ctx, true) }

// Resume takes the call off hold: a re-INVITE offering sendrecv.
func (c *Call) Resume(ctx context.Context) error { return c.setHold(ctx, false) }

func (c *Call) setHold(ctx context.Context, hold bool) error {
	op := "resume"
	if hold {
		op = "hold"
	}
	c.reinvite.Lock()
	defer c.reinvite.Unlock()
	c.mu.Lock()
	if c.state != CallEstablished {
		st := c.state
		c.mu.Unlock()
		return fmt.Errorf("%s: call is %s", op, st)
	}
	local := c.local
	local.SessionVer++
	local.Direction = media.SendRecv
	if hold {
		local.Direction = media.SendOnly
	}
	c.cseq++
	seq := c.cseq
	req := c.inDialog(sip.INVITE, seq)
	key := c.neg.LocalCrypto
	c.mu.Unlock()
	offer, err := media.BuildOffer(c.mcfg, local)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	offer.SDP = keepKey(offer.SDP, key)
	req.AppendHeader(&sip.ContactHeader{Address: c.contact})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	req.SetBody(offer.SDP)
	res, err := c.st.do(ctx, req, c.lr.timing.RequestTimeout)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("%s: refused: %d %s", op, res.StatusCode, res.Reason)
	}
	c.sendACK(seq)
	neg, err := offer.ApplyAnswer(res.Body(), local)
	neg = keptKey(neg, key)
	if err != nil {
		// The dialog stands on the old offer/answer (RFC 3264 8.4 cannot be
		// undone here): end the call rather than run mismatched keys.
		_ = c.bye(context.WithoutCancel(ctx))
		c.end(CallEnded, op+": "+err.Error())
		return fmt.Errorf("%s: %w", op, err)
	}
	c.mu.Lock()
	c.local, c.held, c.peerDir = local, hold, sdpDirection(res.Body())
	c.mu.Unlock()
	if err := c.renegotiated(neg); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	c.SetMute(hold)
	c.e.callChanged(c, CallEstablished)
	return nil
}

// onReinvite answers a re-INVITE of a call: the peer holds (sendonly,
// inactive) or resumes, or refreshes its keys. An offer we cannot accept
// gets 488 and the call goes on as it was; a request for no call, 481.
func (e *Engine) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	c := e.call(req.CallID().Value())
	if c == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	c.mu.Lock()
	if c.state != CallEstablished {
		c.mu.Unlock()
		_ = tx.Respond(sip.NewResponseFromRequest(req, 491, "Request Pending", nil))
		return
	}
	local := c.local
	local.SessionVer++
	local.Direction = media.SendRecv
	if c.held {
		local.Direction = media.SendOnly
	}
	key := c.neg.LocalCrypto
	c.mu.Unlock()
	if len(req.Body()) == 0 {
		// An offerless re-INVITE would need our offer in the 200 and the
		// answer in the ACK: not supported.
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	}
	answer, neg, err := media.AnswerOffer(c.mcfg, local, req.Body())
	if err != nil {
		e.log.Info("sip call: re-INVITE refused", "line", c.Line, "err", err)
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	}
	answer, neg = keepKey(answer, key), keptKey(neg, key)
	// The new media apply before the 200 goes: once the peer has it, the
	// call is as answered.
	c.mu.Lock()
	c.local = local
	c.mu.Unlock()
	if err := c.renegotiated(neg); err != nil {
		e.log.Warn("sip call: re-INVITE media", "err", err)
		_ = tx.Respond(sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
		_ = c.bye(context.Background())
		c.end(CallEnded, err.Error())
		return
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", answer)
	res.AppendHeader(&sip.ContactHeader{Address: c.contact})
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	if err := tx.Respond(res); err != nil {
		e.log.Warn("sip call: re-INVITE answer", "err", err)
	}
	if c.Held() {
		c.SetMute(true)
	}
	e.callChanged(c, CallEstablished)
}
