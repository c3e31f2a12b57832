package sim

import (
	"testing"

	"deskphone/hal"
)

func TestAudioRecordingCanBeOff(t *testing.T) {
	a := NewAudio()
	s, err := a.Open(hal.Handset, hal.AudioFormat{SampleRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]int16{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	a.SetRecording(false)
	if n, err := s.Write([]int16{4, 5}); n != 2 || err != nil {
		t.Fatalf("write with recording off: %d, %v", n, err)
	}
	a.SetRecording(true)
	if _, err := s.Write([]int16{6}); err != nil {
		t.Fatal(err)
	}
	if got := a.Recorded(hal.Handset); len(got) != 4 || got[3] != 6 {
		t.Fatalf("recorded %v, want [1 2 3 6]", got)
	}
}

// TestAudioRecordingAcrossChunks: writes of odd sizes that straddle the
// recording's one-second chunks come back whole and in order, and the
// recording stops at its cap with a short write.
func TestAudioRecordingAcrossChunks(t *testing.T) {
	a := NewAudio()
	s, err := a.Open(hal.Speaker, hal.AudioFormat{SampleRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	var want []int16
	buf := make([]int16, 7001) // not a divisor of recordChunk
	for i := 0; len(want) < 3*recordChunk+5; i++ {
		for j := range buf {
			buf[j] = int16(len(want) + j)
		}
		if _, err := s.Write(buf); err != nil {
			t.Fatal(err)
		}
		want = append(want, buf...)
	}
	got := a.Recorded(hal.Speaker)
	if len(got) != len(want) {
		t.Fatalf("recorded %d samples, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d: %d, want %d", i, got[i], want[i])
		}
	}

	big := make([]int16, maxRecord)
	n, err := s.Write(big)
	if room := maxRecord - len(want); n != room || err == nil {
		t.Fatalf("write past the cap: %d, %v; want %d and a short write", n, err, room)
	}
	if got := len(a.Recorded(hal.Speaker)); got != maxRecord {
		t.Fatalf("recorded %d samples after the cap, want %d", got, maxRecord)
	}
}
