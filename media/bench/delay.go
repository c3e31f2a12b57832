package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"sync"
	"time"

	"github.com/pion/rtp"

	"deskphone/hal"
	"deskphone/media"
)

// echoAudio is a hal.Audio whose microphone hears what the earpiece played
// one frame earlier: the phone turned into an echo, as baresip's aubridge
// loop is in the reference measurement.
type echoAudio struct {
	mu   sync.Mutex
	last []int16
}

func (a *echoAudio) Open(hal.Endpoint, hal.AudioFormat) (hal.AudioStream, error) { return a, nil }
func (a *echoAudio) Close() error                                                { return nil }

func (a *echoAudio) Read(p []int16) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(p)
	copy(p, a.last)
	return len(p), nil
}

func (a *echoAudio) Write(p []int16) (int, error) {
	a.mu.Lock()
	a.last = append(a.last[:0], p...)
	a.mu.Unlock()
	return len(p), nil
}

// turnaround is one probe's result.
type turnaround struct {
	Delay time.Duration // from the burst leaving the probe to its echo arriving
	Depth time.Duration // the jitter buffer's depth when the echo left the phone
}

// measureTurnaround runs the phone's media engine (SRTP session, jitter
// buffer, concealment, audio path on its 20 ms clock) as an echo over
// loopback UDP and times n tone bursts sent to it by a probe, one a second,
// on the wire: packet out to packet back, corrected for where in its frame
// the echoed burst starts. That is the delay the phone adds between the
// network and the network (buffer + audio path + packetisation).
func measureTurnaround(ctx context.Context, n int) ([]turnaround, error) {
	phoneConn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("turnaround: %w", err)
	}
	probeConn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		phoneConn.Close()
		return nil, fmt.Errorf("turnaround: %w", err)
	}
	kp, err := media.NewCrypto(1, media.AES_CM_128_HMAC_SHA1_80)
	if err != nil {
		return nil, err
	}
	kq, err := media.NewCrypto(1, media.AES_CM_128_HMAC_SHA1_80)
	if err != nil {
		return nil, err
	}
	jb := media.NewJitterBuffer(media.JitterConfig{})
	phone, err := media.NewSession(media.SessionConfig{Conn: phoneConn, Remote: probeConn.LocalAddr(), SRTP: true,
		Local: kp, RemoteKey: kq, RTCPMux: true, Jitter: jb, Deliver: media.Demux(jb, 0, 0, nil)})
	if err != nil {
		return nil, err
	}
	codec, err := media.NewCodec("PCMU", 0)
	if err != nil {
		return nil, err
	}
	path, err := media.NewAudioPath(media.AudioPathConfig{Audio: &echoAudio{}, Enabled: []hal.Endpoint{hal.Handset},
		Endpoint: hal.Handset, Codec: codec, Send: phone, Receive: jb})
	if err != nil {
		return nil, err
	}

	// The probe: notes when a loud frame comes back.
	type echo struct {
		at     time.Time
		offset int // first loud sample in the frame
	}
	echoes := make(chan echo, 16)
	dec, _ := media.NewCodec("PCMU", 0)
	var pcm []int16
	probe, err := media.NewSession(media.SessionConfig{Conn: probeConn, Remote: phoneConn.LocalAddr(), SRTP: true,
		Local: kq, RemoteKey: kp, RTCPMux: true, Deliver: func(p *rtp.Packet, at time.Time) {
			pcm, _ = dec.Decode(pcm[:0], p.Payload)
			for i, v := range pcm {
				if v > 4000 || v < -4000 {
					select {
					case echoes <- echo{at, i}:
					default:
					}
					return
				}
			}
		}})
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for _, run := range []func(context.Context) error{phone.Run, probe.Run, path.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()

	silence, _ := codec.Encode(nil, make([]int16, 160))
	burstPCM := make([]int16, 160)
	for i := range 40 { // 5 ms of 1 kHz at half scale
		burstPCM[i] = int16(16000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	burst, _ := codec.Encode(nil, burstPCM)

	var out []turnaround
	var sentAt time.Time
	waiting := false
	start := time.Now()
	for k := 0; len(out) < n; k++ {
		if k > 50*(n+10) {
			return out, fmt.Errorf("turnaround: %d of %d echoes came back; phone %+v, its jitter buffer %+v",
				len(out), n, phone.Stats(), jb.Stats())
		}
		timer := time.NewTimer(time.Until(start.Add(time.Duration(k) * 20 * time.Millisecond)))
	wait:
		for {
			select {
			case <-ctx.Done():
				timer.Stop()
				return out, ctx.Err()
			case err := <-errs:
				timer.Stop()
				return out, fmt.Errorf("turnaround: %w", err)
			case e := <-echoes:
				if waiting && e.at.After(sentAt) {
					out = append(out, turnaround{Delay: e.at.Sub(sentAt) + time.Duration(e.offset)*125*time.Microsecond, Depth: jb.Depth()})
					waiting = false
				}
			case <-timer.C:
				break wait
			}
		}
		// A burst the buffer skipped (it drops frames to shrink) never comes
		// back: give up on it after a second.
		if waiting && time.Since(sentAt) > time.Second {
			waiting = false
		}
		// After two seconds of settling, a burst each second once the last came back.
		payload := silence
		if k >= 100 && k%50 == 0 && !waiting {
			payload, sentAt, waiting = burst, time.Now(), true
		}
		if err := probe.SendFrame(payload); err != nil {
			return out, err
		}
	}
	return out, nil
}
