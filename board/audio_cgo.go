//go:build cgo

package board

import (
	"deskphone/hal"
	"deskphone/hal/malgo"
)

// boardAudio is the hardware boards' audio: miniaudio's default device
// (ALSA), opened when a call needs it. The target needs libasound.so.2.
func boardAudio(board string) hal.Audio { return malgo.New() }
