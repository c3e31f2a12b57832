package settings

import (
	"errors"
	"fmt"
	"sort"

	"deskphone/provision/flash"
)

// Set changes one setting (canonical or vendor name) and persists it. It is
// Apply of one change.
func (s *Store) Set(name, value string) error {
	return s.Apply(map[string]string{name: value})
}

// Apply changes several settings at once, all or nothing: every name and
// value is validated, then the checks across settings run on the values
// the change would leave, and only then is the result persisted, in one
// write. On any error nothing changes; the error lists every problem (each
// a *ValueError or *UnknownError, see errors.As). Names may be canonical or
// vendor names. A change that changes nothing writes nothing.
func (s *Store) Apply(changes map[string]string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()

	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	norm := make(map[string]string, len(changes))
	via := make(map[string]string, len(changes)) // canonical -> the name the change used
	for _, k := range keys {
		d, ok := Lookup(k)
		if !ok {
			errs = append(errs, &UnknownError{Name: k})
			continue
		}
		v, err := d.Normalize(changes[k])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if old, dup := norm[d.Name]; dup && old != v {
			errs = append(errs, d.errorf("set twice with different values, as %s and as %s", via[d.Name], k))
			continue
		}
		norm[d.Name], via[d.Name] = v, k
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}

	next := s.Values()
	touched := make(map[string]bool, len(norm))
	for n, v := range norm {
		next[n] = v
		touched[n] = true
	}
	if err := checkRules(next, touched); err != nil {
		return err
	}
	return s.commit(next, 1)
}

// Reset is the factory reset: every setting goes back to its default, and
// both slots are written, so no old value (no old secret) stays in flash.
func (s *Store) Reset() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.commit(Defaults(), 2)
}

// commit persists next (copies times, to successive slots), then makes it
// the store's values and tells the watchers. The caller holds writeMu.
func (s *Store) commit(next map[string]string, copies int) error {
	s.mu.RLock()
	var changed []string
	for n, v := range next {
		if s.vals[n] != v {
			changed = append(changed, n)
		}
	}
	gen, cur := s.gen, s.cur
	s.mu.RUnlock()
	if len(changed) == 0 && copies == 1 {
		return nil
	}

	stored := make(map[string]string)
	for _, d := range schema {
		if v := next[d.Name]; v != d.Default {
			stored[d.Name] = v
		}
	}
	var err error
	wrote := false
	for range copies {
		gen++
		cur = (cur + 1) % len(slotNames) // the slot not loaded: the older copy
		if err = flash.WriteFile(s.dir, slotNames[cur], encodeSlot(gen, stored)); err != nil {
			err = fmt.Errorf("save settings: %w", err)
			break
		}
		// Once a copy is on flash it is what the phone will load: the
		// store follows it even if a further copy fails.
		s.mu.Lock()
		s.vals, s.gen, s.cur = next, gen, cur
		s.mu.Unlock()
		wrote = true
	}
	if wrote {
		sort.Strings(changed)
		s.watch.notify(changed)
	}
	return err
}
