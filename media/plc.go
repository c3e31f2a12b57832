package media

import "math"

// Packet-loss concealment after the method of ITU-T G.711 Appendix I, written
// from its description: output runs a little behind the input so the start
// of an erasure can be blended; a lost frame is rebuilt by repeating the
// last pitch period (found by normalised cross-correlation), with a quarter
// period overlap-add at every join; as the erasure grows, more periods (up to
// three) are cycled so the sound does not buzz, and after the first 10 ms the
// level falls 20% per 10 ms to silence at 60 ms. The first good frame after
// an erasure is blended in over a quarter period plus 4 ms per extra 10 ms
// lost (at most 10 ms).
//
// G.722 gets the same concealment on its decoded 16 kHz PCM (pitch range,
// windows and delay scale with the rate), and its ADPCM decoder is stepped
// through an encoding of each concealed frame (g722Codec.Concealed) so that
// it does not resume 20 ms out of date: the idea of G.722 Appendix III's
// state update, without its sub-band machinery.

// Concealer conceals lost frames of decoded PCM. It is not safe for
// concurrent use.
type Concealer struct {
	frame               int // samples per frame
	minP, maxP, corrLen int
	delay               int // output delay: the part of the history not yet played
	ms                  int // samples per millisecond
	hist                []float64
	lost                int // samples concealed in the current erasure
	pitch               int
	periods             int // pitch periods being cycled (1-3)
	pbuf                []float64
	pos                 int // read position in the cycled periods
	oldPos, blend       int // fading out the previous cycle after a switch
	out                 []int16
	syn                 []int16 // the last concealed frame, in its own time slot
	scratch             []float64
}

// NewConcealer makes a concealer for frames of frameSamples at rate Hz.
func NewConcealer(rate, frameSamples int) *Concealer {
	ms := rate / 1000
	c := &Concealer{frame: frameSamples, ms: ms,
		minP: 5 * ms, maxP: 15 * ms, // 66-200 Hz pitch
		corrLen: 20 * ms, delay: 30 * ms / 8, // 3.75 ms
	}
	c.hist = make([]float64, c.corrLen+c.maxP+c.frame+c.delay)
	return c
}

// Delay is the concealer's added latency in samples.
func (c *Concealer) Delay() int { return c.delay }

// Good passes a received frame through; the returned slice is reused.
func (c *Concealer) Good(pcm []int16) []int16 {
	in := c.frameBuf(len(pcm))
	for i, s := range pcm {
		in[i] = float64(s)
	}
	if c.lost > 0 {
		// Blend the synthetic continuation out and the real signal in.
		n := c.pitch/4 + (c.lost/(10*c.ms)-1)*4*c.ms
		n = min(max(n, c.pitch/4), 10*c.ms, len(in))
		for i := range n {
			w := float64(i+1) / float64(n+1)
			in[i] = w*in[i] + (1-w)*c.next()
		}
		c.lost = 0
	}
	return c.push(in)
}

// Conceal produces a frame for a lost one.
func (c *Concealer) Conceal() []int16 {
	syn := c.frameBuf(c.frame)
	if c.lost == 0 {
		c.start()
	}
	for i := range syn {
		// Grow to two, then three periods at 10 and 20 ms, blending the switch.
		if (c.lost == 10*c.ms && c.periods == 1) || (c.lost == 20*c.ms && c.periods == 2) {
			c.morePeriods()
		}
		syn[i] = c.next()
		c.lost++
	}
	c.syn = c.syn[:0]
	for _, v := range syn {
		c.syn = append(c.syn, int16(max(-32768, min(32767, v))))
	}
	return c.push(syn)
}

// frameBuf is a working frame of n samples, reused from call to call: the
// concealer runs on every frame of a call, 50 times a second.
func (c *Concealer) frameBuf(n int) []float64 {
	if cap(c.scratch) < n {
		c.scratch = make([]float64, n)
	}
	return c.scratch[:n]
}

// Synthetic is the frame the last Conceal made up, aligned with the lost
// frame rather than delayed like Conceal's output: what a stateful decoder
// should be told the frame held. The slice is reused.
func (c *Concealer) Synthetic() []int16 { return c.syn }

// gain is the attenuation at the current erasure length.
func (c *Concealer) gain() float64 {
	t := float64(c.lost)/float64(c.ms) - 10 // ms past the first 10 ms
	if t <= 0 {
		return 1
	}
	return max(0, 1-0.02*t) // 20% per 10 ms: silent at 60 ms
}

// push appends samples to the history and returns the frame now due, which
// lags by delay samples.
func (c *Concealer) push(in []float64) []int16 {
	n := len(in)
	copy(c.hist, c.hist[n:])
	copy(c.hist[len(c.hist)-n:], in)
	c.out = c.out[:0]
	end := len(c.hist) - c.delay
	for _, v := range c.hist[end-n : end] {
		c.out = append(c.out, int16(max(-32768, min(32767, v))))
	}
	return c.out
}

// start begins an erasure: find the pitch, keep the last three periods, and
// blend the history's tail (not yet played) into a copy one period earlier
// so cycling the last period has no step at the join.
func (c *Concealer) start() {
	h := c.hist
	L := len(h)
	c.pitch = c.findPitch()
	P := c.pitch
	q := P / 4
	for i := range q {
		w := float64(i+1) / float64(q+1)
		k := L - q + i
		h[k] = (1-w)*h[k] + w*h[k-P]
	}
	c.pbuf = append(c.pbuf[:0], h[L-3*P:]...)
	c.periods = 1
	c.pos = 0
	c.blend = 0
}

// next is the next synthetic sample from the cycled periods, attenuated.
func (c *Concealer) next() float64 {
	span := c.periods * c.pitch
	v := c.pbuf[len(c.pbuf)-span+c.pos]
	c.pos = (c.pos + 1) % span
	if c.blend > 0 {
		// Finishing a period switch: fade the old cycle out.
		oldSpan := span - c.pitch
		old := c.pbuf[len(c.pbuf)-oldSpan+c.oldPos]
		c.oldPos = (c.oldPos + 1) % oldSpan
		q := c.pitch / 4
		w := float64(q-c.blend+1) / float64(q+1)
		v = w*v + (1-w)*old
		c.blend--
	}
	return v * c.gain()
}

// morePeriods switches to cycling one more period. The new cycle continues
// at the same phase one period earlier, so the read position is unchanged;
// the old cycle is faded out over a quarter period.
func (c *Concealer) morePeriods() {
	c.oldPos = c.pos
	c.periods++
	c.blend = c.pitch / 4
}

// findPitch returns the lag in [minP, maxP] with the highest normalised
// correlation between the last corrLen samples and the same span lag earlier:
// a coarse search on every other lag, refined around the best.
func (c *Concealer) findPitch() int {
	h := c.hist
	L := len(h)
	x := h[L-c.corrLen:]
	score := func(p int) float64 {
		y := h[L-c.corrLen-p : L-p]
		var xy, yy float64
		for i := range x {
			xy += x[i] * y[i]
			yy += y[i] * y[i]
		}
		if yy == 0 {
			return 0
		}
		return xy / math.Sqrt(yy)
	}
	best, bestP := -1e300, c.maxP
	for p := c.minP; p <= c.maxP; p += 2 {
		if s := score(p); s > best {
			best, bestP = s, p
		}
	}
	for p := max(c.minP, bestP-1); p <= min(c.maxP, bestP+1); p++ {
		if s := score(p); s > best {
			best, bestP = s, p
		}
	}
	return bestP
}
