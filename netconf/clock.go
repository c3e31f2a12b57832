package netconf

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"deskphone/provision/flash"
)

// Clock sources, reported so certificate checks can say which clock they trusted.
const (
	SourceBuild  = "build time"
	SourceSaved  = "saved"
	SourceSystem = "system"
	SourceSNTP   = "sntp"
)

// savedTimeFile holds the last known good time in the data dir (RFC 3339).
const savedTimeFile = "clock.time"

// Clock gives the phone's idea of now: never earlier than the build time or
// the last saved time, and the SNTP time once a server has answered.
type Clock struct {
	dir     string
	system  func() time.Time
	elapsed func() time.Duration // monotonic time since NewClock; a field so tests can drive it

	mu       sync.Mutex
	floor    time.Time // max(build, saved) at NewClock
	floorSrc string
	offset   time.Duration // SNTP offset to the system clock
	synced   bool
}

// NewClock builds a clock with lower bound max(build, time saved in dir).
// system is the host clock; nil means time.Now. A missing or unreadable saved
// file only loses that bound, it is not an error.
func NewClock(dir string, build time.Time, system func() time.Time) *Clock {
	if system == nil {
		system = time.Now
	}
	c := &Clock{dir: dir, system: system, floor: build, floorSrc: SourceBuild}
	if saved, err := LoadSavedTime(dir); err == nil && saved.After(c.floor) {
		c.floor, c.floorSrc = saved, SourceSaved
	} else if err != nil && !os.IsNotExist(err) {
		slog.Warn("clock: saved time ignored", "err", err)
	}
	start := time.Now()
	c.elapsed = func() time.Duration { return time.Since(start) }
	return c
}

// LoadSavedTime reads the time last saved in dir.
func LoadSavedTime(dir string) (time.Time, error) {
	path := filepath.Join(dir, savedTimeFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil {
		return time.Time{}, fmt.Errorf("load saved time %s: %w", path, err)
	}
	return t, nil
}

// NowSource returns the current time and the source it came from.
func (c *Clock) NowSource() (time.Time, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sys := c.system()
	if c.synced {
		return sys.Add(c.offset), SourceSNTP
	}
	// The floor advances with monotonic time, so a system clock stuck at
	// 1970 still moves forward from it and a wall clock jump does not move it.
	floor := c.floor.Add(c.elapsed())
	if sys.Before(floor) {
		return floor, c.floorSrc
	}
	return sys, SourceSystem
}

// Now returns the phone's current time.
func (c *Clock) Now() time.Time {
	t, _ := c.NowSource()
	return t
}

// Source names the clock Now uses.
func (c *Clock) Source() string {
	_, s := c.NowSource()
	return s
}

// SetSNTP records an SNTP answer; from then on Now follows the server.
func (c *Clock) SetSNTP(r SNTPResult) {
	c.mu.Lock()
	c.offset, c.synced = r.Offset, true
	c.mu.Unlock()
}

// Save writes the current time to the data dir atomically.
func (c *Clock) Save() error {
	t := c.Now()
	if err := flash.WriteFile(c.dir, savedTimeFile, []byte(t.UTC().Format(time.RFC3339Nano)+"\n")); err != nil {
		return fmt.Errorf("save clock time: %w", err)
	}
	return nil
}

// SyncLoop queries server (from a func, since settings and DHCP option 42 can
// change) until one answers, retrying with backoff, then re-syncs every
// interval and saves the time after each success. It returns when ctx ends.
func (c *Clock) SyncLoop(ctx context.Context, server func() string, interval time.Duration) error {
	backoff := time.Second
	for {
		wait := interval
		if srv := server(); srv != "" {
			r, err := QuerySNTP(ctx, srv, c.system)
			if err != nil {
				slog.Warn("clock: sntp failed", "server", srv, "err", err)
				wait = backoff
				backoff = min(backoff*2, interval)
			} else {
				backoff = time.Second
				c.SetSNTP(r)
				if err := c.Save(); err != nil {
					slog.Warn("clock: save failed", "err", err)
				}
			}
		} else {
			wait = backoff
			backoff = min(backoff*2, interval)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
