package media

import (
	"testing"
	"time"
)

// cadenceOf renders g for dur and returns the on/off segments found in
// 10 ms blocks, as durations.
func cadenceOf(g *ToneGenerator, rate int, dur time.Duration) []time.Duration {
	block := rate / 100
	n := int(dur / (10 * time.Millisecond))
	var segs []time.Duration
	prev, run := false, 0
	buf := make([]int16, block)
	for i := range n {
		g.Read(buf)
		on := energy(buf) > 0
		if i == 0 {
			prev = on
		}
		if on != prev {
			segs = append(segs, time.Duration(run)*10*time.Millisecond)
			run, prev = 0, on
		}
		run++
	}
	return append(segs, time.Duration(run)*10*time.Millisecond)
}

func TestToneFrequencies(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		for region, set := range Regions {
			for _, tone := range []Tone{set.Dial, set.Ringback, set.Busy, set.Reorder, set.CallWaiting, SecureTone, NonsecureTone} {
				g := NewToneGenerator(tone, rate)
				buf := make([]int16, rate/10) // the first 100 ms: every tone is on
				g.Read(buf)
				for _, f := range tone.Freqs {
					on := goertzel(buf, rate, f)
					off := goertzel(buf, rate, f+150)
					if on < 100*off {
						t.Errorf("%s %s @%d: %g Hz weak (%g vs %g)", region, tone.Name, rate, f, on, off)
					}
				}
				// nothing at a frequency the tone does not use
				if len(tone.Freqs) > 0 && goertzel(buf, rate, 1000) > goertzel(buf, rate, tone.Freqs[0])/100 {
					t.Errorf("%s %s: energy at 1 kHz", region, tone.Name)
				}
			}
		}
	}
}

func TestToneCadences(t *testing.T) {
	us, _ := Tones("us")
	eu, _ := Tones("eu")
	cases := []struct {
		name string
		tone Tone
		dur  time.Duration
		want []time.Duration
	}{
		{"us ringback", us.Ringback, 12 * time.Second, []time.Duration{ms(2000), ms(4000), ms(2000), ms(4000)}},
		{"us busy", us.Busy, 2 * time.Second, []time.Duration{ms(500), ms(500), ms(500), ms(500)}},
		{"us reorder", us.Reorder, time.Second, []time.Duration{ms(250), ms(250), ms(250), ms(250)}},
		{"eu ringback", eu.Ringback, 10 * time.Second, []time.Duration{ms(1000), ms(4000), ms(1000), ms(4000)}},
		{"eu call waiting", eu.CallWaiting, 5600 * time.Millisecond, []time.Duration{ms(200), ms(200), ms(200), ms(5000)}},
		{"us dial", us.Dial, 3 * time.Second, []time.Duration{ms(3000)}},
		// Secure: three long beeps inside 2 s, then silence.
		{"secure", SecureTone, 3 * time.Second, []time.Duration{ms(400), ms(200), ms(400), ms(200), ms(400), ms(1400)}},
		{"nonsecure", NonsecureTone, 2 * time.Second, []time.Duration{ms(100), ms(100), ms(100), ms(100), ms(100), ms(100),
			ms(100), ms(100), ms(100), ms(100), ms(100), ms(900)}},
	}
	for _, c := range cases {
		got := cadenceOf(NewToneGenerator(c.tone, 8000), 8000, c.dur)
		if len(got) != len(c.want) {
			t.Errorf("%s: cadence %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: cadence %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
	g := NewToneGenerator(SecureTone, 8000)
	g.Read(make([]int16, 8000*2))
	if !g.Done() {
		t.Error("secure tone not done after 2 s")
	}
	if _, err := Tones("xx"); err == nil {
		t.Error("unknown region accepted")
	}
}
