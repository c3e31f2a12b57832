package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"deskphone/lab"
)

// clockTick is the kernel's USER_HZ, the unit of utime and stime in
// /proc/PID/stat: 100 on every Linux architecture Go runs on.
const clockTick = 10 * time.Millisecond

// cpuTime is a process's user+system CPU time so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu of %d: %w", pid, err)
	}
	return parseStat(b)
}

// parseStat reads utime and stime (fields 14 and 15) of a /proc/PID/stat
// line. The command name (field 2) may hold spaces and parentheses, so the
// fields are counted from its last ')'.
func parseStat(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse stat: no ')' in %q", b)
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state): utime is field 14, f[11]; stime f[12].
	if len(f) < 13 {
		return 0, fmt.Errorf("parse stat: %d fields after the name", len(f))
	}
	u, err := strconv.ParseUint(string(f[11]), 10, 63)
	if err != nil {
		return 0, fmt.Errorf("parse stat utime %q: %w", f[11], err)
	}
	s, err := strconv.ParseUint(string(f[12]), 10, 63)
	if err != nil {
		return 0, fmt.Errorf("parse stat stime %q: %w", f[12], err)
	}
	// Beyond 2^40 ticks (348 years) the product would overflow.
	if u > 1<<40 || s > 1<<40 {
		return 0, fmt.Errorf("parse stat: utime %d or stime %d out of range", u, s)
	}
	return time.Duration(u+s) * clockTick, nil
}

// sample is one reading of a process.
type sample struct {
	at            time.Time
	cpu           time.Duration
	mem           lab.Memory
	anon, fileMap int // kB of RssAnon (heap, stacks) and RssFile (the mapped binary and libraries)
	switches      int // context switches so far, all threads
	threads       int
}

// rssParts reads RssAnon and RssFile of pid.
func rssParts(pid int) (anon, file int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("memory of %d: %w", pid, err)
	}
	for line := range bytes.Lines(b) {
		k, v, _ := bytes.Cut(line, []byte(":"))
		f := bytes.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.Atoi(string(f[0]))
		switch string(k) {
		case "RssAnon":
			anon = n
		case "RssFile":
			file = n
		}
	}
	return anon, file, nil
}

// contextSwitches sums the voluntary and involuntary context switches of
// pid's live threads: each is a thread put to sleep and woken again, the
// cost a call's timers and packets impose beyond its own work. Threads that
// exited are not counted.
func contextSwitches(pid int) (int, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, fmt.Errorf("threads of %d: %w", pid, err)
	}
	total := 0
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, t.Name()))
		if err != nil {
			continue // the thread ended
		}
		total += parseSwitches(b)
	}
	return total, nil
}

// parseSwitches reads voluntary_ctxt_switches + nonvoluntary_ctxt_switches
// of a /proc status file.
func parseSwitches(b []byte) int {
	n := 0
	for line := range bytes.Lines(b) {
		k, v, _ := bytes.Cut(line, []byte(":"))
		if string(k) == "voluntary_ctxt_switches" || string(k) == "nonvoluntary_ctxt_switches" {
			c, _ := strconv.Atoi(string(bytes.TrimSpace(v)))
			n += c
		}
	}
	return n
}

// usage is what a process used over a call.
type usage struct {
	Wall      time.Duration
	CPU       time.Duration
	PerMinute time.Duration // CPU per minute of call
	RSSMax    int           // kB, the most seen in the call
	Anon      int           // kB of it anonymous (heap, stacks, runtime)
	File      int           // kB of it file-backed (the program and libraries)
	HWM       int           // kB, the process's peak so far
	Switches  float64       // context switches per second of call, all threads
	Threads   int           // threads at the end of the window
	Samples   int
}

// watch samples pid every period until ctx ends or the process is gone.
type watch struct {
	mu      sync.Mutex
	samples []sample
	done    chan struct{}
}

func startWatch(ctx context.Context, pid int, period time.Duration) *watch {
	w := &watch{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			cpu, err := cpuTime(pid)
			if err != nil {
				return
			}
			mem, err := lab.ProcessMemory(pid)
			if err != nil {
				return
			}
			anon, file, err := rssParts(pid)
			if err != nil {
				return
			}
			sw, err := contextSwitches(pid)
			if err != nil {
				return
			}
			threads, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
			w.mu.Lock()
			w.samples = append(w.samples, sample{time.Now(), cpu, mem, anon, file, sw, len(threads)})
			w.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// result waits for the sampler to stop and sums up its readings.
func (w *watch) result() (usage, error) {
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.samples
	if len(s) < 2 {
		return usage{}, fmt.Errorf("only %d samples", len(s))
	}
	first, last := s[0], s[len(s)-1]
	u := usage{Wall: last.at.Sub(first.at), CPU: last.cpu - first.cpu, HWM: last.mem.HWM, Samples: len(s)}
	u.PerMinute = time.Duration(float64(u.CPU) * float64(time.Minute) / float64(u.Wall))
	u.Switches = float64(last.switches-first.switches) / u.Wall.Seconds()
	u.Threads = last.threads
	top := slices.MaxFunc(s, func(a, b sample) int { return a.mem.RSS - b.mem.RSS })
	u.RSSMax, u.Anon, u.File = top.mem.RSS, top.anon, top.fileMap
	return u, nil
}

// combine sums up one caller's calls: the CPU rows of the call with the
// median CPU, the memory rows of the call with the most resident memory.
func combine(calls []callResult) callResult {
	byCPU := slices.Clone(calls)
	slices.SortFunc(byCPU, func(a, b callResult) int { return cmp.Compare(a.caller.PerMinute, b.caller.PerMinute) })
	out := byCPU[len(byCPU)/2]
	top := slices.MaxFunc(calls, func(a, b callResult) int { return cmp.Compare(a.caller.RSSMax, b.caller.RSSMax) })
	out.caller.RSSMax, out.caller.Anon, out.caller.File = top.caller.RSSMax, top.caller.Anon, top.caller.File
	out.caller.HWM = slices.MaxFunc(calls, func(a, b callResult) int { return cmp.Compare(a.caller.HWM, b.caller.HWM) }).caller.HWM
	out.each = nil
	for _, c := range calls {
		out.each = append(out.each, c.caller.PerMinute)
	}
	rtop := slices.MaxFunc(calls, func(a, b callResult) int { return cmp.Compare(a.remote.RSSMax, b.remote.RSSMax) })
	out.remote.RSSMax, out.remote.Anon, out.remote.File = rtop.remote.RSSMax, rtop.remote.Anon, rtop.remote.File
	return out
}

// sampleCall samples a caller and the remote party every 500 ms for
// window, the call being up, and sums up both.
func sampleCall(ctx context.Context, what string, caller, remote int, window time.Duration) (callResult, error) {
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	cw := startWatch(sctx, caller, 500*time.Millisecond)
	rw := startWatch(sctx, remote, 500*time.Millisecond)
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return callResult{}, ctx.Err()
	}
	stop()
	var r callResult
	var err error
	if r.caller, err = cw.result(); err != nil {
		return r, fmt.Errorf("%s: sampling the caller: %w", what, err)
	}
	if r.remote, err = rw.result(); err != nil {
		return r, fmt.Errorf("%s: sampling the remote baresip: %w", what, err)
	}
	return r, nil
}
