package malgo

// ring is a fixed-size FIFO of samples.
type ring struct {
	buf        []int16
	head, size int
}

func newRing(capacity int) *ring { return &ring{buf: make([]int16, capacity)} }

// push adds v unless the ring is full.
func (r *ring) push(v int16) bool {
	if r.size == len(r.buf) {
		return false
	}
	r.buf[(r.head+r.size)%len(r.buf)] = v
	r.size++
	return true
}

// pushDropOldest adds v, dropping the oldest sample when full: the
// microphone keeps the newest audio when nobody reads.
func (r *ring) pushDropOldest(v int16) {
	if r.size == len(r.buf) {
		r.pop()
	}
	r.push(v)
}

func (r *ring) pop() (int16, bool) {
	if r.size == 0 {
		return 0, false
	}
	v := r.buf[r.head]
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return v, true
}
