package media

import (
	"math"
	"slices"
	"testing"
)

// runPLC plays sig in frames through a concealer, losing the frames in lost,
// and returns the output realigned to the input (the concealer's delay removed).
func runPLC(sig []int16, frame int, lost map[int]bool) []int16 {
	c := NewConcealer(8000, frame)
	var out []int16
	for k := 0; (k+1)*frame <= len(sig); k++ {
		if lost[k] {
			out = append(out, c.Conceal()...)
		} else {
			out = append(out, c.Good(sig[k*frame:(k+1)*frame])...)
		}
	}
	return out[c.Delay():]
}

func errEnergy(a, b []int16) float64 {
	var e float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		e += d * d
	}
	return e
}

func TestConcealVoicedFrame(t *testing.T) {
	sig := speechLike(8000, 8000)
	const frame = 160
	for _, k := range []int{10, 17, 23, 31} {
		out := runPLC(sig, frame, map[int]bool{k: true})
		// Error over the lost frame and the blend into the next one.
		lo, hi := k*frame, (k+1)*frame+40
		plc := errEnergy(sig[lo:hi], out[lo:hi])
		silence := energy(sig[k*frame : (k+1)*frame])
		gain := 10 * math.Log10(silence/plc)
		t.Logf("frame %d: concealment error %.1f dB below silence insertion", k, gain)
		if gain < 6 {
			t.Errorf("frame %d: concealment only %.1f dB better than silence", k, gain)
		}
		// Frames well away from the loss pass through untouched.
		if e := errEnergy(sig[lo-2*frame:lo-frame], out[lo-2*frame:lo-frame]); e != 0 {
			t.Errorf("frame %d: good audio before the loss altered (%g)", k, e)
		}
	}
}

func TestConcealBurstFadesToSilence(t *testing.T) {
	sig := speechLike(8000, 8000)
	const frame = 160
	lost := map[int]bool{}
	for k := 10; k < 20; k++ { // 200 ms lost
		lost[k] = true
	}
	out := runPLC(sig, frame, lost)
	first := energy(out[10*frame+40 : 11*frame])
	if first < 0.1*energy(sig[10*frame+40:11*frame]) {
		t.Fatalf("first lost frame is nearly silent (%g)", first)
	}
	// 20-40 ms is attenuated, and from 60 ms on it is silence.
	if e2 := energy(out[11*frame : 12*frame]); e2 >= first {
		t.Errorf("second lost frame not attenuated: %g >= %g", e2, first)
	}
	if e := energy(out[13*frame : 20*frame]); e != 0 {
		t.Errorf("after 60 ms of loss output is not silent: %g", e)
	}
	// Audio resumes after the burst.
	if e := energy(out[21*frame : 22*frame]); e < 0.5*energy(sig[21*frame:22*frame]) {
		t.Errorf("audio did not resume after the burst")
	}
}

func TestConcealPitchFound(t *testing.T) {
	// A 100 Hz pulse train has an 80-sample period.
	sig := make([]int16, 1600)
	for i := range sig {
		if i%80 < 4 {
			sig[i] = 8000
		}
	}
	c := NewConcealer(8000, 160)
	for k := 0; k < 10; k++ {
		c.Good(sig[k*160 : (k+1)*160])
	}
	if p := c.findPitch(); p != 80 {
		t.Fatalf("pitch %d, want 80", p)
	}
}

func TestConcealStationaryVowel(t *testing.T) {
	// A steady 100 Hz vowel-like tone (harmonics 1-6): repetition should
	// rebuild the lost frame far better than silence.
	sig := make([]int16, 8000)
	for i := range sig {
		var v float64
		for h := 1; h <= 6; h++ {
			v += math.Sin(2*math.Pi*100*float64(h)*float64(i)/8000+float64(h)) / float64(h)
		}
		sig[i] = int16(6000 * v)
	}
	const frame, k = 160, 20
	out := runPLC(sig, frame, map[int]bool{k: true})
	plc := errEnergy(sig[k*frame:(k+1)*frame+40], out[k*frame:(k+1)*frame+40])
	gain := 10 * math.Log10(energy(sig[k*frame:(k+1)*frame])/plc)
	t.Logf("stationary vowel: %.1f dB better than silence", gain)
	if gain < 10 {
		t.Fatalf("concealment only %.1f dB better than silence", gain)
	}
}

// TestConcealDecayFollowsAppendix: a steady 100 Hz tone (an 80-sample
// period) lost for 100 ms. Appendix I: the first 10 ms at full level, then
// 20% less per 10 ms (linearly), silence from 60 ms on.
func TestConcealDecayFollowsAppendix(t *testing.T) {
	sig := sine(8000, 8000, 100, 0.5)
	const frame, k = 160, 20
	lost := map[int]bool{}
	for i := k; i < k+5; i++ {
		lost[i] = true
	}
	out := runPLC(sig, frame, lost)
	for j := range 10 { // 10 ms chunks from the start of the erasure
		lo := k*frame + 80*j
		got := math.Sqrt(energy(out[lo:lo+80]) / energy(sig[lo:lo+80]))
		want := 1.0
		if j >= 1 {
			want = max(0, 1-0.2*(float64(j)-0.5)) // the mean of the linear ramp over the chunk
		}
		if j == 5 {
			want = math.Sqrt(0.2 * 0.2 / 3) // the last ramp, 0.2 to 0: its RMS
		}
		t.Logf("%2d-%2d ms: level %.3f, want %.3f", 10*j, 10*j+10, got, want)
		if j < 6 && math.Abs(got-want) > 0.03 {
			t.Errorf("%d-%d ms into the erasure: level %.3f, want %.3f", 10*j, 10*j+10, got, want)
		}
		if j >= 6 && got != 0 {
			t.Errorf("%d-%d ms into the erasure: level %.3f, want silence", 10*j, 10*j+10, got)
		}
	}
}

// maxStep is the largest second difference in x: small on a smooth
// low-pitched wave, about the size of any step spliced into it.
func maxStep(x []int16) float64 {
	m := 0.0
	for i := 2; i < len(x); i++ {
		m = max(m, math.Abs(float64(x[i])-2*float64(x[i-1])+float64(x[i-2])))
	}
	return m
}

// TestConcealSplicesAreContinuous: a vowel whose pitch period is not a
// whole number of samples (103 Hz), so repeated periods never line up
// exactly. With the overlap-adds at the start of the erasure, at each
// period join and back into the real signal, no splice is more than half
// again as sharp as the signal itself; splicing without them (repeat the last period as
// is, cut back to the signal) leaves steps, which the measure must see.
func TestConcealSplicesAreContinuous(t *testing.T) {
	sig := make([]int16, 8000)
	for i := range sig {
		var v float64
		for h := 1; h <= 3; h++ {
			v += math.Sin(2*math.Pi*103*float64(h)*float64(i)/8000+float64(h)) / float64(h)
		}
		sig[i] = int16(9000 * v)
	}
	own := maxStep(sig)
	worstNaive := 0.0
	const frame = 160
	for _, burst := range []int{1, 2} { // 20 ms and 40 ms lost
		for _, k := range []int{13, 20, 27} {
			lost := map[int]bool{}
			for i := k; i < k+burst; i++ {
				lost[i] = true
			}
			out := runPLC(sig, frame, lost)
			lo, hi := k*frame-40, (k+burst)*frame+80
			step := maxStep(out[lo:hi])
			// The naive splice for comparison: the last pitch period (found the
			// same way) repeated from the loss, then the signal again.
			c := NewConcealer(8000, frame)
			for i := 0; i < k; i++ {
				c.Good(sig[i*frame : (i+1)*frame])
			}
			p := c.findPitch()
			naive := slices.Clone(sig)
			for i := k * frame; i < (k+burst)*frame; i++ {
				naive[i] = naive[i-p]
			}
			naiveStep := maxStep(naive[lo:hi])
			worstNaive = max(worstNaive, naiveStep)
			t.Logf("%d ms lost at frame %d: largest step %.0f (signal's own %.0f, naive splice %.0f)", 20*burst, k, step, own, naiveStep)
			if step > 1.5*own {
				t.Errorf("%d ms lost at frame %d: step %.0f exceeds the signal's sharpest %.0f", 20*burst, k, step, own)
			}
		}
	}
	if worstNaive < 3*own {
		t.Errorf("naive splices reach only %.0f against the signal's %.0f: the measure cannot see a step", worstNaive, own)
	}
}

// concealG722 runs G.722 frames of sig through the decoder and the
// concealer, losing the frames in lost; shadow tells the decoder what was
// concealed. It returns the output aligned to sig.
func concealG722(t *testing.T, sig []int16, lost map[int]bool, shadow bool) []int16 {
	t.Helper()
	const frame = 320
	enc, dec := newG722(9), newG722(9)
	var payloads [][]byte
	for k := 0; (k+1)*frame <= len(sig); k++ {
		p, err := enc.Encode(nil, sig[k*frame:(k+1)*frame])
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, p)
	}
	c := NewConcealer(16000, frame)
	var out []int16
	for k, p := range payloads {
		if lost[k] {
			out = append(out, c.Conceal()...)
			if shadow {
				dec.Concealed(c.Synthetic())
			}
			continue
		}
		pcm, err := dec.Decode(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.Good(pcm)...)
	}
	// Align for the codec's delay as well as the concealer's.
	_, lag := alignedSNR(sig[:8000], out[:8000], 100, 0)
	return out[lag:]
}

// TestConcealG722: G.722 is concealed the same way on its decoded 16 kHz
// PCM, and the ADPCM decoder is stepped through an encoding of the
// concealed frame: the first good frame after the loss then comes out far
// closer to the signal than when the decoder just skips the lost frame.
func TestConcealG722(t *testing.T) {
	sig := speechLike(16000, 16000)
	const frame = 320
	var sumShadow, sumSkip float64
	for _, k := range []int{12, 25, 38, 40, 41} {
		lost := map[int]bool{k: true}
		errAfter := func(out []int16) float64 { // the good frame after the loss
			lo := (k + 1) * frame
			return 10 * math.Log10(energy(sig[lo:lo+frame])/errEnergy(sig[lo:lo+frame], out[lo:lo+frame]))
		}
		withShadow := concealG722(t, sig, lost, true)
		skipped := concealG722(t, sig, lost, false)
		lo := k * frame
		gain := 10 * math.Log10(energy(sig[lo:lo+frame])/errEnergy(sig[lo:lo+frame], withShadow[lo:lo+frame]))
		a, b := errAfter(withShadow), errAfter(skipped)
		sumShadow += a
		sumSkip += b
		t.Logf("G.722 frame %d lost: concealed %.1f dB better than silence; next frame SNR %.1f dB (decoder skipping: %.1f dB)", k, gain, a, b)
		if gain < 6 {
			t.Errorf("frame %d: concealment only %.1f dB better than silence", k, gain)
		}
	}
	if sumShadow < sumSkip+10 {
		t.Errorf("stepping the decoder through the concealment gains only %.1f dB over 5 losses", sumShadow-sumSkip)
	}
}

// TestConcealerDoesNotAllocate: the concealer runs on every received frame
// of every call; once warm it must not allocate (it drove the firmware's
// heap growth in a call, 240 kB/s).
func TestConcealerDoesNotAllocate(t *testing.T) {
	frame := sine(8000, 160, 200, 8000)
	c := NewConcealer(8000, 160)
	for range 4 { // warm: history full, output and scratch sized
		c.Good(frame)
		c.Conceal()
	}
	c.Good(frame)
	var k int
	allocs := testing.AllocsPerRun(200, func() {
		// Good frames with an erasure of up to three frames in between.
		if k%5 < 2 {
			c.Good(frame)
		} else {
			c.Conceal()
		}
		k++
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per frame, want 0", allocs)
	}
}
