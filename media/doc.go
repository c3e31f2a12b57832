// Package media is the phone's call media engine: SDP offer/answer for audio,
// SDES keys for SRTP, the G.711 and G.722 codecs, RTP/SRTP sessions, RFC 4733
// telephone events, an adaptive jitter buffer with G.711 Appendix I style
// packet-loss concealment, RTCP reports, call-progress and security tones, and
// the audio path that moves PCM between a hal.AudioStream and the network at
// 20 ms ticks.
//
// The SIP layer owns signalling; it hands this package SDP bodies and a UDP
// socket and maps ErrNotAcceptable to 488 Not Acceptable Here.
package media
