package lab

// The remote party's audio: synthetic speech at 8 kHz, mono, 16-bit (see
// WriteSpeech). baresip's aufile source hangs up at the end of its file, so
// it is long.
const (
	AudioRate    = 8000
	AudioSeconds = 120
)

// writeAudio writes the lab's AudioFile.
func writeAudio(path string) error { return WriteSpeech(path, AudioRate, AudioSeconds) }
