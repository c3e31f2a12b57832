package lab

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// The remote party's audio: a repeating one-second pattern at 8 kHz, mono,
// 16-bit: 400 Hz, 800 Hz, 1600 Hz for 250 ms each, then 250 ms of silence.
// baresip's aufile source hangs up at the end of its file, so it is long.
const (
	AudioRate    = 8000
	AudioSeconds = 120
)

// AudioPattern lists the tone frequencies of each 250 ms slot of a second
// (0 = silence).
var AudioPattern = []float64{400, 800, 1600, 0}

// writeAudio writes the pattern as a WAV file.
func writeAudio(path string) error {
	n := AudioRate * AudioSeconds
	pcm := make([]byte, 2*n)
	slot := AudioRate / len(AudioPattern)
	for i := range n {
		f := AudioPattern[(i/slot)%len(AudioPattern)]
		v := 0.0
		if f > 0 {
			v = 8000 * math.Sin(2*math.Pi*f*float64(i)/AudioRate)
		}
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(int16(v)))
	}
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+len(pcm)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], 1) // mono
	binary.LittleEndian.PutUint32(h[24:], AudioRate)
	binary.LittleEndian.PutUint32(h[28:], AudioRate*2)
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(len(pcm)))
	if err := os.WriteFile(path, append(h, pcm...), 0o644); err != nil {
		return fmt.Errorf("write audio %s: %w", path, err)
	}
	return nil
}
