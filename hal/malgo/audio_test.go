//go:build cgo

package malgo

import (
	"errors"
	"sync"
	"testing"

	"deskphone/hal"
)

// The null device runs in real time with no hardware: what is written is
// consumed at the stream's rate and the microphone gives silence.
func TestNullDevice(t *testing.T) {
	a := New(NullBackend)
	s, err := a.Open(hal.Handset, hal.AudioFormat{SampleRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// Three times the queue: Write can only return once the device has
	// played at least two queues' worth.
	tone := make([]int16, 3*8000*bufferMillis/1000)
	for i := range tone {
		tone[i] = int16(i%16) * 1000
	}
	if n, err := s.Write(tone); err != nil || n != len(tone) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	mic := make([]int16, 800)
	for i := range mic {
		mic[i] = 1
	}
	if n, err := s.Read(mic); err != nil || n != len(mic) {
		t.Fatalf("Read = %d, %v", n, err)
	}
	for i, v := range mic {
		if v != 0 {
			t.Fatalf("null microphone sample %d = %d, want silence", i, v)
		}
	}
}

func TestCloseWakesReaderAndWriter(t *testing.T) {
	s, err := New(NullBackend).Open(hal.Speaker, hal.AudioFormat{SampleRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(2)
	go func() { defer wg.Done(); _, errs[0] = s.Read(make([]int16, 16000*60)) }()
	go func() { defer wg.Done(); _, errs[1] = s.Write(make([]int16, 16000*60)) }()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, errClosed) {
			t.Errorf("call %d after Close: %v", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestOpenBadFormat(t *testing.T) {
	if _, err := New(NullBackend).Open(hal.Headset, hal.AudioFormat{SampleRate: 44100}); err == nil {
		t.Fatal("44.1 kHz accepted")
	}
}
