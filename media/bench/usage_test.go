package main

import (
	"bytes"
	"context"
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
