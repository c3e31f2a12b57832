package hal

import "fmt"

// Endpoint is one of the phone's audio paths.
type Endpoint string

const (
	Handset Endpoint = "handset"
	Speaker Endpoint = "speaker"
	Headset Endpoint = "headset"
)

// AudioFormat is mono signed 16-bit PCM at SampleRate (8000 or 16000).
type AudioFormat struct {
	SampleRate int
}

// Validate refuses the rates the phone does not use.
func (f AudioFormat) Validate() error {
	if f.SampleRate != 8000 && f.SampleRate != 16000 {
		return fmt.Errorf("audio format: sample rate %d Hz not supported (8000 or 16000)", f.SampleRate)
	}
	return nil
}

// AudioStream is an open endpoint: the microphone is read, the earpiece or
// loudspeaker written, both in the stream's format. Read and Write block for
// real time on hardware.
type AudioStream interface {
	Read(samples []int16) (int, error)
	Write(samples []int16) (int, error)
	Close() error
}

// Audio opens the phone's audio endpoints.
type Audio interface {
	Open(ep Endpoint, f AudioFormat) (AudioStream, error)
}
