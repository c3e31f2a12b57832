package main

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A real line of a process whose name holds a space and a parenthesis.
	line := []byte("4242 (fw (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 731 269 0 0 20 0 9 0 100 800000 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
	got, err := parseStat(line)
	if err != nil || got != 1000*clockTick {
		t.Fatalf("parseStat = %v, %v; want %v", got, err, 1000*clockTick)
	}
	for _, bad := range []string{"", "1 (x S 1", "1 (x) S 1 2 3", "1 (x) S 1 2 3 4 5 6 7 8 9 10 -5 7", "1 (x) S 1 2 3 4 5 6 7 8 9 10 99999999999999999 0"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) accepted", bad)
		}
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("1 (init) S 0 1 1 0 -1 4194560 100 0 0 0 5 7 0 0 20 0 1 0 1 1000 100\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseStat(b)
		if err == nil && d < 0 {
			t.Fatalf("negative CPU time %v", d)
		}
	})
}

func TestTurnaround(t *testing.T) {
	echoes, err := measureTurnaround(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range echoes {
		t.Logf("turnaround %v, jitter buffer depth %v", e.Delay, e.Depth)
		// Causality, not timing: the echo cannot beat the buffer's delay.
		if e.Delay < e.Depth || e.Depth < 20*time.Millisecond {
			t.Errorf("turnaround %v with a buffer %v deep", e.Delay, e.Depth)
		}
	}
}

func TestParseSwitches(t *testing.T) {
	status := []byte("Name:\tfirmware\nThreads:\t7\nvoluntary_ctxt_switches:\t1500\nnonvoluntary_ctxt_switches:\t42\n")
	if got := parseSwitches(status); got != 1542 {
		t.Fatalf("parseSwitches = %d, want 1542", got)
	}
	if got := parseSwitches([]byte("voluntary_ctxt_switches:\tmany\n")); got != 0 {
		t.Fatalf("parseSwitches of a bad count = %d, want 0", got)
	}
}

func FuzzParseSwitches(f *testing.F) {
	f.Add([]byte("voluntary_ctxt_switches:\t1500\nnonvoluntary_ctxt_switches:\t42\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n := parseSwitches(b); n < 0 && !bytes.Contains(b, []byte("-")) {
			t.Fatalf("negative count %d from %q", n, b)
		}
	})
}

// TestCombine: CPU rows come from the median call, memory rows from the
// call with the most, whichever calls those are.
func TestCombine(t *testing.T) {
	call := func(cpu time.Duration, rss, anon, remoteRSS int) callResult {
		return callResult{caller: usage{PerMinute: cpu, RSSMax: rss, Anon: anon, File: rss - anon, HWM: rss},
			remote: usage{RSSMax: remoteRSS}}
	}
	got := combine([]callResult{call(900*time.Millisecond, 100, 10, 7), call(300*time.Millisecond, 300, 30, 5), call(600*time.Millisecond, 200, 20, 9)})
	if got.caller.PerMinute != 600*time.Millisecond || got.caller.RSSMax != 300 || got.caller.Anon != 30 || got.caller.File != 270 ||
		got.caller.HWM != 300 || got.remote.RSSMax != 9 {
		t.Errorf("combine = %+v", got)
	}
	if want := []time.Duration{900 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond}; !slices.Equal(got.each, want) {
		t.Errorf("each = %v, want %v", got.each, want)
	}
}
