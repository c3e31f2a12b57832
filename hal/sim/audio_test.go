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
