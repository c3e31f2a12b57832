package media

import (
	"errors"
	"math"
	"net"
	"sync"
)

func sine(rate, n int, f, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * 32767 * math.Sin(2*math.Pi*f*float64(i)/float64(rate)))
	}
	return s
}

// speechLike is a voiced, speech-like test signal: a 120 Hz glottal-like
// harmonic series shaped by two formants, with a slow syllabic envelope.
func speechLike(rate, n int) []int16 {
	s := make([]int16, n)
	f0 := 120.0
	for i := range s {
		t := float64(i) / float64(rate)
		var v float64
		for h := 1; float64(h)*f0 < float64(rate)/2*0.85; h++ {
			f := float64(h) * f0
			// formants near 700 Hz and 1200 Hz, -9 dB/octave tilt (speech falls off above 1 kHz)
			g := math.Pow(float64(h), -1.5) * (1 + 3*math.Exp(-sq((f-700)/150)) + 2*math.Exp(-sq((f-1200)/200)))
			v += g * math.Sin(2*math.Pi*f*t+float64(h))
		}
		env := 0.6 + 0.4*math.Sin(2*math.Pi*3*t)
		s[i] = int16(0.2 * 32767 * env * v)
	}
	return s
}

func sq(x float64) float64 { return x * x }

// snrAt is the SNR of out against in, with out lagging by lag samples,
// skipping the first skip samples.
func snrAt(in, out []int16, lag, skip int) float64 {
	var sig, noise float64
	for i := skip; i < len(in) && i+lag < len(out); i++ {
		d := float64(out[i+lag]) - float64(in[i])
		sig += float64(in[i]) * float64(in[i])
		noise += d * d
	}
	return 10 * math.Log10(sig/math.Max(noise, 1e-9))
}

// alignedSNR finds the lag in [0,maxLag] with the best SNR, like analyze.py's
// cross-correlation alignment.
func alignedSNR(in, out []int16, maxLag, skip int) (float64, int) {
	best, bestLag := math.Inf(-1), 0
	for lag := 0; lag <= maxLag; lag++ {
		if s := snrAt(in, out, lag, skip); s > best {
			best, bestLag = s, lag
		}
	}
	return best, bestLag
}

// goertzel returns the power of f in x (rate Hz), normalised by length.
func goertzel(x []int16, rate int, f float64) float64 {
	w := 2 * math.Pi * f / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s := float64(v) + c*s1 - s2
		s2, s1 = s1, s
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	return p / float64(len(x)*len(x))
}

func energy(x []int16) float64 {
	var e float64
	for _, v := range x {
		e += float64(v) * float64(v)
	}
	return e
}

// pipeAddr names an in-memory endpoint.
type pipeAddr string

func (a pipeAddr) Network() string { return "mem" }
func (a pipeAddr) String() string  { return string(a) }

// memConn is one end of an in-memory datagram pipe. Writes can be tapped
// (to capture, drop or replay packets).
type memConn struct {
	name   pipeAddr
	in     chan []byte
	peer   *memConn
	mu     sync.Mutex
	closed chan struct{}
	once   sync.Once
	tap    func(b []byte) [][]byte // what actually gets delivered
}

func memPipe() (*memConn, *memConn) {
	a := &memConn{name: "a", in: make(chan []byte, 1024), closed: make(chan struct{})}
	b := &memConn{name: "b", in: make(chan []byte, 1024), closed: make(chan struct{})}
	a.peer, b.peer = b, a
	return a, b
}

var errClosed = errors.New("mem conn closed")

func (c *memConn) ReadFrom(p []byte) (int, net.Addr, error) {
	select {
	case b := <-c.in:
		return copy(p, b), c.peer.name, nil
	case <-c.closed:
		return 0, nil, errClosed
	}
}

func (c *memConn) WriteTo(p []byte, _ net.Addr) (int, error) {
	b := append([]byte(nil), p...)
	c.mu.Lock()
	tap := c.tap
	c.mu.Unlock()
	out := [][]byte{b}
	if tap != nil {
		out = tap(b)
	}
	for _, o := range out {
		select {
		case c.peer.in <- o:
		case <-c.peer.closed:
		}
	}
	return len(p), nil
}

func (c *memConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}
