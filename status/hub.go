package status

import (
	"context"
	"slices"
	"sync"
)

// Hub holds the current snapshot and wakes readers when it changes.
type Hub struct {
	mu      sync.Mutex
	phone   Phone
	seq     uint64
	changed chan struct{} // closed and replaced at each update
}

// NewHub starts from initial.
func NewHub(initial Phone) *Hub {
	return &Hub{phone: initial, changed: make(chan struct{})}
}

// clone copies what a Phone shares through slices and pointers, so that
// no reader or writer can change another's copy.
func (p Phone) clone() Phone {
	p.Lines = slices.Clone(p.Lines)
	p.Provision.Files = slices.Clone(p.Provision.Files)
	if p.Call != nil {
		c := *p.Call
		p.Call = &c
	}
	return p
}

// Update changes the snapshot under the hub's lock. fn must not keep p.
func (h *Hub) Update(fn func(p *Phone)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.phone.clone()
	fn(&p)
	h.phone = p
	h.seq++
	close(h.changed)
	h.changed = make(chan struct{})
}

// Snapshot returns a copy of the current state and its sequence number.
func (h *Hub) Snapshot() (Phone, uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.phone.clone(), h.seq
}

// Wait blocks until the sequence number is past seq, then returns the new
// snapshot; it returns at once when it already is.
func (h *Hub) Wait(ctx context.Context, seq uint64) (Phone, uint64, error) {
	for {
		h.mu.Lock()
		p, cur, ch := h.phone.clone(), h.seq, h.changed
		h.mu.Unlock()
		if cur != seq {
			return p, cur, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return p, cur, ctx.Err()
		}
	}
}

// SetLine replaces line l (matched by Index) or appends it.
func (p *Phone) SetLine(l Line) {
	for i := range p.Lines {
		if p.Lines[i].Index == l.Index {
			p.Lines[i] = l
			return
		}
	}
	p.Lines = append(p.Lines, l)
	slices.SortFunc(p.Lines, func(a, b Line) int { return a.Index - b.Index })
}
