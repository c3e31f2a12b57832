package main

import (
	"strings"
	"testing"
	"time"
)

// A cut of a real `wpa_supplicant -t -d` log from the lab: the first run,
// then one re-authentication.
const wpaLog = `1795426161.100000: EAPOL: txStart
1795426161.101000: EAP: EAP entering state IDENTITY
1795426161.112500: wlan0: CTRL-EVENT-EAP-SUCCESS EAP authentication completed successfully
1795426162.000000: EAPOL: txStart
1795426162.000100: EAPOL: txStart
1795426162.009100: lan0: CTRL-EVENT-EAP-SUCCESS EAP authentication completed successfully
1795426163.000000: EAPOL: txStart
`

func TestStartToSuccess(t *testing.T) {
	got := startToSuccess(wpaLog)
	// The retransmitted txStart does not restart the clock; the last
	// txStart has no success yet.
	want := []time.Duration{12500 * time.Microsecond, 9100 * time.Microsecond}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if d := got[i] - want[i]; d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("run %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func FuzzStartToSuccess(f *testing.F) {
	f.Add(wpaLog)
	f.Add("1.5: EAPOL: txStart\n1.0: CTRL-EVENT-EAP-SUCCESS\n")
	f.Fuzz(func(t *testing.T, log string) {
		// At most one run per success line and per txStart line.
		got := len(startToSuccess(log))
		if s, st := strings.Count(log, "CTRL-EVENT-EAP-SUCCESS"), strings.Count(log, "EAPOL: txStart"); got > s || got > st {
			t.Errorf("%d runs from %d successes and %d txStarts", got, s, st)
		}
	})
}
