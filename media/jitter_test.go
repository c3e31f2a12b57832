package media

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

type arrival struct {
	at time.Duration
	ts uint32
}

// simulate sends n frames every 20 ms with the given extra delays (negative =
// lost) and plays out on a fake 20 ms clock with a phase offset. It returns
// the buffer and what each tick did.
func simulate(t *testing.T, n int, delay func(i int) time.Duration, phase time.Duration) (*JitterBuffer, []Playout, []time.Duration) {
	t.Helper()
	jb := NewJitterBuffer(JitterConfig{})
	var arr []arrival
	ts0 := uint32(0xffffff00) // wraps during the run
	for i := range n {
		d := delay(i)
		if d < 0 {
			continue
		}
		arr = append(arr, arrival{time.Duration(i)*20*time.Millisecond + 10*time.Millisecond + d, ts0 + uint32(160*i)})
	}
	sort.SliceStable(arr, func(a, b int) bool { return arr[a].at < arr[b].at })
	base := time.Unix(1_700_000_000, 0)
	var plays []Playout
	var depths []time.Duration
	k := 0
	for tick := phase; tick < time.Duration(n+10)*20*time.Millisecond; tick += 20 * time.Millisecond {
		for k < len(arr) && arr[k].at <= tick {
			jb.Push(Frame{Timestamp: arr[k].ts}, base.Add(arr[k].at))
			k++
		}
		if k == len(arr) && jb.Stats().Buffered == 0 {
			break // the stream has ended and everything was played
		}
		p := jb.Pop(base.Add(tick))
		plays = append(plays, p)
		if p.Kind != PlayIdle {
			depths = append(depths, jb.Depth())
		}
	}
	return jb, plays, depths
}

// checkPlayout asserts no frame is played twice or out of order, and the
// depth stays within bounds.
func checkPlayout(t *testing.T, name string, plays []Playout, depths []time.Duration) (played map[uint32]bool) {
	t.Helper()
	played = map[uint32]bool{}
	var last uint32
	have := false
	for _, p := range plays {
		if p.Kind != PlayFrame {
			continue
		}
		ts := p.Frame.Timestamp
		if played[ts] {
			t.Fatalf("%s: frame %d played twice", name, ts)
		}
		if have && int32(ts-last) <= 0 {
			t.Fatalf("%s: frame %d after %d", name, ts, last)
		}
		played[ts], last, have = true, ts, true
	}
	for i, d := range depths {
		if d < 20*time.Millisecond || d > 80*time.Millisecond {
			t.Fatalf("%s: depth %v at tick %d out of [20ms, 80ms]", name, d, i)
		}
	}
	return played
}

func TestJitterInOrder(t *testing.T) {
	jb, plays, depths := simulate(t, 500, func(int) time.Duration { return 0 }, 3*time.Millisecond)
	played := checkPlayout(t, "in order", plays, depths)
	s := jb.Stats()
	if len(played) < 495 || s.Lost != 0 || s.Late != 0 {
		t.Fatalf("played %d, stats %+v", len(played), s)
	}
}

func TestJitterReordered(t *testing.T) {
	// Every pair swapped: frame 2k arrives 25 ms late, after 2k+1.
	jb, plays, depths := simulate(t, 500, func(i int) time.Duration {
		if i%2 == 0 {
			return 25 * time.Millisecond
		}
		return 0
	}, 7*time.Millisecond)
	played := checkPlayout(t, "reordered", plays, depths)
	s := jb.Stats()
	if len(played) < 490 || s.Lost > 2 || s.Late > 2 {
		t.Fatalf("played %d, stats %+v", len(played), s)
	}
}

func TestJitterLossConcealed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lost := map[int]bool{}
	for i := 20; i < 480; i++ {
		if rng.Float64() < 0.05 {
			lost[i] = true
		}
	}
	jb, plays, depths := simulate(t, 500, func(i int) time.Duration {
		if lost[i] {
			return -1
		}
		return 0
	}, 11*time.Millisecond)
	checkPlayout(t, "5% loss", plays, depths)
	s := jb.Stats()
	if int(s.Lost) != len(lost) {
		t.Fatalf("concealed %d, dropped %d (stats %+v)", s.Lost, len(lost), s)
	}
	conceal := 0
	for _, p := range plays {
		if p.Kind == PlayConceal {
			conceal++
		}
	}
	if conceal != len(lost) {
		t.Fatalf("%d conceal ticks for %d lost frames", conceal, len(lost))
	}
}

func TestJitterRandomDelay(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	jb, plays, depths := simulate(t, 3000, func(int) time.Duration {
		return time.Duration(rng.Float64() * float64(40*time.Millisecond))
	}, 5*time.Millisecond)
	played := checkPlayout(t, "random delay", plays, depths)
	s := jb.Stats()
	t.Logf("stats %+v, played %d", s, len(played))
	// RFC 3550 J of a uniform 0-40 ms delay is about 13 ms: the target 4J ~ 53 ms.
	if s.Jitter < 8*time.Millisecond || s.Jitter > 20*time.Millisecond {
		t.Errorf("jitter estimate %v", s.Jitter)
	}
	if s.Target < 40*time.Millisecond || s.Target > 70*time.Millisecond {
		t.Errorf("target %v", s.Target)
	}
	// Every frame is accounted for: played, concealed (late or lost), or skipped to shrink.
	if got := int(s.Played + s.Lost + s.Skipped); got != 3000 {
		t.Errorf("played+lost+skipped = %d of 3000", got)
	}
	if s.Lost > 3000/100 {
		t.Errorf("%d frames concealed: the buffer is not deep enough", s.Lost)
	}
}

func TestJitterDuplicatesAndReset(t *testing.T) {
	jb := NewJitterBuffer(JitterConfig{})
	t0 := time.Unix(100, 0)
	jb.Push(Frame{Timestamp: 1000}, t0)
	jb.Push(Frame{Timestamp: 1000}, t0)
	if s := jb.Stats(); s.Duplicates != 1 || s.Buffered != 1 {
		t.Fatalf("%+v", s)
	}
	if p := jb.Pop(t0); p.Kind != PlayIdle {
		t.Fatalf("played before reaching the start depth: %v", p.Kind)
	}
	if p := jb.Pop(t0.Add(40 * time.Millisecond)); p.Kind != PlayFrame || p.Frame.Timestamp != 1000 {
		t.Fatalf("%+v", p)
	}
	jb.Push(Frame{Timestamp: 1000}, t0.Add(41*time.Millisecond))
	if s := jb.Stats(); s.Late != 1 {
		t.Fatalf("replayed old frame not counted late: %+v", s)
	}
	// A timestamp jump of 10 s restarts the buffer.
	jb.Push(Frame{Timestamp: 1000 + 80000}, t0.Add(60*time.Millisecond))
	if s := jb.Stats(); s.Resets != 1 || s.Buffered != 1 {
		t.Fatalf("%+v", s)
	}
}

func TestJitterDepthAdapts(t *testing.T) {
	// 20 s calm, 20 s of 0-60 ms jitter, 60 s calm: the target rises with
	// the jitter at once and falls back slowly afterwards.
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 5000
	var targets []time.Duration
	jb := NewJitterBuffer(JitterConfig{})
	base := time.Unix(1_700_000_000, 0)
	type pkt struct {
		at time.Duration
		ts uint32
	}
	var arr []pkt
	for i := range n {
		var d time.Duration
		if i >= 1000 && i < 2000 {
			d = time.Duration(rng.Float64() * float64(60*time.Millisecond))
		}
		arr = append(arr, pkt{time.Duration(i)*20*time.Millisecond + d, uint32(160 * i)})
	}
	sort.SliceStable(arr, func(a, b int) bool { return arr[a].at < arr[b].at })
	k := 0
	for tick := 7 * time.Millisecond; k < len(arr); tick += 20 * time.Millisecond {
		for k < len(arr) && arr[k].at <= tick {
			jb.Push(Frame{Timestamp: arr[k].ts}, base.Add(arr[k].at))
			k++
		}
		jb.Pop(base.Add(tick))
		targets = append(targets, jb.Stats().Target)
	}
	calm, storm, after, late := targets[900], targets[1900], targets[2100], targets[len(targets)-10]
	t.Logf("target calm %v, jitter %v, just after %v, 60 s later %v", calm, storm, after, late)
	if calm > 25*time.Millisecond || storm < 60*time.Millisecond || after < 50*time.Millisecond || late > 30*time.Millisecond {
		t.Fatalf("target calm %v storm %v after %v late %v", calm, storm, after, late)
	}
	if d := jb.Depth(); d < 20*time.Millisecond || d > 40*time.Millisecond {
		t.Fatalf("depth after calm %v", d)
	}
}

func TestJitterPauseIsNotLoss(t *testing.T) {
	// The peer stops sending for a second (hold, say) and comes back: the
	// buffer conceals 60 ms, then plays silence without counting it lost,
	// and primes again for the resumed stream.
	jb, plays, depths := simulate(t, 300, func(i int) time.Duration {
		if i >= 100 && i < 150 {
			return -1
		}
		return 0
	}, 7*time.Millisecond)
	played := checkPlayout(t, "pause", plays, depths)
	s := jb.Stats()
	if s.Lost != 3 || s.Concealed != 60*time.Millisecond {
		t.Errorf("pause counted %d lost, %v concealed; want 3 and 60 ms (%+v)", s.Lost, s.Concealed, s)
	}
	for i := 150; i < 300; i++ {
		if !played[uint32(0xffffff00)+uint32(160*i)] {
			t.Fatalf("frame %d after the pause not played", i)
		}
	}
	idle := 0
	for _, p := range plays[100:] {
		if p.Kind == PlayIdle {
			idle++
		}
	}
	if idle < 40 {
		t.Errorf("only %d idle ticks during a 1 s pause", idle)
	}
}

// steadyRun plays n frames of a calm stream whose first few packets came
// late by slow, on a 20 ms clock at phase; before each tick, quiet(i) is
// what the path reports about the frame it played last.
func steadyRun(n int, slow, phase time.Duration, quiet func(tick int) bool) (*JitterBuffer, []int) {
	jb := NewJitterBuffer(JitterConfig{})
	base := time.Unix(1_700_000_000, 0)
	var skips []int // ticks at which a frame was skipped
	k := 0
	for i := 0; k < n; i++ {
		tick := time.Duration(i)*20*time.Millisecond + phase
		for k < n {
			at := time.Duration(k) * 20 * time.Millisecond
			if k < 20 {
				at += slow
			}
			if at > tick {
				break
			}
			jb.Push(Frame{Timestamp: uint32(160 * k)}, base.Add(at))
			k++
		}
		jb.SetQuiet(quiet(i))
		before := jb.Stats().Skipped
		jb.Pop(base.Add(tick))
		if jb.Stats().Skipped != before {
			skips = append(skips, i)
		}
	}
	return jb, skips
}

func TestJitterSteadyStart(t *testing.T) {
	// A calm stream whose first packets were a little slower than the rest
	// (the far end starting up): whatever the phase of the playout clock,
	// the delay stays where it started for the first 5 s while the target
	// falls from the start depth, even with every frame quiet.
	for phase := time.Duration(0); phase < 20*time.Millisecond; phase += time.Millisecond {
		jb, skips := steadyRun(250, 3*time.Millisecond, phase, func(int) bool { return true })
		if s := jb.Stats(); len(skips) != 0 || s.Stretched != 0 || s.Lost != 0 {
			t.Errorf("phase %v: skipped at ticks %v, %d stretched, %d lost", phase, skips, s.Stretched, s.Lost)
		}
	}
}

func TestJitterShrinksInQuiet(t *testing.T) {
	// The first 20 packets came 30 ms late: once the fast ones arrive the
	// buffer is a frame and more above its band. It drops a frame at the
	// first quiet tick, and without one after shrinkWait ticks.
	const firstQuiet = 80
	jb, skips := steadyRun(400, 30*time.Millisecond, 5*time.Millisecond, func(i int) bool { return i >= firstQuiet })
	if len(skips) != 1 || skips[0] != firstQuiet {
		t.Errorf("skipped at ticks %v, want only at the first quiet one, %d", skips, firstQuiet)
	}
	if d := jb.Depth(); d > jb.Stats().Target+20*time.Millisecond {
		t.Errorf("depth %v over target %v after the skip", d, jb.Stats().Target)
	}
	_, loud := steadyRun(400, 30*time.Millisecond, 5*time.Millisecond, func(int) bool { return false })
	if len(loud) != 1 || loud[0] < 20+shrinkWait-1 || loud[0] > 22+shrinkWait {
		t.Errorf("with no quiet frame, skipped at ticks %v; want one after %d ticks above the band", loud, shrinkWait)
	}
}
