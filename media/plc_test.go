package media

import (
	"math"
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
