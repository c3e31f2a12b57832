package ui

import (
	"fmt"
	"image"
	"strings"

	"deskphone/hal"
	"deskphone/status"
	"deskphone/ui/lcd"
)

// CallControl is what the call screens ask of the firmware's calls; each
// call is named by its status.Call ID. The UI calls it outside its lock.
type CallControl interface {
	Answer(id string) error
	Reject(id string) error
	Hangup(id string) error
	Hold(id string) error
	// Resume takes a held call back, holding the one in focus first.
	Resume(id string) error
	SendDigit(id string, d rune) error
	// Audio takes the hook switch, SPEAKER, HEADSET and MUTE: it answers a
	// ringing call, moves the audio or hangs up, as the phone's state asks.
	Audio(k hal.Key)
	// DialWith places a call with an MLPP precedence ("" for none).
	DialWith(number, precedence string)
	// Dismiss clears a refused call's reason from the screen.
	Dismiss()
}

// SetCallControl wires the call screens to the firmware's calls; until it
// is set a call is only shown.
func (u *UI) SetCallControl(cc CallControl) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls = cc
}

// callDo queues f for the call control, run once the UI's lock is released
// (it may publish status, which the UI waits on).
func (e *Env) callDo(f func(CallControl) error) {
	if e.ui == nil || e.ui.calls == nil {
		return
	}
	cc := e.ui.calls
	e.ui.todo = append(e.ui.todo, func() {
		if err := f(cc); err != nil {
			e.ui.log().Info("ui: call action", "err", err)
		}
	})
}

// audioKeys are the keys the call control routes.
var audioKeys = map[hal.Key]bool{hal.KeyHookOff: true, hal.KeyHookOn: true, hal.KeySpeaker: true, hal.KeyHeadset: true, hal.KeyMute: true}

// callScreen is shown over idle while there is a call (Phone.Call): the
// incoming call with Answer/Reject, the call with Hold/Resume, Info, Swap
// and End, or why a call was refused.
type callScreen struct{}

func (callScreen) Title(*Env) string { return "" }

func (callScreen) Softkeys(e *Env) []Softkey {
	c := e.Phone.Call
	id := c.ID
	end := Softkey{Label: "End", Do: func(e *Env) { e.callDo(func(cc CallControl) error { return cc.Hangup(id) }) }}
	switch c.State {
	case "incoming":
		return []Softkey{
			{Label: "Answer", Do: func(e *Env) { e.callDo(func(cc CallControl) error { return cc.Answer(id) }) }},
			{Label: "Reject", Do: func(e *Env) { e.callDo(func(cc CallControl) error { return cc.Reject(id) }) }},
			{}, {},
		}
	case "refused", "ended":
		return []Softkey{{Label: "OK", Do: func(e *Env) { e.callDo(func(cc CallControl) error { cc.Dismiss(); return nil }) }}, {}, {}, {}}
	case "established", "held":
		keys := []Softkey{
			{Label: "Hold", Do: func(e *Env) { e.callDo(func(cc CallControl) error { return cc.Hold(id) }) }},
			{Label: "Info", Do: func(e *Env) { e.Push(callInfoPage()) }},
			{}, end,
		}
		if c.Held {
			keys[0] = Softkey{Label: "Resume", Do: func(e *Env) { e.callDo(func(cc CallControl) error { return cc.Resume(id) }) }}
		}
		if other := otherCall(&e.Phone); other != nil {
			oid := other.ID
			keys[2] = Softkey{Label: "Swap", Do: func(e *Env) { e.callDo(func(cc CallControl) error { return cc.Resume(oid) }) }}
		}
		return keys
	}
	return []Softkey{{}, {}, {}, end}
}

// otherCall is a call besides the one in focus (held, or waiting).
func otherCall(p *status.Phone) *status.Call {
	for i := range p.Calls {
		if p.Call != nil && p.Calls[i].ID != p.Call.ID {
			return &p.Calls[i]
		}
	}
	return nil
}

func (callScreen) Key(k hal.Key, e *Env) bool {
	c := e.Phone.Call
	id := c.ID
	switch {
	case audioKeys[k]:
		e.callDo(func(cc CallControl) error { cc.Audio(k); return nil })
	case k == hal.KeyOK && c.State == "incoming":
		e.callDo(func(cc CallControl) error { return cc.Answer(id) })
	case k.Digit() && c.State == "established" && !c.Held:
		d := rune(k[0])
		e.callDo(func(cc CallControl) error { return cc.SendDigit(id, d) })
	case strings.HasPrefix(string(k), "LINE"):
		// A line key takes the call of that line into focus (holding the
		// one there): how a held call comes back.
		n := int(k[len(k)-1] - '0')
		for _, o := range e.Phone.Calls {
			if o.Line == n && o.ID != id {
				oid := o.ID
				e.callDo(func(cc CallControl) error { return cc.Resume(oid) })
				break
			}
		}
	default:
		return false
	}
	return true
}

func (callScreen) Draw(c *lcd.Canvas, body image.Rectangle, e *Env) { drawCall(c, body, e) }

// callInfoPage is the call's media facts: codec, SRTP, loss, jitter, RTT.
func callInfoPage() *InfoPage {
	return NewInfoPage("Call info", func(e *Env) []InfoRow {
		c := e.Phone.Call
		if c == nil {
			return []InfoRow{{"Call", "none"}}
		}
		srtp := c.SRTPSuite
		if srtp == "" {
			srtp = "none"
		}
		rows := []InfoRow{
			{"Codec", orNone(c.Codec, "none")},
			{"SRTP", srtp},
			{"Security", orNone(c.Security, "none")},
			{"Loss", fmt.Sprintf("%.1f%% (%d)", c.LossPercent, c.Lost)},
			{"Jitter", fmt.Sprintf("%.1f ms", c.JitterMs)},
			{"RTT", rttWords(c.RTTMs)},
			{"Packets", fmt.Sprintf("%d sent, %d received", c.PacketsSent, c.PacketsReceived)},
			{"Audio", orNone(c.Endpoint, "none")},
		}
		if c.Precedence != "" {
			rows = append(rows, InfoRow{"Precedence", c.Precedence})
		}
		return rows
	})
}

func rttWords(ms float64) string {
	if ms <= 0 {
		return "not measured"
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// precedenceWords is an MLPP level as the screens say it.
func precedenceWords(p string) string {
	if p == "" {
		return ""
	}
	return strings.ToUpper(p[:1]) + p[1:]
}
