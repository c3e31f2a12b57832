package hal

import (
	"context"
	"sync"
)

// Link is a port's link state with its waiters. Port drivers embed it for
// Up and WaitLink and call SetUp when the cable or the kernel says so. The
// zero value is a link that is down.
type Link struct {
	mu      sync.Mutex
	up      bool
	changed chan struct{} // closed and replaced at each change
}

// Up reports the link state.
func (l *Link) Up() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.up
}

// SetUp records the link state and wakes the waiters if it changed.
func (l *Link) SetUp(up bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.up == up {
		return
	}
	l.up = up
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// WaitLink returns once the link state differs from last, or ctx's error.
func (l *Link) WaitLink(ctx context.Context, last bool) (bool, error) {
	for {
		l.mu.Lock()
		up := l.up
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		ch := l.changed
		l.mu.Unlock()
		if up != last {
			return up, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return up, ctx.Err()
		}
	}
}
