package media

import (
	"math"
	"sync"
	"time"
)

// JitterConfig bounds an adaptive jitter buffer.
type JitterConfig struct {
	ClockRate  int           // RTP clock, 8000
	FrameTicks int           // timestamp step of one frame, 160
	MinDepth   time.Duration // 20 ms
	MaxDepth   time.Duration // 80 ms
	StartDepth time.Duration // depth before jitter is measured, 40 ms
}

// Frame is one buffered media frame, still encoded.
type Frame struct {
	Timestamp uint32
	Seq       uint16
	Payload   []byte
}

// PlayoutKind says what the playout tick must play.
type PlayoutKind int

const (
	PlayIdle    PlayoutKind = iota // nothing yet: play silence
	PlayFrame                      // decode Frame
	PlayConceal                    // the frame is missing: conceal
	PlayStretch                    // the buffer is growing: conceal one extra frame without consuming
)

func (k PlayoutKind) String() string {
	return [...]string{"idle", "frame", "conceal", "stretch"}[k]
}

// Playout is one tick's decision.
type Playout struct {
	Kind  PlayoutKind
	Frame Frame
}

// JitterStats is a snapshot of the buffer.
type JitterStats struct {
	Depth, Target, Jitter time.Duration
	Played, Lost, Late    uint64 // Lost = frames concealed at their playout time
	Duplicates, Skipped   uint64
	Stretched, Resets     uint64
	Buffered              int
	Concealed             time.Duration // Lost and Stretched frames: played by concealment
}

// pauseAfter is how long frames may be missing with nothing buffered before
// the stream counts as paused rather than lost: concealment is silent by then.
const pauseAfter = 60 * time.Millisecond

// shrinkWait is how many ticks (2 s) a buffer above its band waits for a
// quiet frame before it drops one anyway.
const shrinkWait = 100

const transitWindow = 100 // packets (2 s) over which the fastest transit is the reference

// JitterBuffer reorders frames and plays them out on a clock driven by their
// RTP timestamps. Its depth is the playout delay over the fastest transit
// seen recently; it tracks a target of four times the RFC 3550 interarrival
// jitter, bounded by MinDepth and MaxDepth, by skipping or stretching one
// frame at a time; a skip waits for a quiet frame (SetQuiet) for up to 2 s.
// Push and Pop may be called from different goroutines.
type JitterBuffer struct {
	cfg                     JitterConfig
	frame, minD, maxD, rate int64 // in timestamp ticks

	mu       sync.Mutex
	frames   map[int64]Frame
	haveTS   bool
	lastExt  int64
	started  bool
	next     int64
	transits [transitWindow]int64
	nTransit int
	base     int64
	lastTr   int64
	haveTr   bool
	jitter   float64 // ticks
	tgt      float64 // smoothed target depth, ticks
	depth    int64
	missing  int64 // ticks of consecutive missing frames
	over     int   // consecutive ticks above the band
	quiet    bool  // the last frame played was quiet (SetQuiet)
	st       JitterStats
	// Payload buffers are reused, so a packet costs no allocation: free
	// holds spare ones, lent the one the last Pop returned (valid until the
	// next Pop).
	free [][]byte
	lent []byte
}

// NewJitterBuffer makes a buffer; zero fields take the defaults above.
func NewJitterBuffer(cfg JitterConfig) *JitterBuffer {
	if cfg.ClockRate == 0 {
		cfg.ClockRate = 8000
	}
	if cfg.FrameTicks == 0 {
		cfg.FrameTicks = cfg.ClockRate * FrameDurationMs / 1000
	}
	if cfg.MinDepth == 0 {
		cfg.MinDepth = 20 * time.Millisecond
	}
	if cfg.MaxDepth == 0 {
		cfg.MaxDepth = 80 * time.Millisecond
	}
	if cfg.MaxDepth < cfg.MinDepth+2*time.Duration(cfg.FrameTicks)*time.Second/time.Duration(cfg.ClockRate) {
		cfg.MaxDepth = cfg.MinDepth + 2*time.Duration(cfg.FrameTicks)*time.Second/time.Duration(cfg.ClockRate)
	}
	if cfg.StartDepth == 0 {
		cfg.StartDepth = 40 * time.Millisecond
	}
	cfg.StartDepth = min(max(cfg.StartDepth, cfg.MinDepth), cfg.MaxDepth)
	j := &JitterBuffer{cfg: cfg, frames: map[int64]Frame{}, rate: int64(cfg.ClockRate), frame: int64(cfg.FrameTicks)}
	j.minD = j.ticks(cfg.MinDepth)
	j.maxD = j.ticks(cfg.MaxDepth)
	return j
}

func (j *JitterBuffer) ticks(d time.Duration) int64 { return int64(d) * j.rate / int64(time.Second) }
func (j *JitterBuffer) dur(t int64) time.Duration {
	return time.Duration(t * int64(time.Second) / j.rate)
}
func (j *JitterBuffer) clock(t time.Time) int64 { return t.UnixNano() / 1000 * j.rate / 1e6 }

// extend unwraps a 32-bit timestamp around the last one seen.
func (j *JitterBuffer) extend(ts uint32) int64 {
	if !j.haveTS {
		j.haveTS, j.lastExt = true, int64(ts)
		return j.lastExt
	}
	e := j.lastExt + int64(int32(ts-uint32(j.lastExt)))
	if e > j.lastExt {
		j.lastExt = e
	}
	return e
}

// maxFree bounds the spare payload buffers (the buffer holds at most
// MaxDepth plus a burst).
const maxFree = 16

func (j *JitterBuffer) recycle(b []byte) {
	if b != nil && len(j.free) < maxFree {
		j.free = append(j.free, b[:0])
	}
}

// drop removes the frame at ext, keeping its buffer.
func (j *JitterBuffer) drop(ext int64) {
	if f, ok := j.frames[ext]; ok {
		j.recycle(f.Payload)
		delete(j.frames, ext)
	}
}

func (j *JitterBuffer) reset() {
	for _, f := range j.frames {
		j.recycle(f.Payload)
	}
	clear(j.frames)
	j.haveTS, j.started, j.nTransit, j.haveTr, j.jitter = false, false, 0, false, 0
	j.over = 0
	j.st.Resets++
}

// Push adds a received frame that arrived at arrival.
func (j *JitterBuffer) Push(f Frame, arrival time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	ext := j.extend(f.Timestamp)
	// A jump of more than 2 s either way is a new stream (restart, long hold).
	if j.started && (ext-j.next > 2*j.rate || j.next-ext > 2*j.rate) {
		j.reset()
		ext = j.extend(f.Timestamp)
	}
	if j.started && ext < j.next {
		j.st.Late++
		return
	}
	if _, dup := j.frames[ext]; dup {
		j.st.Duplicates++
		return
	}
	var buf []byte
	if n := len(j.free); n > 0 {
		buf, j.free = j.free[n-1], j.free[:n-1]
	}
	f.Payload = append(buf, f.Payload...)
	j.frames[ext] = f
	tr := j.clock(arrival) - ext
	if j.haveTr {
		j.jitter += (math.Abs(float64(tr-j.lastTr)) - j.jitter) / 16
	}
	j.lastTr, j.haveTr = tr, true
	j.transits[j.nTransit%transitWindow] = tr
	j.nTransit++
	j.base = tr
	for i := range min(j.nTransit, transitWindow) {
		j.base = min(j.base, j.transits[i])
	}
}

// target follows four times the jitter estimate: up at once when jitter
// grows, down slowly (10 s time constant) so one quiet spell does not make
// the next burst late.
func (j *JitterBuffer) target() int64 {
	if !j.haveTr || j.nTransit < 10 {
		j.tgt = float64(j.ticks(j.cfg.StartDepth))
		return int64(j.tgt)
	}
	want := float64(min(max(int64(4*j.jitter), j.minD), j.maxD))
	if want > j.tgt {
		j.tgt = want
	} else {
		j.tgt -= (j.tgt - want) / 500
	}
	return int64(j.tgt)
}

// Pop is called once per frame interval by the playout clock. A returned
// frame's payload is valid until the next Pop.
func (j *JitterBuffer) Pop(now time.Time) Playout {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recycle(j.lent)
	j.lent = nil
	nowT := j.clock(now)
	tgt := j.target()
	j.st.Target = j.dur(tgt)
	if !j.started {
		if len(j.frames) == 0 {
			return Playout{Kind: PlayIdle}
		}
		first := int64(math.MaxInt64)
		for e := range j.frames {
			first = min(first, e)
		}
		// Start within half a frame of the target, either side: started at
		// the first tick past it, the delay would sit up to a frame above the
		// target, where a small change of transit or the target's slow fall
		// would soon call for a skip in a calm network.
		if nowT-j.base-first < max(tgt-j.frame/2, j.minD) {
			return Playout{Kind: PlayIdle}
		}
		j.started, j.next = true, first
	}
	delay := nowT - j.base - j.next
	// The band is two frames wide so a skip cannot call for a stretch.
	hi, lo := tgt+j.frame, tgt-j.frame
	// Too deep: above MaxDepth drop frames at once; above the band drop one,
	// in a quiet spell if one comes soon, so the cut is not heard.
	if delay > hi && delay-j.frame >= j.minD {
		j.over++
	} else {
		j.over = 0
	}
	for delay > j.maxD || (j.over > 0 && (j.quiet || j.over >= shrinkWait)) {
		j.drop(j.next)
		j.next += j.frame
		delay -= j.frame
		j.st.Skipped++
		j.over = 0
		if delay <= j.maxD {
			break
		}
	}
	if delay < j.minD || (delay < lo && delay+j.frame <= j.maxD) {
		j.depth = delay + j.frame
		j.st.Stretched++
		return Playout{Kind: PlayStretch}
	}
	j.depth = delay
	f, ok := j.frames[j.next]
	delete(j.frames, j.next)
	j.next += j.frame
	if !ok {
		// Nothing buffered and concealment has already faded out (60 ms): the
		// peer stopped sending (hold, a pause). Play silence without counting
		// it concealed, and prime again when the stream comes back.
		if len(j.frames) == 0 && j.missing >= j.ticks(pauseAfter) {
			j.started, j.missing = false, 0
			return Playout{Kind: PlayIdle}
		}
		j.missing += j.frame
		j.st.Lost++
		return Playout{Kind: PlayConceal}
	}
	j.missing = 0
	j.st.Played++
	j.lent = f.Payload
	return Playout{Kind: PlayFrame, Frame: f}
}

// SetQuiet tells the buffer whether the frame it played last was quiet (a
// pause in speech): the buffer shrinks in quiet, where a dropped frame is
// not heard. Without it, a buffer above its band shrinks after shrinkWait.
func (j *JitterBuffer) SetQuiet(quiet bool) {
	j.mu.Lock()
	j.quiet = quiet
	j.mu.Unlock()
}

// Depth is the current playout delay.
func (j *JitterBuffer) Depth() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dur(j.depth)
}

// Stats returns a snapshot.
func (j *JitterBuffer) Stats() JitterStats {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.st
	s.Depth = j.dur(j.depth)
	s.Jitter = j.dur(int64(j.jitter))
	s.Buffered = len(j.frames)
	s.Concealed = j.dur(int64(s.Lost+s.Stretched) * j.frame)
	return s
}
