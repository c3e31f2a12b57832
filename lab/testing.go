package lab

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"
)

// logLines is how much of each log a failed test shows.
const logLines = 60

// InCI reports whether this is a CI run (CI=true), where a lab that cannot
// run is a failure, not a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Start starts a lab for a test. Without root or with programs missing it
// skips, except in CI where it fails. The lab is closed in t.Cleanup; when
// the test failed, the peers' logs are dumped first (LAB_KEEP=1 also keeps
// the lab's temp dir). A SIGINT or SIGTERM of the test binary closes its
// labs before it dies; a SIGKILL leaves them to Pdeathsig and Sweep.
func Start(t testing.TB, opts Options) *Lab {
	t.Helper()
	if err := Check(opts); err != nil {
		if InCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	l, err := Up(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	interrupts.track(l)
	t.Cleanup(func() {
		defer interrupts.untrack(l)
		keep := false
		if t.Failed() {
			l.DumpLogs(t.Logf, logLines)
			if os.Getenv("LAB_KEEP") == "1" {
				keep = true
				t.Logf("lab %s kept in %s", l.ID, l.Dir)
			}
		}
		if err := l.close(keep); err != nil {
			t.Error(err)
		}
	})
	return l
}

// interrupts closes the labs of tests when the test binary is interrupted.
var interrupts = &labWatch{labs: map[*Lab]bool{}}

type labWatch struct {
	once sync.Once
	mu   sync.Mutex
	labs map[*Lab]bool
}

func (w *labWatch) track(l *Lab) {
	w.once.Do(func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		go w.wait(c)
	})
	w.mu.Lock()
	w.labs[l] = true
	w.mu.Unlock()
}

func (w *labWatch) untrack(l *Lab) {
	w.mu.Lock()
	delete(w.labs, l)
	w.mu.Unlock()
}

// wait lives as long as the test binary: on a signal it closes every lab,
// then dies of the same signal.
func (w *labWatch) wait(c chan os.Signal) {
	sig := <-c
	w.mu.Lock()
	var wg sync.WaitGroup
	for l := range w.labs {
		wg.Go(func() { _ = l.Close() })
	}
	w.mu.Unlock()
	wg.Wait()
	signal.Reset(sig)
	if s, ok := sig.(syscall.Signal); ok {
		_ = syscall.Kill(os.Getpid(), s)
	}
	os.Exit(1)
}
