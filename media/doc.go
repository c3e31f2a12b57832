// Package media is the phone's call media engine: SDP offer/answer for audio,
// SDES keys for SRTP, the G.711 and G.722 codecs, RTP/SRTP sessions with
// RTCP sender and receiver reports (SRTCP under SRTP) on RFC 3550's
// randomised schedule, RFC 4733 telephone events, an adaptive jitter buffer
// with G.711 Appendix I packet-loss concealment, call-progress and security
// tones, and the audio path that moves PCM between a hal.AudioStream and the
// network at 20 ms ticks. Session.Stats is what a call-information screen
// shows: loss, jitter, round trip, buffer depth, concealment, SRTP failures.
//
// The SIP layer owns signalling; it hands this package SDP bodies and UDP
// sockets (ListenRTP opens the RTP/RTCP pair) and maps ErrNotAcceptable to
// 488 Not Acceptable Here.
package media
