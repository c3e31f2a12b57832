package main

import (
	"bufio"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"deskphone/lab"
)

// wpaTimes runs wpa_supplicant with method m, then makes it authenticate
// n more times from the authorized state (wpa_cli reauthenticate: an
// EAPOL-Start each), and returns the last n EAPOL-Start -> EAP-Success
// times from its debug timestamps.
func wpaTimes(l *lab.Lab, m lab.Method, n int) ([]time.Duration, error) {
	s, err := l.StartSupplicant("bench-"+string(m), m, l.PhoneLAN)
	if err != nil {
		return nil, err
	}
	defer s.Stop(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Result(ctx); err != nil {
		return nil, fmt.Errorf("wpa_supplicant %s: %w", m, err)
	}
	for i := range n {
		if _, err := s.CLI("reauthenticate"); err != nil {
			return nil, err
		}
		for s.Successes() < i+2 {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("wpa_supplicant %s: re-authentication %d: no success", m, i+1)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	ds := startToSuccess(s.Output())
	if len(ds) < n {
		return nil, fmt.Errorf("wpa_supplicant %s: %d timed runs in its log, want %d", m, len(ds), n)
	}
	return ds[len(ds)-n:], nil
}

var (
	reTxStart = regexp.MustCompile(`^(\d+\.\d+): EAPOL: txStart`)
	reSuccess = regexp.MustCompile(`^(\d+\.\d+): .*CTRL-EVENT-EAP-SUCCESS`)
)

// startToSuccess pairs each success in a `wpa_supplicant -t -d` log with
// the txStart before it (the first one after the previous success).
func startToSuccess(log string) []time.Duration {
	var out []time.Duration
	var start float64
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := reTxStart.FindStringSubmatch(line); m != nil && start == 0 {
			start, _ = strconv.ParseFloat(m[1], 64)
		} else if m := reSuccess.FindStringSubmatch(line); m != nil && start != 0 {
			end, _ := strconv.ParseFloat(m[1], 64)
			out = append(out, time.Duration((end-start)*float64(time.Second)))
			start = 0
		}
	}
	return out
}
