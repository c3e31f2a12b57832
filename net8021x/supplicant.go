package net8021x

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"deskphone/hal"
	"deskphone/status"
)

// Result is one successful authentication.
type Result struct {
	Method  string        // the mode's method name, as Mode.String
	MSK     []byte        // 64 bytes for the key-deriving methods, else nil
	EMSK    []byte        // 64 bytes where the method defines it, else nil
	Elapsed time.Duration // from the first EAPOL-Start to EAP-Success
}

// Supplicant is the 802.1X supplicant of one port: the supplicant PAE of
// 802.1X-2010 (EAPOL-Start, startPeriod/maxStart, heldPeriod, Logoff) around
// the EAP peer. It runs as Run(ctx); Reconfigure applies a new Config live.
type Supplicant struct {
	port    hal.Port
	frames  Frames
	onState func(status.Dot1X)
	reconf  chan Config

	// Owned by Run's goroutine.
	cfg           Config
	timers        Timers
	peer          *peer
	linkUp        bool
	enabled       bool
	authenticated bool // the port is authorized: last authentication held
	reason        string
	published     status.Dot1X
	startCount    int
	startedAt     time.Time
	startDue      time.Time     // when the standard next Start (or giving up) is due
	repeat        time.Duration // next pause before repeating the first Start; 0: none
	timer         *time.Timer
	timerKind     timerKind
	reauth        *time.Timer

	// provisioned: the last failure ended EAP-FAST anonymous provisioning
	// and the immediate re-authentication with the new PAC is under way.
	provisioned bool

	oneShot   bool
	finished  bool
	result    Result
	resultErr error
}

// After EAP-FAST's provisioning Failure the authenticator may hold the
// failed session a while (hostapd: about 5 s) and ignore EAPOL-Start:
// repeat it every provisionedStartPeriod, up to provisionedMaxStart times,
// before falling back to startPeriod.
const (
	provisionedStartPeriod = time.Second
	provisionedMaxStart    = 15
)

type timerKind int

const (
	timerNone timerKind = iota
	timerStart
	timerAuth
	timerHeld
)

// New makes a supplicant for port, exchanging frames through frames. onState
// (may be nil) receives each published state change, from Run's goroutine.
func New(port hal.Port, frames Frames, cfg Config, onState func(status.Dot1X)) *Supplicant {
	s := &Supplicant{port: port, frames: frames, onState: onState, reconf: make(chan Config, 1)}
	s.setConfig(cfg)
	return s
}

// PublishTo returns an onState that writes the state into hub.
func PublishTo(hub *status.Hub) func(status.Dot1X) {
	return func(d status.Dot1X) { hub.Update(func(p *status.Phone) { p.Dot1X = d }) }
}

// Reconfigure hands Run a new configuration; the latest one wins. It never
// blocks.
func (s *Supplicant) Reconfigure(cfg Config) {
	for {
		select {
		case s.reconf <- cfg:
			return
		default:
		}
		select {
		case <-s.reconf: // drop the older pending one
		default:
		}
	}
}

func (s *Supplicant) setConfig(cfg Config) {
	s.cfg = cfg
	s.timers = cfg.Timers.withDefaults()
	if s.peer != nil {
		s.peer.reset()
	}
	s.peer = newPeer(&s.cfg)
	s.enabled = cfg.Mode != ModeDisabled
}

// Run keeps the port authenticated until ctx is done, then sends
// EAPOL-Logoff (the phone shuts down) and returns nil. It returns an error
// only when the frames fail. Run is called once per Supplicant.
func (s *Supplicant) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
		s.stopTimers()
		s.peer.reset()
	}()
	frames := make(chan []byte)
	readErr := make(chan error, 1)
	links := make(chan bool)
	wg.Go(func() { s.readLoop(ctx, frames, readErr) })
	wg.Go(func() { s.linkLoop(ctx, links) })
	s.timer = time.NewTimer(time.Hour)
	s.timer.Stop()
	s.reauth = time.NewTimer(time.Hour)
	s.reauth.Stop()
	if err := s.cfg.Validate(); err != nil {
		if s.oneShot {
			return err
		}
		s.enabled = false
		s.publish(status.Dot1XFailed, err.Error())
	} else if !s.enabled {
		s.publish(status.Dot1XDisabled, "")
	}
	for {
		var timerC <-chan time.Time
		if s.timerKind != timerNone {
			timerC = s.timer.C
		}
		select {
		case <-ctx.Done():
			s.shutdown()
			return nil
		case err := <-readErr:
			return fmt.Errorf("802.1X on %s: %w", s.port.Interface(), err)
		case up := <-links:
			s.link(up)
		case f := <-frames:
			s.frame(f)
		case cfg := <-s.reconf:
			s.reconfigure(cfg)
		case <-timerC:
			s.timeout()
		case <-s.reauth.C:
			s.reauthenticate()
		}
		if s.oneShot && s.finished {
			return nil
		}
	}
}

func (s *Supplicant) readLoop(ctx context.Context, out chan<- []byte, errc chan<- error) {
	buf := make([]byte, 4096)
	for {
		n, err := s.frames.ReadFrame(ctx, buf)
		if err != nil {
			if ctx.Err() == nil {
				errc <- err
			}
			return
		}
		select {
		case out <- bytes.Clone(buf[:n]):
		case <-ctx.Done():
			return
		}
	}
}

func (s *Supplicant) linkLoop(ctx context.Context, out chan<- bool) {
	up := s.port.Up()
	for {
		select {
		case out <- up:
		case <-ctx.Done():
			return
		}
		var err error
		if up, err = s.port.WaitLink(ctx, up); err != nil {
			return
		}
	}
}

// publish reports a state once per change.
func (s *Supplicant) publish(state, reason string) {
	d := status.Dot1X{State: state, Reason: reason}
	if s.enabled || state != status.Dot1XDisabled {
		d.Method = s.cfg.Mode.String()
	}
	if d.State == s.published.State && d.Reason == s.published.Reason && d.Method == s.published.Method {
		return
	}
	d.Since = s.cfg.now()
	s.published = d
	s.cfg.logger().Info("802.1X state", "state", d.State, "method", d.Method, "reason", d.Reason)
	if s.onState != nil {
		s.onState(d)
	}
}

// progress publishes a step of an authentication, unless the port is
// authorized already (a re-authentication runs behind the scenes).
func (s *Supplicant) progress(state string) {
	if !s.authenticated {
		s.publish(state, s.reason)
	}
}

func (s *Supplicant) send(typ uint8, body []byte) {
	f := buildFrame(PAEGroupAddr, s.port.MAC(), typ, body)
	if err := s.frames.WriteFrame(f); err != nil {
		s.cfg.logger().Warn("802.1X send", "err", err)
	}
}

func (s *Supplicant) setTimer(k timerKind, d time.Duration) {
	s.timerKind = k
	s.timer.Reset(d)
}

func (s *Supplicant) stopTimers() {
	s.timerKind = timerNone
	if s.timer != nil {
		s.timer.Stop()
		s.reauth.Stop()
	}
}

func (s *Supplicant) link(up bool) {
	if up == s.linkUp {
		return
	}
	s.linkUp = up
	if !s.enabled {
		return
	}
	if !up {
		s.stopTimers()
		s.peer.reset()
		s.authenticated, s.provisioned = false, false
		s.publish(status.Dot1XConnecting, "link down")
		return
	}
	s.connect()
}

// connect starts an authentication with EAPOL-Start, at once: the switch
// learns of us only from our EAPOL (CONNECTING).
func (s *Supplicant) connect() {
	s.peer.reset()
	s.startCount = 0
	s.startedAt = time.Now()
	s.sendStart()
	s.progress(status.Dot1XConnecting)
}

// sendStart sends one of the maxStart EAPOL-Starts of 802.1X-2010.
//
// A port that has just come up, or an authenticator that still holds this
// MAC's last session, may drop the first Start: hostapd ignores Starts for
// about 5 s after a Logoff, and a phone that reboots is back sooner. Waiting
// a whole startPeriod (30 s) for that is a long silence, so within the first
// startPeriod the first Start is repeated after StartRepeat, then twice that,
// and so on. The repeats do not count toward maxStart: giving up takes as
// long as the standard says.
func (s *Supplicant) sendStart() {
	s.startCount++
	period := s.timers.StartPeriod
	if s.provisioned && s.startCount < provisionedMaxStart {
		period = min(period, provisionedStartPeriod)
	}
	s.startDue = time.Now().Add(period)
	s.repeat = 0
	if s.startCount == 1 {
		s.repeat = s.timers.StartRepeat
	}
	s.send(eapolStart, nil)
	s.armStart()
}

// armStart sets the start timer to the next repeat or to startDue.
func (s *Supplicant) armStart() {
	d := time.Until(s.startDue)
	if s.repeat > 0 && s.repeat < d {
		d = s.repeat
	}
	s.setTimer(timerStart, d)
}

func (s *Supplicant) frame(f []byte) {
	if !s.enabled || !s.linkUp || s.finished {
		return
	}
	pdu, err := parseFrame(f)
	if err != nil {
		s.cfg.logger().Debug("802.1X frame dropped", "err", err)
		return
	}
	if bytes.Equal(pdu.Src, s.port.MAC()) {
		return // our own frame, looped back by the packet socket
	}
	if !bytes.Equal(pdu.Dst, PAEGroupAddr) && !bytes.Equal(pdu.Dst, s.port.MAC()) {
		return // for another supplicant, e.g. the PC behind the phone
	}
	if pdu.Type != eapolEAP {
		// Start/Logoff of other supplicants, EAPOL-Key (wireless only),
		// announcements: nothing for a wired supplicant.
		return
	}
	wasRunning := s.peer.inProgress()
	resp, out, err := s.peer.receive(pdu.Body)
	if err != nil && out == outcomeNone {
		s.cfg.logger().Debug("802.1X EAP packet dropped", "err", err)
		return
	}
	if resp != nil {
		if !wasRunning {
			if s.startedAt.IsZero() {
				s.startedAt = time.Now() // the authenticator began it
			}
			s.progress(status.Dot1XAuthenticating)
		}
		s.send(eapolEAP, resp)
		s.setTimer(timerAuth, s.timers.AuthPeriod)
	}
	switch out {
	case outcomeSuccess:
		s.succeed()
	case outcomeFailure:
		s.fail(err)
	}
}

func (s *Supplicant) succeed() {
	s.stopTimers()
	msk, emsk := s.peer.keys()
	s.result = Result{Method: s.cfg.Mode.String(), MSK: msk, EMSK: emsk, Elapsed: time.Since(s.startedAt)}
	s.resultErr = nil
	s.authenticated = true
	s.provisioned = false
	s.reason = ""
	s.finished = s.oneShot
	s.startedAt = time.Time{}
	s.publish(status.Dot1XAuthenticated, "")
	if s.cfg.ReauthPeriod > 0 {
		s.reauth.Reset(s.cfg.ReauthPeriod)
	}
}

// fail ends an authentication: the port is unauthorized, the reason
// published, and the supplicant holds off for heldPeriod (HELD).
func (s *Supplicant) fail(err error) {
	s.stopTimers()
	s.peer.reset()
	if errors.Is(err, ErrFASTProvisioned) && !s.provisioned {
		// Provisioning's EAP-Failure is by design: authenticate again at
		// once with the new PAC instead of holding off (once in a row).
		s.provisioned = true
		s.cfg.logger().Info("802.1X EAP-FAST PAC provisioned, authenticating again")
		s.connect()
		return
	}
	s.provisioned = false
	s.authenticated = false
	s.reason = err.Error()
	s.resultErr = err
	s.finished = s.oneShot
	s.startedAt = time.Time{}
	s.publish(status.Dot1XFailed, s.reason)
	if s.oneShot {
		return
	}
	s.publish(status.Dot1XHeld, s.reason)
	s.setTimer(timerHeld, s.timers.HeldPeriod)
}

func (s *Supplicant) timeout() {
	k := s.timerKind
	s.timerKind = timerNone
	switch k {
	case timerStart:
		if time.Now().Before(s.startDue) {
			s.send(eapolStart, nil) // a repeat of the first Start
			s.repeat *= 2
			s.armStart()
			return
		}
		if s.startCount < s.timers.MaxStart || (s.provisioned && s.startCount < provisionedMaxStart+s.timers.MaxStart) {
			s.sendStart()
			return
		}
		s.fail(newError(ReasonNoAuthenticator, nil, "no 802.1X authenticator answered %d EAPOL-Start", s.startCount))
	case timerAuth:
		if s.peer.methodErr != nil {
			s.fail(s.peer.methodErr)
			return
		}
		s.fail(newError(ReasonTimeout, nil, "authentication server not answering (no EAP request for %s)", s.timers.AuthPeriod))
	case timerHeld:
		s.connect()
	}
}

// reauthenticate is the phone-side re-authentication: an EAPOL-Start while
// authorized; the authenticator answers with a new Request/Identity.
func (s *Supplicant) reauthenticate() {
	if s.enabled && s.linkUp && s.authenticated {
		s.send(eapolStart, nil)
		s.reauth.Reset(s.cfg.ReauthPeriod)
	}
}

func (s *Supplicant) reconfigure(cfg Config) {
	wasEnabled := s.enabled
	if wasEnabled && s.linkUp && (cfg.Mode == ModeDisabled || cfg.Validate() != nil) {
		s.send(eapolLogoff, nil)
	}
	s.stopTimers()
	s.setConfig(cfg)
	if err := cfg.Validate(); err != nil {
		s.enabled, s.authenticated = false, false
		s.publish(status.Dot1XFailed, err.Error())
		return
	}
	if !s.enabled {
		s.authenticated, s.reason = false, ""
		s.publish(status.Dot1XDisabled, "")
		return
	}
	if s.linkUp {
		s.connect()
	}
}

// shutdown logs off when the phone stops, so the switch closes the port at
// once instead of at the next re-authentication.
func (s *Supplicant) shutdown() {
	if s.enabled && s.linkUp && !s.oneShot {
		s.send(eapolLogoff, nil)
	}
}

// fixedPort is an always-up port for the one-shot API.
type fixedPort struct{ mac net.HardwareAddr }

func (p fixedPort) Role() hal.PortRole    { return hal.LAN }
func (p fixedPort) Interface() string     { return "" }
func (p fixedPort) MAC() net.HardwareAddr { return p.mac }
func (p fixedPort) Up() bool              { return true }
func (p fixedPort) WaitLink(ctx context.Context, last bool) (bool, error) {
	<-ctx.Done()
	return last, ctx.Err()
}
