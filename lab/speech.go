package lab

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// speechText is what the lab's talker says: digits and a pangram, about ten
// seconds, the mix of voiced and unvoiced sounds a call carries.
const speechText = "The quick brown fox jumps over the lazy dog. Please call me back at five five five, " +
	"one two three four. The meeting starts at ten thirty."

// WriteSpeech writes seconds of synthetic speech (espeak-ng, resampled by
// sox to rate Hz, mono, 16-bit, band-limited, 3 dB below full scale) as a WAV file: the
// spoken text repeated with half a second of silence around each pass.
// Speech, unlike the tone pattern, has one best alignment, so a recording
// of it is scored by cross-correlation without ambiguity.
func WriteSpeech(path string, rate, seconds int) error {
	dir, err := os.MkdirTemp(filepath.Dir(path), "speech")
	if err != nil {
		return fmt.Errorf("speech: %w", err)
	}
	defer os.RemoveAll(dir)
	raw, once := filepath.Join(dir, "raw.wav"), filepath.Join(dir, "once.wav")
	if out, err := exec.Command("espeak-ng", "-v", "en-us", "-s", "150", "-w", raw, speechText).CombinedOutput(); err != nil {
		return fmt.Errorf("speech: espeak-ng: %v: %s", err, out)
	}
	// Band-limited to the audio band of the codecs at that rate (G.711:
	// 300-3400 Hz, G.722: 50-7000 Hz): what lies outside is removed by
	// any telephone path and would only be scored as noise.
	band := "300-3400"
	if rate >= 16000 {
		band = "50-7000"
	}
	if out, err := exec.Command("sox", raw, "-r", fmt.Sprint(rate), "-c", "1", "-b", "16", "-e", "signed-integer",
		once, "sinc", band, "gain", "-n", "-3", "pad", "0.5", "0.5").CombinedOutput(); err != nil {
		return fmt.Errorf("speech: sox: %v: %s", err, out)
	}
	pass, err := readPCM(once)
	if err != nil {
		return fmt.Errorf("speech: %w", err)
	}
	pcm := make([]int16, rate*seconds)
	for i := range pcm {
		pcm[i] = pass[i%len(pass)]
	}
	return writeWAV(path, rate, pcm)
}

// readPCM reads the samples of a 16-bit mono WAV file such as sox writes.
func readPCM(path string) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%s: not a WAV file", path)
	}
	for off := 12; off+8 <= len(b); {
		id, n := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:]))
		off += 8
		if n < 0 || n > len(b)-off {
			n = len(b) - off // sox leaves the size open when it cannot seek
		}
		if id == "data" {
			pcm := make([]int16, n/2)
			for i := range pcm {
				pcm[i] = int16(binary.LittleEndian.Uint16(b[off+2*i:]))
			}
			if len(pcm) == 0 {
				return nil, fmt.Errorf("%s: no samples", path)
			}
			return pcm, nil
		}
		off += n + n%2
	}
	return nil, errors.New(path + ": no data chunk")
}
