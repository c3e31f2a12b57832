package media

import "testing"

// roundTrip encodes and decodes sig in 20 ms frames.
func roundTrip(t testing.TB, c Codec, sig []int16) []int16 {
	n := c.FrameSamples()
	var out []int16
	var enc []byte
	for i := 0; i+n <= len(sig); i += n {
		var err error
		enc, err = c.Encode(enc[:0], sig[i:i+n])
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) != 160 {
			t.Fatalf("%s: %d bytes per 20 ms, want 160", c.Name(), len(enc))
		}
		out, err = c.Decode(out, enc)
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestCodecSNR(t *testing.T) {
	cases := []struct {
		name    string
		pt      uint8
		sigName string
		floor   float64
	}{
		// Floors just under the measured values in the media notes.
		{"PCMU", 0, "sine", 33},
		{"PCMA", 8, "sine", 38},
		{"PCMU", 0, "speech", 33},
		{"PCMA", 8, "speech", 33},
		{"G722", 9, "sine", 40},
		{"G722", 9, "speech", 25},
	}
	for _, c := range cases {
		codec, err := NewCodec(c.name, c.pt)
		if err != nil {
			t.Fatal(err)
		}
		if codec.PayloadType() != c.pt || codec.ClockRate() != 8000 || codec.FrameSamples() != codec.SampleRate()/50 {
			t.Fatalf("%s: pt %d clock %d frame %d", c.name, codec.PayloadType(), codec.ClockRate(), codec.FrameSamples())
		}
		rate := codec.SampleRate()
		sig := sine(rate, rate*2, 1000, 0.5)
		if c.sigName == "speech" {
			sig = speechLike(rate, rate*2)
		}
		out := roundTrip(t, codec, sig)
		// G.722's QMF delays by 22 samples (1.38 ms): align as analyze.py does.
		snr, lag := alignedSNR(sig, out, rate/50, rate/10)
		t.Logf("%s %s: SNR %.2f dB at lag %d", c.name, c.sigName, snr, lag)
		if snr < c.floor {
			t.Errorf("%s %s: SNR %.2f dB < %.0f dB", c.name, c.sigName, snr, c.floor)
		}
		if c.name != "G722" && lag != 0 {
			t.Errorf("%s: lag %d, G.711 has none", c.name, lag)
		}
	}
}

func TestCodecRejects(t *testing.T) {
	if _, err := NewCodec("G729", 18); err == nil {
		t.Fatal("G729 accepted")
	}
	c, _ := NewCodec("PCMU", 0)
	if _, err := c.Encode(nil, make([]int16, 100)); err == nil {
		t.Fatal("short frame accepted")
	}
	if _, err := c.Decode(nil, nil); err == nil {
		t.Fatal("empty payload accepted")
	}
}
