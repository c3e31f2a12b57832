package netconf

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestClockLowerBound(t *testing.T) {
	build := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	saved := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	sys := time.Date(1970, 1, 1, 0, 0, 10, 0, time.UTC) // RTC lost its time
	system := func() time.Time { return sys }
	var mono time.Duration

	dir := t.TempDir()
	c := NewClock(dir, build, system)
	c.elapsed = func() time.Duration { return mono }
	if now, src := c.NowSource(); !now.Equal(build) || src != SourceBuild {
		t.Fatalf("no saved time: %v %q, want %v %q", now, src, build, SourceBuild)
	}

	if err := os.WriteFile(filepath.Join(dir, savedTimeFile), []byte(saved.Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c = NewClock(dir, build, system)
	c.elapsed = func() time.Duration { return mono }
	if now, src := c.NowSource(); !now.Equal(saved) || src != SourceSaved {
		t.Fatalf("saved time: %v %q, want %v %q", now, src, saved, SourceSaved)
	}
	// The floor moves forward with monotonic time.
	mono = time.Minute
	if now := c.Now(); !now.Equal(saved.Add(time.Minute)) {
		t.Fatalf("after a minute: %v", now)
	}

	// A system clock past the floor wins.
	sys = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	if now, src := c.NowSource(); !now.Equal(sys) || src != SourceSystem {
		t.Fatalf("system ahead: %v %q", now, src)
	}

	// SNTP wins over everything, even when behind the floor.
	c.SetSNTP(SNTPResult{Offset: -time.Hour})
	if now, src := c.NowSource(); !now.Equal(sys.Add(-time.Hour)) || src != SourceSNTP {
		t.Fatalf("sntp: %v %q", now, src)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSavedTime(dir)
	if err != nil || !got.Equal(sys.Add(-time.Hour)) {
		t.Fatalf("LoadSavedTime = %v, %v", got, err)
	}
}

func TestClockCorruptSavedTime(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, savedTimeFile), []byte("yesterday"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSavedTime(dir); err == nil {
		t.Fatal("corrupt saved time accepted")
	}
	build := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	c := NewClock(dir, build, func() time.Time { return time.Unix(0, 0) })
	c.elapsed = func() time.Duration { return 0 }
	if now, src := c.NowSource(); !now.Equal(build) || src != SourceBuild {
		t.Fatalf("%v %q, want build time", now, src)
	}
}

func TestClockSyncLoop(t *testing.T) {
	serverTime := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	addr := sntpServer(t, serverTime, nil)
	dir := t.TempDir()
	local := time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	c := NewClock(dir, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), func() time.Time { return local })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.SyncLoop(ctx, func() string { return addr }, time.Hour) }()
	// Wait for the save that follows the first successful sync.
	for {
		if saved, err := LoadSavedTime(dir); err == nil {
			if d := saved.Sub(serverTime); d < -time.Millisecond || d > time.Millisecond {
				t.Errorf("saved %v, want %v", saved, serverTime)
			}
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("SyncLoop = %v", err)
	}
	if c.Source() != SourceSNTP {
		t.Fatalf("source %q", c.Source())
	}
}
