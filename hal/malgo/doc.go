// Package malgo is a hal.Audio on miniaudio (github.com/gen2brain/malgo):
// ALSA on the Linux boards, a null device in tests.
//
// miniaudio is C, so the driver exists only in cgo builds (build tag cgo);
// without cgo this package is empty and the boards use no audio. Each
// opened endpoint is one duplex device, mono signed 16-bit at the stream's
// rate: the device's callback takes what Write queued (silence when there
// is nothing) and queues what the microphone gave for Read. Read and Write
// block until the device has taken or given the samples, so they run in
// real time. This version opens the backend's default device for every
// endpoint; routing handset, speaker and headset to different devices or
// mixer paths is the board's and comes later.
package malgo
