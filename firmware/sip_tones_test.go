package main

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/media"
	"deskphone/status"
)

// waitRecorded waits until ep has played at least n samples.
func waitRecorded(t *testing.T, a *sim.Audio, ep hal.Endpoint, n int) []int16 {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if rec := a.Recorded(ep); len(rec) >= n {
			return rec
		} else if time.Now().After(deadline) {
			t.Fatalf("%s played %d samples, want %d", ep, len(rec), n)
		}
	}
}

// TestCallProgressTones: off hook the handset gives dial tone (350+440 Hz);
// a dialled call that rings gives ringback (440+480) and, refused busy,
// busy tone (480+620, 0.5 s on, 0.5 s off). North American tones, the
// default region.
func TestCallProgressTones(t *testing.T) {
	p := startPBX(t)
	ph := startCallPhone(t, p, nil)
	p.answerInvites(func(req *sip.Request, tx sip.ServerTransaction) {
		ring := sip.NewResponseFromRequest(req, 180, "Ringing", nil)
		ring.To().Params.Add("tag", "pbx1")
		_ = tx.Respond(ring)
		time.Sleep(time.Second)
		busy := sip.NewResponseFromRequest(req, 486, "Busy Here", nil)
		busy.To().Params.Add("tag", "pbx1")
		_ = tx.Respond(busy)
	})
	ph.cc.Audio(hal.KeyHookOff)
	dial := waitRecorded(t, ph.audio, hal.Handset, 8000/2)
	if heard(dial, 350, 440) != len(dial)/200 || heard(dial, 480) != 0 {
		t.Errorf("off hook: %d of %d windows with 350+440 Hz, %d with 480 Hz; want dial tone throughout",
			heard(dial, 350, 440), len(dial)/200, heard(dial, 480))
	}
	start := len(ph.audio.Recorded(hal.Handset))
	ph.cc.DialWith("2002", "")
	waitCall(t, ph.hub, func(c *status.Call) bool { return c.Reason == "busy" })
	rec := waitRecorded(t, ph.audio, hal.Handset, start+8000*3/2)[start:]
	// In 25 ms windows: ringback is 440+480 without 620, busy 480+620
	// without 440.
	has := func(f float64) []bool { return present(rec, 8000, f, window) }
	h440, h480, h620 := has(440), has(480), has(620)
	ringback, busy := -1, -1
	for w := range h480 {
		if ringback < 0 && h440[w] && h480[w] && !h620[w] {
			ringback = w
		}
		if busy < 0 && h480[w] && h620[w] && !h440[w] {
			busy = w
		}
	}
	if ringback < 0 || busy < 0 || ringback >= busy {
		t.Fatalf("after dialling: ringback from window %d, busy from window %d (25 ms each); want ringback, then busy", ringback, busy)
	}
	if d := time.Duration(busy-ringback) * window; d < 800*time.Millisecond {
		t.Errorf("ringback lasted %v while the far end rang 1 s", d)
	}
	// Busy's cadence: two bursts in the next 1.4 s.
	from := busy * 200
	rec = waitRecorded(t, ph.audio, hal.Handset, start+from+8000*3/2)[start:]
	if n := beeps(rec[from:from+8000*14/10], 8000, 620); n != 2 {
		t.Errorf("%d bursts of busy tone in 1.4 s, want 2 (0.5 s on, 0.5 s off)", n)
	}
}

// window tells the tones' frequencies apart (40 Hz bins at 8 kHz).
const window = 25 * time.Millisecond

// heard counts the 25 ms windows of pcm in which every one of freqs is.
func heard(pcm []int16, freqs ...float64) int {
	var sets [][]bool
	for _, f := range freqs {
		sets = append(sets, present(pcm, 8000, f, window))
	}
	n := 0
	for w := range sets[0] {
		all := true
		for _, s := range sets {
			all = all && s[w]
		}
		if all {
			n++
		}
	}
	return n
}

// TestCallWaitingTone: a second call arriving during a call is announced
// by one 300 ms burst of 440 Hz in the call's audio, not by the ringer.
func TestCallWaitingTone(t *testing.T) {
	p := startPBX(t)
	ph := startCallPhone(t, p, nil)
	_, tx := p.invite(ph.ctx, ph.port, media.SRTPOff)
	waitCall(t, ph.hub, func(c *status.Call) bool { return c.State == "incoming" })
	ph.cc.Audio(hal.KeyHookOff)
	if code := finalCode(t, tx); code != 200 {
		t.Fatalf("answer: %d", code)
	}
	waitCall(t, ph.hub, func(c *status.Call) bool { return c.State == "established" })
	ringers := ph.audio.Opened(hal.Speaker)
	start := len(waitRecorded(t, ph.audio, hal.Handset, 8000/2))
	p.invite(ph.ctx, ph.port, media.SRTPOff)
	waitPhone(t, ph.hub, "two calls", func(s status.Phone) bool { return len(s.Calls) == 2 })
	rec := waitRecorded(t, ph.audio, hal.Handset, start+8000)[start:]
	if n := beeps(rec, 8000, 440); n != 1 {
		t.Errorf("%d bursts of 440 Hz in the call in the second after the waiting call came, want 1", n)
	}
	if on := time.Duration(heard(rec, 440)) * window; on < 250*time.Millisecond || on > 350*time.Millisecond {
		t.Errorf("the call-waiting tone lasted %v, want 300 ms", on)
	}
	if ph.audio.Opened(hal.Speaker) != ringers {
		t.Error("the ringer sounded for a waiting call")
	}
}
