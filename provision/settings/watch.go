package settings

import (
	"fmt"
	"strings"
	"sync"
)

// watchers tells subscribers that settings they follow changed.
type watchers struct {
	mu   sync.Mutex
	subs map[*watcher]struct{}
}

type watcher struct {
	patterns []string // a canonical name, or a prefix ending in "."
	ch       chan struct{}
}

// matches says whether w follows any of the changed names.
func (w *watcher) matches(changed []string) bool {
	if len(w.patterns) == 0 {
		return len(changed) > 0
	}
	for _, n := range changed {
		for _, p := range w.patterns {
			if n == p || strings.HasSuffix(p, ".") && strings.HasPrefix(n, p) {
				return true
			}
		}
	}
	return false
}

// Watch subscribes to changes of the named settings: canonical or vendor
// names, or prefixes ending in "." such as "sip.line1." or "dot1x."; no
// names follows every setting. The channel (buffered 1) receives a value,
// without blocking the writer, after a change of any of them has been
// persisted; several changes before the subscriber reads coalesce into one.
// The subscriber then reads the values it needs. cancel ends the
// subscription and closes the channel; it may be called more than once.
//
// Watch panics when a name is neither a setting nor the prefix of one: the
// names are known at compile time, and a typo must not pass silently.
func (s *Store) Watch(names ...string) (<-chan struct{}, func()) {
	w := &watcher{ch: make(chan struct{}, 1)}
	for _, n := range names {
		w.patterns = append(w.patterns, watchPattern(n))
	}
	s.watch.mu.Lock()
	if s.watch.subs == nil {
		s.watch.subs = make(map[*watcher]struct{})
	}
	s.watch.subs[w] = struct{}{}
	s.watch.mu.Unlock()
	var once sync.Once
	return w.ch, func() {
		once.Do(func() {
			s.watch.mu.Lock()
			delete(s.watch.subs, w)
			close(w.ch)
			s.watch.mu.Unlock()
		})
	}
}

func watchPattern(n string) string {
	if strings.HasSuffix(n, ".") {
		for _, d := range schema {
			if strings.HasPrefix(d.Name, n) {
				return n
			}
		}
		panic(fmt.Sprintf("settings: Watch: no setting starts with %q", n))
	}
	return def(n).Name
}

// notify tells the subscribers that follow any of the changed names.
func (ws *watchers) notify(changed []string) {
	if len(changed) == 0 {
		return
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.subs {
		if w.matches(changed) {
			select {
			case w.ch <- struct{}{}:
			default: // one is pending already: the subscriber will read everything
			}
		}
	}
}
