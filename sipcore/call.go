package sipcore

// A call is one INVITE dialog of a line and its media, in either
// direction: Dial (call_out.go) places one, an incoming INVITE
// (call_in.go) offers one to Hooks.OnCall to Answer or Reject. Hold and
// Resume re-INVITE (call_hold.go). The line's security mode sets the SRTP
// policy (Line.SRTPPolicy): encrypted requires SRTP and refuses a call
// without it, and SDES keys are offered and accepted only over TLS. BYE
// ends a call from either side.

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
	"deskphone/status"
)

// CallState is where a call is.
type CallState string

// Call states. Ended and Refused are final.
const (
	CallDialing     CallState = "dialing"
	CallRinging     CallState = "ringing"  // outgoing: 180/183 received
	CallIncoming    CallState = "incoming" // incoming: ringing here, not answered yet
	CallEstablished CallState = "established"
	CallEnded       CallState = "ended"
	// CallRefused: the line's security mode (or the media) refused the
	// call: an outgoing answer without SRTP, an incoming offer without
	// crypto under encrypted (488). Reason says why.
	CallRefused CallState = "refused"
)

// CallDirection says who placed the call.
type CallDirection string

// Directions.
const (
	Outgoing CallDirection = "outgoing"
	Incoming CallDirection = "incoming"
)

// Security levels of a call, as published.
const (
	LevelEncrypted     = "encrypted"     // TLS signalling and SRTP
	LevelAuthenticated = "authenticated" // TLS signalling, plain RTP
	LevelNonsecure     = "nonsecure"
)

// Call is one call of a line: its dialog and its media.
type Call struct {
	Line       int
	URI        string // the peer
	Direction  CallDirection
	Precedence Precedence // MLPP: asked for (outgoing) or received (incoming)

	e    *Engine
	st   *stack
	lr   *lineRun
	dest string // next hop of in-dialog requests
	tls  bool   // signalling runs over TLS

	mu         sync.Mutex
	state      CallState
	reason     string
	neg        media.Negotiated
	mcfg       media.MediaConfig
	local      media.Local
	callID     string
	from       *sip.FromHeader // our side, as in our requests
	to         *sip.ToHeader   // the peer's side
	remote     sip.Uri         // the peer's Contact
	contact    sip.Uri         // ours
	routes     []sip.Uri
	cseq       uint32
	held       bool            // we put the call on hold
	peerDir    media.Direction // the direction of the peer's last answer to our re-INVITE
	endpoint   hal.Endpoint
	path       *media.AudioPath
	sess       *media.Session
	cancel     context.CancelFunc // stops the media
	prior      media.Counters     // of the sessions before this one (re-INVITEs restart it)
	lastStats  media.CallStats    // of the last session stopped
	dialCancel context.CancelFunc // abandons an outgoing call not answered yet
	wg         sync.WaitGroup
	reinvite   sync.Mutex // one re-INVITE of ours at a time
	ended      chan struct{}

	// incoming only
	answerCh chan answerReq // Answer and Reject, to the INVITE's handler
	decided  chan struct{}  // closed once the INVITE got its final response
	acked    chan struct{}  // closed when the ACK of our 2xx arrives
	ackOnce  sync.Once
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

// ID identifies the call while it lasts (its SIP Call-ID).
func (c *Call) ID() string { return c.callID }

// mediaSockets are a call's RTP socket and its RTCP twin on the next port
// (RFC 3550 11: the peer sends RTCP to the RTP port + 1 unless told).
type mediaSockets struct {
	rtp, rtcp net.PacketConn
}

// Close closes both sockets.
func (m *mediaSockets) Close() error {
	m.rtcp.Close()
	return m.rtp.Close()
}

// listenMedia opens the call's RTP and RTCP sockets (an even port and the
// next) on the address the registrar sees the phone at; port 0 picks a
// free pair, a restart reuses the call's.
func listenMedia(st *stack, dest string, port uint16) (*mediaSockets, netip.AddrPort, error) {
	host := st.contactHost(dest)
	var err error
	for range 50 {
		var rtp, rtcp net.PacketConn
		rtp, err = net.ListenPacket("udp", net.JoinHostPort(host, fmt.Sprint(port)))
		if err != nil {
			break
		}
		a := rtp.LocalAddr().(*net.UDPAddr).AddrPort()
		if port == 0 && a.Port()%2 == 1 {
			rtp.Close() // RTP takes the even port of the pair
			continue
		}
		rtcp, err = net.ListenPacket("udp", net.JoinHostPort(host, fmt.Sprint(a.Port()+1)))
		if err != nil {
			rtp.Close()
			if port != 0 {
				break
			}
			continue
		}
		return &mediaSockets{rtp: rtp, rtcp: rtcp}, netip.AddrPortFrom(a.Addr().Unmap(), a.Port()), nil
	}
	if err == nil {
		err = errors.New("no free port pair")
	}
	return nil, netip.AddrPort{}, fmt.Errorf("media socket: %w", err)
}

// newLocal is a fresh SDP identity for a media address.
func newLocal(addr netip.AddrPort) media.Local {
	return media.Local{Addr: addr, Direction: media.SendRecv, SessionID: uint64(time.Now().UnixNano()), SessionVer: 1}
}

// mediaConfig is the media policy of line l for signalling over tls.
func mediaConfig(l Line, codecs []string, tls bool) media.MediaConfig {
	p := l.SRTPPolicy()
	if !tls && p == media.SRTPOptional {
		p = media.SRTPOff // SDES keys never travel in the clear
	}
	return media.MediaConfig{Codecs: codecs, SRTP: p}
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

// sendACK acknowledges a 2xx to our INVITE with CSeq seq (sent directly:
// ACK to 2xx is no transaction).
func (c *Call) sendACK(seq uint32) {
	ack := c.inDialog(sip.ACK, seq)
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

// startMedia runs the RTP session and the audio path of the call on conn.
func (c *Call) startMedia(conn *mediaSockets, neg media.Negotiated) error {
	h := c.e.hooks
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
		Conn: conn.rtp, Remote: net.UDPAddrFromAddrPort(neg.Remote), PayloadType: neg.Codec.Type,
		ClockRate: neg.Codec.SDPClock, FrameTicks: ticks, SRTP: neg.SRTP,
		Local: neg.LocalCrypto, RemoteKey: neg.RemoteCrypto,
		Deliver: media.Demux(jb, neg.Codec.Type, dtmf, c.onDigit), Log: c.lr.log,
		RTCPConn: conn.rtcp, Jitter: jb,
	})
	if err != nil {
		conn.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.neg, c.sess, c.cancel = neg, sess, cancel
	ep := c.endpoint
	c.mu.Unlock()
	c.wg.Add(1)
	go func() { defer c.wg.Done(); _ = sess.Run(ctx) }()
	if h.Audio == nil {
		return nil
	}
	path, err := media.NewAudioPath(media.AudioPathConfig{Audio: h.Audio, Enabled: c.e.enabledEndpoints(),
		Endpoint: ep, Codec: codec, Send: sess, Receive: jb, DTMFType: dtmf, Log: c.lr.log})
	if err != nil {
		cancel()
		c.wg.Wait()
		return err
	}
	path.SetDirection(neg.Direction)
	c.mu.Lock()
	c.path = path
	c.mu.Unlock()
	c.wg.Add(1)
	go func() { defer c.wg.Done(); _ = path.Run(ctx) }()
	return nil
}

// stopMedia stops the session (it closes the socket) and the audio path.
func (c *Call) stopMedia() {
	c.mu.Lock()
	cancel, sess := c.cancel, c.sess
	c.cancel, c.path, c.sess = nil, nil, nil
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
	if sess != nil {
		st := sess.Stats()
		c.mu.Lock()
		c.prior = addCounters(c.prior, sess.Counters())
		c.lastStats = st
		c.mu.Unlock()
	}
}

// MediaStats are the media statistics of the call's session (the last
// one, once the call ended): loss, jitter, RTT, concealment.
func (c *Call) MediaStats() media.CallStats {
	c.mu.Lock()
	s, last := c.sess, c.lastStats
	c.mu.Unlock()
	if s == nil {
		return last
	}
	return s.Stats()
}

func addCounters(a, b media.Counters) media.Counters {
	a.PacketsSent += b.PacketsSent
	a.BytesSent += b.BytesSent
	a.PacketsReceived += b.PacketsReceived
	a.BytesReceived += b.BytesReceived
	a.Lost += b.Lost
	a.AuthFailures += b.AuthFailures
	a.ReplaysDropped += b.ReplaysDropped
	a.Malformed += b.Malformed
	return a
}

// renegotiated applies a new offer/answer outcome: a change of direction
// alone is followed live; new keys, codec or address restart the media on
// the same port.
func (c *Call) renegotiated(neg media.Negotiated) error {
	c.mu.Lock()
	old, path := c.neg, c.path
	c.mu.Unlock()
	same := old.Codec == neg.Codec && old.Remote == neg.Remote && old.SRTP == neg.SRTP &&
		sameKey(old.LocalCrypto, neg.LocalCrypto) && sameKey(old.RemoteCrypto, neg.RemoteCrypto)
	if same {
		c.mu.Lock()
		c.neg = neg
		c.mu.Unlock()
		if path != nil {
			path.SetDirection(neg.Direction)
		}
		return nil
	}
	c.stopMedia()
	conn, _, err := listenMedia(c.st, c.dest, c.local.Addr.Port())
	if err != nil {
		return err
	}
	return c.startMedia(conn, neg)
}

// sends reports whether d sends media (media keeps its own unexported).
func sends(d media.Direction) bool { return d == media.SendRecv || d == media.SendOnly }

// onDigit reports a telephone event the peer sent.
func (c *Call) onDigit(d rune) {
	if c.e.hooks.OnDigit != nil {
		c.e.hooks.OnDigit(c, d)
	}
}

func (c *Call) setState(s CallState) {
	c.mu.Lock()
	if c.state == CallEnded || c.state == CallRefused {
		c.mu.Unlock()
		return
	}
	c.state = s
	c.mu.Unlock()
	c.e.callChanged(c, s)
}

// Done is closed when the call has ended, by either side.
func (c *Call) Done() <-chan struct{} { return c.ended }

// end stops the media and forgets the call in final state s (ended or
// refused) for reason; it reports whether the call was still up.
func (c *Call) end(s CallState, reason string) bool {
	c.mu.Lock()
	if c.state == CallEnded || c.state == CallRefused {
		c.mu.Unlock()
		return false
	}
	c.state, c.reason = s, reason
	c.mu.Unlock()
	c.stopMedia()
	c.e.forget(c)
	c.e.callChanged(c, s)
	close(c.ended)
	return true
}

// State is where the call is.
func (c *Call) State() CallState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Reason says why the call ended or was refused ("" while it is up).
func (c *Call) Reason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// Held reports whether we put the call on hold.
func (c *Call) Held() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held
}

// RemoteHeld reports whether the peer put us on hold (it no longer
// receives what we send, while we did not hold).
func (c *Call) RemoteHeld() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == CallEstablished && !c.held && !sends(c.neg.Direction)
}

// PeerDirection is the direction the peer answered our last hold or
// resume with (recvonly or inactive to a hold, sendrecv to a resume); ""
// before any.
func (c *Call) PeerDirection() media.Direction {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peerDir
}

// Negotiated is the media the call uses (codec, SRTP suite, direction).
func (c *Call) Negotiated() media.Negotiated {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.neg
}

// Level is the call's security level: encrypted (TLS and SRTP),
// authenticated (TLS, plain RTP) or nonsecure.
func (c *Call) Level() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.tls && c.neg.SRTP:
		return LevelEncrypted
	case c.tls:
		return LevelAuthenticated
	}
	return LevelNonsecure
}

// Counters are the call's RTP packet counts, over all its sessions (a
// re-INVITE with new keys restarts the session), also after it ended.
func (c *Call) Counters() media.Counters {
	c.mu.Lock()
	s, prior := c.sess, c.prior
	c.mu.Unlock()
	if s == nil {
		return prior
	}
	return addCounters(prior, s.Counters())
}

// Status is the call as the phone publishes it.
func (c *Call) Status() status.Call {
	c.mu.Lock()
	s := status.Call{ID: c.callID, Line: c.Line, State: string(c.state), Direction: string(c.Direction),
		Peer: c.URI, Held: c.held, Precedence: string(c.Precedence), Endpoint: string(c.endpoint), Reason: c.reason}
	neg, sess := c.neg, c.sess
	if c.held && c.state == CallEstablished {
		s.State = "held"
	}
	c.mu.Unlock()
	s.RemoteHeld = c.RemoteHeld()
	s.Security = c.Level()
	s.Encrypted = s.Security == LevelEncrypted
	s.Codec = neg.Codec.Name
	if neg.SRTP {
		s.SRTPSuite = string(neg.LocalCrypto.Suite)
	}
	if sess != nil {
		cn := c.Counters()
		s.PacketsSent, s.PacketsReceived = cn.PacketsSent, cn.PacketsReceived
		st := sess.Stats() // this session's: loss and jitter restart with it
		s.Lost, s.LossPercent = st.Lost, st.LossPercent
		s.JitterMs = float64(st.Jitter) / float64(time.Millisecond)
		if st.HaveRTT {
			s.RTTMs = float64(st.RTT) / float64(time.Millisecond)
		}
	}
	return s
}

// Endpoint is the audio endpoint the call uses.
func (c *Call) Endpoint() hal.Endpoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endpoint
}

// SetEndpoint moves the call's audio to ep (hook switch, SPEAKER, HEADSET);
// an endpoint the settings disable is refused and never opened.
func (c *Call) SetEndpoint(ep hal.Endpoint) error {
	if !c.e.endpointEnabled(ep) {
		return fmt.Errorf("set endpoint: %s is disabled", ep)
	}
	c.mu.Lock()
	c.endpoint = ep
	p := c.path
	c.mu.Unlock()
	if p != nil {
		return p.SetEndpoint(ep)
	}
	return nil
}

// SetMute stops sending the microphone (silence is sent).
func (c *Call) SetMute(m bool) {
	c.mu.Lock()
	p := c.path
	c.mu.Unlock()
	if p != nil {
		p.SetMute(m)
	}
}

// PlayTone plays t to the call's endpoint over the received audio (call
// waiting, the secure indication); nil stops it.
func (c *Call) PlayTone(t *media.Tone) {
	c.mu.Lock()
	p := c.path
	c.mu.Unlock()
	if p != nil {
		p.PlayTone(t)
	}
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

// Hangup ends the call: BYE when established, CANCEL while an outgoing
// call is unanswered, 603 Decline for an incoming call not answered. After
// the call ended (either side) it does nothing.
func (c *Call) Hangup(ctx context.Context) error {
	c.mu.Lock()
	st, dialCancel := c.state, c.dialCancel
	c.mu.Unlock()
	switch st {
	case CallEnded, CallRefused:
		return nil
	case CallDialing, CallRinging:
		if dialCancel != nil {
			dialCancel() // Dial sends CANCEL and returns
		}
		return nil
	case CallIncoming:
		return c.Reject(603)
	}
	err := c.bye(ctx)
	c.end(CallEnded, "hung up")
	return err
}
