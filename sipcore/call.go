package sipcore

// Calls (outgoing, for now): Dial sends INVITE on a line with an SDP offer
// from the media package, answers 401/407 with the line's digest
// credentials, sends ACK for the 2xx and runs the call's media: a
// media.Session on a UDP socket at the address the registrar sees the
// phone at, a jitter buffer and an AudioPath on Hooks.Audio. The line's
// security mode sets the SRTP policy (Line.SRTPPolicy): encrypted requires
// SRTP (an answer without it is refused and the call hung up), and SDES
// keys are offered only over TLS. Hangup sends BYE; a BYE from the peer
// gets 200 and ends the call (Call.Done). A Dial whose context ends before
// the answer sends CANCEL.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"deskphone/hal"
	"deskphone/media"
)

// CallState is where a call is.
type CallState string

// Call states.
const (
	CallDialing     CallState = "dialing"
	CallRinging     CallState = "ringing" // 180/183 received
	CallEstablished CallState = "established"
	CallEnded       CallState = "ended"
)

// Call is one outgoing call of a line: its dialog and its media.
type Call struct {
	Line int
	URI  string

	e    *Engine
	st   *stack
	lr   *lineRun
	dest string // next hop of in-dialog requests

	mu     sync.Mutex
	state  CallState
	neg    media.Negotiated
	callID string
	from   *sip.FromHeader
	to     *sip.ToHeader
	remote sip.Uri // the peer's Contact
	routes []sip.Uri
	cseq   uint32
	path   *media.AudioPath
	sess   *media.Session
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ended  chan struct{}
}

// SRTPPolicy is the media policy of a line's security mode: encrypted
// requires SRTP; SDES keys are offered only over TLS, where they are not
// sent in the clear.
func (l Line) SRTPPolicy() media.SRTPPolicy {
	switch {
	case l.Security == Encrypted:
		return media.SRTPRequired
	case l.Transport == TLS:
		return media.SRTPOptional
	}
	return media.SRTPOff
}

// Dial calls uri (a SIP URI, or a user of the line's domain) from line and
// returns once the call is answered; ctx bounds the wait (its end cancels
// the unanswered call). Audio runs on Hooks.Audio until Hangup.
func (e *Engine) Dial(ctx context.Context, line int, uri string) (*Call, error) {
	e.mu.Lock()
	cfg, st := e.cfg, e.st
	e.mu.Unlock()
	if st == nil {
		return nil, errors.New("dial: sip engine is not running")
	}
	var lc *Line
	for i := range cfg.Lines {
		if cfg.Lines[i].Index == line && cfg.Lines[i].Enabled {
			lc = &cfg.Lines[i]
		}
	}
	if lc == nil {
		return nil, fmt.Errorf("dial: no enabled line %d", line)
	}
	var target sip.Uri
	if !strings.Contains(uri, ":") && !strings.Contains(uri, "@") {
		uri = "sip:" + uri + "@" + cmpOr(lc.Domain, lc.Registrar)
	}
	if err := sip.ParseUri(uri, &target); err != nil {
		return nil, fmt.Errorf("dial %q: %w", uri, err)
	}
	lr := &lineRun{cfg: *lc, timing: cfg.Timing, st: st, userAgent: cfg.UserAgent, now: cfg.TLS.Time, log: e.log}
	t := target0(*lc)
	c := &Call{Line: line, URI: uri, e: e, st: st, lr: lr, dest: t.dest(), state: CallDialing,
		callID: sip.GenerateTagN(24), ended: make(chan struct{})}

	// Media socket on the address the registrar sees us at.
	host := st.contactHost(t.dest())
	conn, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, fmt.Errorf("dial: media socket: %w", err)
	}
	local := media.Local{Addr: conn.LocalAddr().(*net.UDPAddr).AddrPort(), Direction: media.SendRecv,
		SessionID: uint64(time.Now().UnixNano()), SessionVer: 1}
	local.Addr = netip.AddrPortFrom(local.Addr.Addr().Unmap(), local.Addr.Port())
	offer, err := media.BuildOffer(media.MediaConfig{SRTP: lc.SRTPPolicy()}, local)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("dial: %w", err)
	}
	res, req, err := c.invite(ctx, target, offer.SDP)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("dial %s: %w", uri, err)
	}
	c.ack(req, res)
	neg, err := offer.ApplyAnswer(res.Body(), local)
	if err != nil {
		conn.Close()
		_ = c.bye(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("dial %s: %w", uri, err)
	}
	if err := c.startMedia(e.hooks, conn, neg); err != nil {
		_ = c.bye(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("dial %s: %w", uri, err)
	}
	e.mu.Lock()
	if e.calls == nil {
		e.calls = map[string]*Call{}
	}
	e.calls[c.callID] = c
	e.mu.Unlock()
	c.setState(CallEstablished)
	return c, nil
}

// onBye ends the call the peer hangs up.
func (e *Engine) onBye(req *sip.Request, tx sip.ServerTransaction) {
	e.mu.Lock()
	c := e.calls[req.CallID().Value()]
	e.mu.Unlock()
	if c == nil || req.From().Params == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	c.end()
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
func (c *Call) invite(ctx context.Context, to sip.Uri, body []byte) (*sip.Response, *sip.Request, error) {
	var auth clientAuth
	fromTag := sip.GenerateTagN(12)
	for range 3 {
		c.cseq++
		req, contact, err := c.lr.request(ctx, sip.INVITE, target0(c.lr.cfg), c.callID, fromTag, c.cseq)
		if err != nil {
			return nil, nil, err
		}
		req.Recipient = to
		th := &sip.ToHeader{Address: to, Params: sip.NewParams()}
		req.ReplaceHeader(th)
		req.AppendHeader(&sip.ContactHeader{Address: contact})
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY"))
		req.SetBody(body)
		if err := auth.authorize(req, cmpOr(c.lr.cfg.AuthUser, c.lr.cfg.User), c.lr.cfg.Password); err != nil {
			return nil, nil, err
		}
		res, err := c.transact(ctx, req)
		if err != nil {
			return nil, nil, err
		}
		switch code := res.StatusCode; {
		case res.IsSuccess():
			c.from = req.From()
			c.to = res.To()
			if ct := res.Contact(); ct != nil {
				c.remote = ct.Address
			} else {
				c.remote = to
			}
			for _, h := range res.GetHeaders("Record-Route") {
				if rr, ok := h.(*sip.RecordRouteHeader); ok {
					c.routes = append([]sip.Uri{rr.Address}, c.routes...)
				}
			}
			return res, req, nil
		case code == sip.StatusUnauthorized || code == sip.StatusProxyAuthRequired:
			refused, err := auth.challenge(res)
			if err != nil {
				return nil, nil, err
			}
			if refused {
				return nil, nil, fmt.Errorf("credentials refused (%d %s)", code, res.Reason)
			}
		default:
			return nil, nil, fmt.Errorf("refused: %d %s", code, res.Reason)
		}
	}
	return nil, nil, errors.New("too many challenges")
}

// transact runs the INVITE transaction, noting ringing; the end of ctx
// cancels it.
func (c *Call) transact(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	tx, err := c.st.txl.Request(context.WithoutCancel(ctx), req)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				if res.StatusCode == 180 || res.StatusCode == 183 {
					c.setState(CallRinging)
				}
				continue
			}
			return res, nil
		case <-tx.Done():
			return nil, tx.Err()
		case <-ctx.Done():
			c.sendCancel(req)
			return nil, ctx.Err()
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

// inDialog builds a request of the dialog (ACK keeps the INVITE's CSeq).
func (c *Call) inDialog(method sip.RequestMethod, seq uint32) *sip.Request {
	req := sip.NewRequest(method, c.remote)
	tp := strings.ToUpper(string(c.lr.cfg.Transport))
	req.SetTransport(tp)
	req.SetDestination(c.dest)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: tp, Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	if c.lr.cfg.Transport == UDP {
		req.Laddr = c.st.udpAddr()
		via.Host, via.Port = c.st.contactHost(c.dest), c.st.port
	} else {
		via.Host = c.st.contactHost(c.dest)
	}
	req.AppendHeader(via)
	for _, r := range c.routes {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	maxf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxf)
	req.AppendHeader(sip.HeaderClone(c.from))
	req.AppendHeader(sip.HeaderClone(c.to))
	cid := sip.CallIDHeader(c.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	req.SetBody(nil)
	return req
}

// ack acknowledges the 2xx (sent directly: ACK to 2xx is no transaction).
func (c *Call) ack(_ *sip.Request, _ *sip.Response) {
	ack := c.inDialog(sip.ACK, c.cseq)
	if err := c.st.tp.WriteMsg(ack); err != nil {
		c.lr.log.Warn("sip call: ack", "err", err)
	}
}

// bye ends the dialog.
func (c *Call) bye(ctx context.Context) error {
	c.mu.Lock()
	c.cseq++
	req := c.inDialog(sip.BYE, c.cseq)
	c.mu.Unlock()
	res, err := c.st.do(ctx, req, c.lr.timing.RequestTimeout)
	if err != nil {
		return fmt.Errorf("bye: %w", err)
	}
	if !res.IsSuccess() && res.StatusCode != 481 {
		return fmt.Errorf("bye: %d %s", res.StatusCode, res.Reason)
	}
	return nil
}

// startMedia runs the RTP session and the audio path of the call.
func (c *Call) startMedia(h Hooks, conn net.PacketConn, neg media.Negotiated) error {
	codec, err := media.CodecFor(neg)
	if err != nil {
		conn.Close()
		return err
	}
	ticks := neg.Codec.SDPClock * media.FrameDurationMs / 1000
	jb := media.NewJitterBuffer(media.JitterConfig{ClockRate: neg.Codec.SDPClock, FrameTicks: ticks})
	var dtmf uint8
	if neg.DTMF {
		dtmf = neg.DTMFType
	}
	sess, err := media.NewSession(media.SessionConfig{
		Conn: conn, Remote: net.UDPAddrFromAddrPort(neg.Remote), PayloadType: neg.Codec.Type,
		ClockRate: neg.Codec.SDPClock, FrameTicks: ticks, SRTP: neg.SRTP,
		Local: neg.LocalCrypto, RemoteKey: neg.RemoteCrypto,
		Deliver: media.Demux(jb, neg.Codec.Type, dtmf, nil), Log: c.lr.log,
	})
	if err != nil {
		conn.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.neg, c.sess, c.cancel = neg, sess, cancel
	c.mu.Unlock()
	c.wg.Add(1)
	go func() { defer c.wg.Done(); _ = sess.Run(ctx) }()
	if h.Audio == nil {
		return nil
	}
	ep := cmpOr(string(h.Endpoint), string(hal.Handset))
	path, err := media.NewAudioPath(media.AudioPathConfig{Audio: h.Audio, Enabled: []hal.Endpoint{hal.Endpoint(ep)},
		Endpoint: hal.Endpoint(ep), Codec: codec, Send: sess, Receive: jb, DTMFType: dtmf, Log: c.lr.log})
	if err != nil {
		cancel()
		c.wg.Wait()
		return err
	}
	c.mu.Lock()
	c.path = path
	c.mu.Unlock()
	c.wg.Add(1)
	go func() { defer c.wg.Done(); _ = path.Run(ctx) }()
	return nil
}

func (c *Call) setState(s CallState) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
	if c.e.hooks.OnCall != nil {
		c.e.hooks.OnCall(c, s)
	}
}

// Done is closed when the call has ended, by either side.
func (c *Call) Done() <-chan struct{} { return c.ended }

// end stops the media and forgets the call; it reports whether it was
// still up.
func (c *Call) end() bool {
	c.mu.Lock()
	if c.state == CallEnded {
		c.mu.Unlock()
		return false
	}
	c.state = CallEnded
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
	c.e.mu.Lock()
	delete(c.e.calls, c.callID)
	c.e.mu.Unlock()
	if c.e.hooks.OnCall != nil {
		c.e.hooks.OnCall(c, CallEnded)
	}
	close(c.ended)
	return true
}

// State is where the call is.
func (c *Call) State() CallState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Negotiated is the media the call uses (codec, SRTP suite).
func (c *Call) Negotiated() media.Negotiated {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.neg
}

// Counters are the call's RTP packet counts.
func (c *Call) Counters() media.Counters {
	c.mu.Lock()
	s := c.sess
	c.mu.Unlock()
	if s == nil {
		return media.Counters{}
	}
	return s.Counters()
}

// SendDigit sends d as an RFC 4733 telephone event.
func (c *Call) SendDigit(d rune) error {
	c.mu.Lock()
	p := c.path
	c.mu.Unlock()
	if p == nil {
		return errors.New("send digit: call has no audio path")
	}
	return p.SendDigit(d)
}

// Hangup sends BYE and stops the media; after the call ended (either
// side) it does nothing.
func (c *Call) Hangup(ctx context.Context) error {
	if c.State() == CallEnded {
		return nil
	}
	err := c.bye(ctx)
	c.end()
	return err
}
