package media

import (
	"fmt"
	"math"
	"time"
)

// Tone is a call-progress or indication tone: the sum of Freqs played with
// a cadence of alternating on/off durations, repeated or played once.
type Tone struct {
	Name    string
	Freqs   []float64       // Hz; empty = silence
	Cadence []time.Duration // on, off, on, off, ...; empty = continuous
	Once    bool            // play the cadence once, then silence
	Level   float64         // peak amplitude per frequency, dBFS (default -16)
}

// ToneSet is one region's call-progress tones.
type ToneSet struct {
	Dial, Ringback, Busy, Reorder, CallWaiting Tone
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// Regions maps a region code to its tones. "us" follows the North American
// precise tone plan; "eu" follows the ETSI/CEPT 425 Hz plan.
var Regions = map[string]ToneSet{
	"us": {
		Dial:        Tone{Name: "dial", Freqs: []float64{350, 440}},
		Ringback:    Tone{Name: "ringback", Freqs: []float64{440, 480}, Cadence: []time.Duration{ms(2000), ms(4000)}},
		Busy:        Tone{Name: "busy", Freqs: []float64{480, 620}, Cadence: []time.Duration{ms(500), ms(500)}},
		Reorder:     Tone{Name: "reorder", Freqs: []float64{480, 620}, Cadence: []time.Duration{ms(250), ms(250)}},
		CallWaiting: Tone{Name: "call waiting", Freqs: []float64{440}, Cadence: []time.Duration{ms(300), ms(9700)}},
	},
	"eu": {
		Dial:        Tone{Name: "dial", Freqs: []float64{425}},
		Ringback:    Tone{Name: "ringback", Freqs: []float64{425}, Cadence: []time.Duration{ms(1000), ms(4000)}},
		Busy:        Tone{Name: "busy", Freqs: []float64{425}, Cadence: []time.Duration{ms(500), ms(500)}},
		Reorder:     Tone{Name: "reorder", Freqs: []float64{425}, Cadence: []time.Duration{ms(250), ms(250)}},
		CallWaiting: Tone{Name: "call waiting", Freqs: []float64{425}, Cadence: []time.Duration{ms(200), ms(200), ms(200), ms(5000)}},
	},
}

// SecureTone is played when a call with encrypted media is answered: three
// long beeps within 2 s (400 ms on, 200 ms off, 1.8 s in all) at 1400 Hz, a
// frequency no call-progress tone uses, so it cannot be mistaken for one.
var SecureTone = Tone{Name: "secure", Freqs: []float64{1400}, Once: true,
	Cadence: []time.Duration{ms(400), ms(200), ms(400), ms(200), ms(400), ms(200)}}

// NonsecureTone is played when the call's media is not encrypted: six short
// beeps (100 ms on, 100 ms off, 1.2 s) at the same 1400 Hz.
var NonsecureTone = Tone{Name: "nonsecure", Freqs: []float64{1400}, Once: true,
	Cadence: []time.Duration{ms(100), ms(100), ms(100), ms(100), ms(100), ms(100),
		ms(100), ms(100), ms(100), ms(100), ms(100), ms(100)}}

// Tones looks a region up.
func Tones(region string) (ToneSet, error) {
	t, ok := Regions[region]
	if !ok {
		return ToneSet{}, fmt.Errorf("tones: unknown region %q", region)
	}
	return t, nil
}

// ToneGenerator renders a Tone as PCM.
type ToneGenerator struct {
	tone  Tone
	rate  int
	n     int64 // samples rendered
	amp   float64
	cycle int64 // cadence period in samples, 0 = continuous
	edges []int64
}

// NewToneGenerator renders t at rate Hz (8000 or 16000).
func NewToneGenerator(t Tone, rate int) *ToneGenerator {
	lvl := t.Level
	if lvl == 0 {
		lvl = -16
	}
	g := &ToneGenerator{tone: t, rate: rate, amp: 32767 * math.Pow(10, lvl/20)}
	var acc int64
	for _, d := range t.Cadence {
		acc += int64(d) * int64(rate) / int64(time.Second)
		g.edges = append(g.edges, acc)
	}
	g.cycle = acc
	return g
}

// Done reports whether a one-shot tone has finished.
func (g *ToneGenerator) Done() bool { return g.tone.Once && g.cycle > 0 && g.n >= g.cycle }

// on reports whether sample n is inside an "on" segment of the cadence.
func (g *ToneGenerator) on(n int64) bool {
	if g.cycle == 0 {
		return true
	}
	if g.tone.Once && n >= g.cycle {
		return false
	}
	p := n % g.cycle
	for i, e := range g.edges {
		if p < e {
			return i%2 == 0
		}
	}
	return false
}

// Read fills pcm with the next samples.
func (g *ToneGenerator) Read(pcm []int16) {
	for i := range pcm {
		var v float64
		if g.on(g.n) {
			t := float64(g.n) / float64(g.rate)
			for _, f := range g.tone.Freqs {
				v += math.Sin(2 * math.Pi * f * t)
			}
		}
		pcm[i] = int16(v * g.amp)
		g.n++
	}
}
