package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"deskphone/hal"
	"deskphone/media"
	"deskphone/provision/settings"
	"deskphone/sipcore"
	"deskphone/status"
	"deskphone/ui"
)

// callControl is the phone's calls as the user drives them: it takes the
// engine's call reports and the call screens' actions (it is the
// ui.CallControl), keeps one call in focus and the others held, moves the
// audio between handset, speaker and headset with the hook switch and the
// keys (never opening one the settings disable), plays the tones (ringing,
// ringback, call waiting, busy, reorder, the secure indication) and
// publishes status.Phone.Call and Calls.
type callControl struct {
	store *settings.Store
	hub   *status.Hub
	audio hal.Audio
	log   *slog.Logger

	mu        sync.Mutex
	eng       *sipcore.Engine        // while the SIP component runs
	calls     []*sipcore.Call        // the focus first
	announced map[*sipcore.Call]bool // the secure indication was played
	muted     map[*sipcore.Call]bool
	offHook   bool
	refused   *status.Call // a refused call's reason, until dismissed
	tone      *tonePlayer  // a tone outside a call's audio (ring, ringback, reorder)
	wake      chan struct{}
	wg        sync.WaitGroup
}

var _ ui.CallControl = (*callControl)(nil)

// refusedShown is how long a refused call's reason stays on the LCD (and
// its reorder tone plays), unless dismissed.
const refusedShown = 5 * time.Second

func newCallControl(store *settings.Store, hub *status.Hub, audio hal.Audio, log *slog.Logger) *callControl {
	if log == nil {
		log = slog.Default()
	}
	return &callControl{store: store, hub: hub, audio: audio, log: log,
		announced: map[*sipcore.Call]bool{}, muted: map[*sipcore.Call]bool{}, wake: make(chan struct{}, 1)}
}

// hook fills the call parts of the engine's hooks.
func (cc *callControl) hook(h *sipcore.Hooks) {
	h.Audio = cc.audio
	h.Endpoints = cc.enabled
	h.OnCall = cc.onCall
}

func (cc *callControl) setEngine(e *sipcore.Engine) {
	cc.mu.Lock()
	cc.eng = e
	cc.mu.Unlock()
}

// enabled are the endpoints the settings allow (security.handset,
// security.speakerphone, security.headset).
func (cc *callControl) enabled() []hal.Endpoint {
	var eps []hal.Endpoint
	for _, e := range []struct {
		ep      hal.Endpoint
		setting string
	}{{hal.Handset, "security.handset"}, {hal.Speaker, "security.speakerphone"}, {hal.Headset, "security.headset"}} {
		if cc.store == nil || cc.store.Bool(e.setting) {
			eps = append(eps, e.ep)
		}
	}
	return eps
}

func (cc *callControl) allowed(ep hal.Endpoint) bool { return slices.Contains(cc.enabled(), ep) }

// tones is the region's tone set (audio.tone_region).
func (cc *callControl) tones() media.ToneSet {
	region := "us"
	if cc.store != nil {
		region = cc.store.String("audio.tone_region")
	}
	t, err := media.Tones(region)
	if err != nil {
		t, _ = media.Tones("us")
	}
	return t
}

// indicationTone is the secure indication of a call at a security level:
// the secure tone (three long beeps) only for an encrypted call, TLS and
// SRTP end to the peer; the nonsecure tone (six short beeps) otherwise.
func indicationTone(level string) media.Tone {
	if level == sipcore.LevelEncrypted {
		return media.SecureTone
	}
	return media.NonsecureTone
}

// ringTone is the ringer: 1 s of 800+1000 Hz every 4 s, loud.
var ringTone = media.Tone{Name: "ring", Freqs: []float64{800, 1000}, Level: -10,
	Cadence: []time.Duration{time.Second, 3 * time.Second}}

// Run publishes the calls' media statistics every two seconds while a
// call is up, and clears a refused call's reason after refusedShown. It
// stops the tones when ctx ends.
func (cc *callControl) Run(ctx context.Context) error {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	defer func() {
		cc.stopTone()
		cc.wg.Wait()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-cc.wake:
		}
		cc.mu.Lock()
		if cc.refused != nil && time.Since(refusedSince(cc.refused)) > refusedShown {
			cc.refused = nil
			cc.stopToneLocked()
		}
		cc.mu.Unlock()
		cc.publish()
	}
}

// refusedAt notes when a refused call was shown (in its ID: it has no
// other use once refused).
func refusedSince(c *status.Call) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, strings.TrimPrefix(c.ID, "refused@"))
	return t
}

// publish writes the calls to the status: the focus as Call (or a refused
// call's reason), every call in Calls.
func (cc *callControl) publish() {
	if cc.hub == nil {
		return
	}
	cc.mu.Lock()
	var all []status.Call
	for _, c := range cc.calls {
		all = append(all, c.Status())
	}
	var focus *status.Call
	switch {
	case cc.refused != nil:
		r := *cc.refused
		focus = &r
	case len(all) > 0:
		f := all[0]
		focus = &f
	}
	cc.mu.Unlock()
	cc.hub.Update(func(p *status.Phone) { p.Call, p.Calls = focus, all })
}

func (cc *callControl) poke() {
	select {
	case cc.wake <- struct{}{}:
	default:
	}
}

// onCall follows the engine's calls.
func (cc *callControl) onCall(c *sipcore.Call, s sipcore.CallState) {
	cc.mu.Lock()
	switch s {
	case sipcore.CallIncoming:
		active := cc.activeLocked()
		cc.calls = append(cc.calls, c)
		if active != nil {
			// Call waiting: a tone in the call, the new call listed behind.
			t := cc.tones().CallWaiting
			t.Once = true
			active.PlayTone(&t)
		} else {
			cc.playToneLocked(cc.ringEndpoint(), ringTone)
		}
		cc.refused = nil
	case sipcore.CallDialing:
		if !slices.Contains(cc.calls, c) {
			cc.calls = append([]*sipcore.Call{c}, cc.calls...)
		}
		cc.refused = nil
	case sipcore.CallRinging:
		if c.Direction == sipcore.Outgoing && len(cc.calls) > 0 && cc.calls[0] == c {
			cc.playToneLocked(c.Endpoint(), cc.tones().Ringback)
		}
	case sipcore.CallEstablished:
		if cc.tone != nil && (len(cc.calls) == 0 || cc.calls[0] == c || c.Direction == sipcore.Incoming) {
			cc.stopToneLocked()
		}
		if !cc.announced[c] {
			cc.announced[c] = true
			if cc.store != nil && cc.store.Bool("security.secure_tone") {
				t := indicationTone(c.Level())
				c.PlayTone(&t)
			}
		}
	case sipcore.CallRefused:
		cc.removeLocked(c)
		cc.refuseLocked(c.Line, c.URI, string(c.Direction), c.Reason())
	case sipcore.CallEnded:
		wasFocus := len(cc.calls) > 0 && cc.calls[0] == c
		cc.removeLocked(c)
		if wasFocus || len(cc.calls) == 0 {
			cc.stopToneLocked()
		}
		if len(cc.calls) > 0 && cc.calls[0].State() == sipcore.CallIncoming && cc.activeLocked() == nil {
			cc.playToneLocked(cc.ringEndpoint(), ringTone)
		}
	}
	cc.mu.Unlock()
	cc.publish()
}

func (cc *callControl) removeLocked(c *sipcore.Call) {
	cc.calls = slices.DeleteFunc(cc.calls, func(o *sipcore.Call) bool { return o == c })
	delete(cc.announced, c)
	delete(cc.muted, c)
}

// refuseLocked shows why a call was refused and plays reorder.
func (cc *callControl) refuseLocked(line int, peer, dir, reason string) {
	cc.refused = &status.Call{ID: "refused@" + time.Now().Format(time.RFC3339Nano), Line: line, State: "refused",
		Direction: dir, Peer: peer, Reason: refusalWords(reason)}
	t := cc.tones().Reorder
	ep := hal.Handset
	if len(cc.calls) == 0 {
		if !cc.offHook {
			ep = cc.ringEndpoint()
		}
		cc.playToneLocked(ep, t)
	}
	cc.poke()
}

// refusalWords says a refusal the way the LCD has room for.
func refusalWords(reason string) string {
	r := strings.ToLower(reason)
	switch {
	case strings.Contains(r, "a=crypto") || strings.Contains(r, "srtp"):
		return "the call offered no encryption; the line requires SRTP"
	case strings.Contains(r, "not tls"):
		return "the line requires TLS signalling"
	}
	return reason
}

// activeLocked is the established call in focus that is not held, or nil.
func (cc *callControl) activeLocked() *sipcore.Call {
	for _, c := range cc.calls {
		if c.State() == sipcore.CallEstablished && !c.Held() {
			return c
		}
	}
	return nil
}

// ringEndpoint is where the ringer sounds: the loudspeaker, else the
// headset (the speakerphone may be disabled; a disabled one never opens).
func (cc *callControl) ringEndpoint() hal.Endpoint {
	for _, ep := range []hal.Endpoint{hal.Speaker, hal.Headset, hal.Handset} {
		if cc.allowed(ep) {
			return ep
		}
	}
	return ""
}

// userEndpoint is where the user listens now: the handset when it is off
// hook, else the speaker, else the headset.
func (cc *callControl) userEndpoint() hal.Endpoint {
	if cc.offHook && cc.allowed(hal.Handset) {
		return hal.Handset
	}
	for _, ep := range []hal.Endpoint{hal.Speaker, hal.Headset, hal.Handset} {
		if cc.allowed(ep) {
			return ep
		}
	}
	return ""
}

// find is the call with a status ID.
func (cc *callControl) find(id string) (*sipcore.Call, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, c := range cc.calls {
		if c.ID() == id {
			return c, nil
		}
	}
	return nil, fmt.Errorf("no call %q", id)
}

// focus moves c to the front, holding the call that was there.
func (cc *callControl) focus(ctx context.Context, c *sipcore.Call) error {
	cc.mu.Lock()
	active := cc.activeLocked()
	cc.mu.Unlock()
	if active != nil && active != c {
		if err := active.Hold(ctx); err != nil {
			return err
		}
	}
	cc.mu.Lock()
	if i := slices.Index(cc.calls, c); i > 0 {
		cc.calls = append([]*sipcore.Call{c}, slices.Delete(cc.calls, i, i+1)...)
	}
	cc.mu.Unlock()
	return nil
}

func actionCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 35*time.Second)
}

// Answer answers a ringing call where the user is (holding the active one).
func (cc *callControl) Answer(id string) error {
	c, err := cc.find(id)
	if err != nil {
		return err
	}
	ctx, cancel := actionCtx()
	defer cancel()
	cc.mu.Lock()
	ep := cc.userEndpoint()
	cc.stopToneLocked()
	cc.mu.Unlock()
	if err := cc.focus(ctx, c); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	if ep != "" {
		if err := c.SetEndpoint(ep); err != nil {
			return fmt.Errorf("answer: %w", err)
		}
	}
	defer cc.publish()
	return c.Answer()
}

// Reject refuses a ringing call: busy when another call is up, else
// declined.
func (cc *callControl) Reject(id string) error {
	c, err := cc.find(id)
	if err != nil {
		return err
	}
	code := 603
	cc.mu.Lock()
	if len(cc.calls) > 1 {
		code = 486
	}
	cc.mu.Unlock()
	return c.Reject(code)
}

// Hangup ends a call (BYE, CANCEL or decline, as its state asks).
func (cc *callControl) Hangup(id string) error {
	c, err := cc.find(id)
	if err != nil {
		return err
	}
	ctx, cancel := actionCtx()
	defer cancel()
	return c.Hangup(ctx)
}

// Hold puts a call on hold.
func (cc *callControl) Hold(id string) error {
	c, err := cc.find(id)
	if err != nil {
		return err
	}
	ctx, cancel := actionCtx()
	defer cancel()
	defer cc.publish()
	return c.Hold(ctx)
}

// Resume brings a held call into focus, holding the active one first;
// a ringing call is answered.
func (cc *callControl) Resume(id string) error {
	c, err := cc.find(id)
	if err != nil {
		return err
	}
	if c.State() == sipcore.CallIncoming {
		return cc.Answer(id)
	}
	ctx, cancel := actionCtx()
	defer cancel()
	defer cc.publish()
	if err := cc.focus(ctx, c); err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if c.Held() {
		if ep := cc.userEndpoint(); ep != "" {
			_ = c.SetEndpoint(ep)
		}
		return c.Resume(ctx)
	}
	return nil
}

// SendDigit sends a keypad digit as RFC 4733 telephone events.
func (cc *callControl) SendDigit(id string, d rune) error {
	c, err := cc.find(id)
	if err != nil {
		return err
	}
	return c.SendDigit(d)
}

// Dismiss clears a refused call's reason.
func (cc *callControl) Dismiss() {
	cc.mu.Lock()
	cc.refused = nil
	if len(cc.calls) == 0 {
		cc.stopToneLocked()
	}
	cc.mu.Unlock()
	cc.publish()
}

// DialWith places a call from the first registered line, holding the
// active call first; a failure shows its reason with the reorder (or
// busy) tone.
func (cc *callControl) DialWith(number, precedence string) {
	cc.mu.Lock()
	eng := cc.eng
	cc.stopToneLocked()
	cc.mu.Unlock()
	line := cc.dialLine()
	if eng == nil || line == 0 {
		cc.mu.Lock()
		cc.refuseLocked(line, number, "outgoing", "no registered line")
		cc.mu.Unlock()
		cc.publish()
		return
	}
	cc.wg.Add(1)
	go func() {
		defer cc.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if err := cc.focus(ctx, nil); err != nil {
			cc.log.Info("dial: hold the active call", "err", err)
		}
		_, err := eng.DialWith(ctx, line, number, sipcore.DialOptions{Precedence: sipcore.Precedence(precedence),
			OnCreated: func(c *sipcore.Call) {
				cc.mu.Lock()
				ep := cc.userEndpoint()
				cc.mu.Unlock()
				if ep != "" {
					_ = c.SetEndpoint(ep)
				}
			}})
		if err == nil || errors.Is(err, context.Canceled) {
			return
		}
		cc.log.Info("call failed", "line", line, "err", err)
		cc.mu.Lock()
		if strings.Contains(err.Error(), "busy") {
			cc.playToneLocked(cc.userEndpoint(), cc.tones().Busy)
			cc.refused = &status.Call{ID: "refused@" + time.Now().Format(time.RFC3339Nano), Line: line, State: "ended",
				Direction: "outgoing", Peer: number, Reason: "busy"}
			cc.poke()
		} else {
			cc.refuseLocked(line, number, "outgoing", err.Error())
		}
		cc.mu.Unlock()
		cc.publish()
	}()
}

// dialLine is the first registered line (0 when none is).
func (cc *callControl) dialLine() int {
	if cc.hub == nil {
		return 1
	}
	p, _ := cc.hub.Snapshot()
	for _, l := range p.Lines {
		if l.State == status.LineRegistered {
			return l.Index
		}
	}
	return 0
}

// Audio follows the hook switch and the SPEAKER, HEADSET and MUTE keys:
// going off hook (or pressing SPEAKER or HEADSET) answers a ringing call
// there; during a call they move its audio; on hook ends a handset call;
// SPEAKER or HEADSET again ends a call on that endpoint while on hook.
func (cc *callControl) Audio(k hal.Key) {
	cc.mu.Lock()
	switch k {
	case hal.KeyHookOff:
		cc.offHook = true
	case hal.KeyHookOn:
		cc.offHook = false
	}
	var focus *sipcore.Call
	if len(cc.calls) > 0 {
		focus = cc.calls[0]
	}
	offHook := cc.offHook
	cc.mu.Unlock()

	want := map[hal.Key]hal.Endpoint{hal.KeyHookOff: hal.Handset, hal.KeySpeaker: hal.Speaker, hal.KeyHeadset: hal.Headset}[k]
	switch {
	case k == hal.KeyMute:
		if focus != nil {
			focus.SetMute(!cc.toggleMute(focus))
		}
		return
	case focus == nil:
		cc.idleAudio(k)
		return
	case want != "" && !cc.allowed(want):
		cc.log.Info("audio endpoint disabled by the settings", "endpoint", want)
		return
	}
	ctx, cancel := actionCtx()
	defer cancel()
	switch st := focus.State(); {
	case st == sipcore.CallIncoming && want != "":
		cc.mu.Lock()
		cc.stopToneLocked()
		cc.mu.Unlock()
		if err := focus.SetEndpoint(want); err == nil {
			if err := focus.Answer(); err != nil {
				cc.log.Info("answer", "err", err)
			}
		}
	case k == hal.KeyHookOn && focus.Endpoint() == hal.Handset:
		_ = focus.Hangup(ctx)
	case want != "" && focus.Endpoint() == want && k != hal.KeyHookOff:
		// SPEAKER on a speaker call: back to the handset if it is up,
		// else the call ends.
		if offHook && cc.allowed(hal.Handset) {
			_ = focus.SetEndpoint(hal.Handset)
		} else {
			_ = focus.Hangup(ctx)
		}
	case want != "":
		if err := focus.SetEndpoint(want); err != nil {
			cc.log.Info("audio endpoint", "err", err)
		}
	}
	cc.publish()
}

// toggleMute flips a call's mute and returns the state before.
func (cc *callControl) toggleMute(c *sipcore.Call) bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	m := cc.muted[c]
	cc.muted[c] = !m
	return m
}

// idleAudio plays the dial tone while the handset is off hook (or the
// speaker is pressed) with no call, and stops it on hook.
func (cc *callControl) idleAudio(k hal.Key) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	switch k {
	case hal.KeyHookOff:
		if cc.allowed(hal.Handset) {
			cc.playToneLocked(hal.Handset, cc.tones().Dial)
		}
	case hal.KeyHookOn:
		cc.stopToneLocked()
	}
}

func (cc *callControl) stopTone() {
	cc.mu.Lock()
	cc.stopToneLocked()
	cc.mu.Unlock()
}

// tonePlayer is a tone on an endpoint outside any call's audio path.
type tonePlayer struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// playToneLocked plays t on ep (replacing any tone); an endpoint the
// settings disable is never opened.
func (cc *callControl) playToneLocked(ep hal.Endpoint, t media.Tone) {
	cc.stopToneLocked()
	if cc.audio == nil || ep == "" || !cc.allowed(ep) {
		return
	}
	codec, err := media.NewCodec("PCMU", 0)
	if err != nil {
		return
	}
	p, err := media.NewAudioPath(media.AudioPathConfig{Audio: cc.audio, Enabled: cc.enabled(), Endpoint: ep,
		Codec: codec, Log: cc.log})
	if err != nil {
		cc.log.Info("tone", "err", err)
		return
	}
	p.PlayTone(&t)
	ctx, cancel := context.WithCancel(context.Background())
	tp := &tonePlayer{cancel: cancel, done: make(chan struct{})}
	cc.tone = tp
	go func() {
		defer close(tp.done)
		if err := p.Run(ctx); err != nil {
			cc.log.Info("tone", "err", err)
		}
	}()
}

func (cc *callControl) stopToneLocked() {
	if cc.tone == nil {
		return
	}
	cc.tone.cancel()
	<-cc.tone.done
	cc.tone = nil
}
