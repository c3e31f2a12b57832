//go:build !cgo

package board

import "deskphone/hal"

// boardAudio is the hardware boards' audio in a build without cgo (the
// cross builds): there is no audio driver, and opening one says so.
func boardAudio(board string) hal.Audio {
	return noAudio{why: "no audio driver: the " + board + " firmware was built without cgo (miniaudio)"}
}
