package media

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/pion/rtcp"
)

// DefaultRTCPInterval is RFC 3550's minimum report interval (Tmin).
const DefaultRTCPInterval = 5 * time.Second

// rtcpState is the session's RTCP side: where reports go and what the
// peer's reports said about our stream.
type rtcpState struct {
	on     bool
	mux    bool // on the RTP socket, which an audio path may hold (writeRTP)
	conn   PacketConn
	remote net.Addr
	tmin   time.Duration
	bw     float64 // session bandwidth, bit/s
	cname  string

	mu         sync.Mutex
	avgSize    float64 // RFC 3550 avg_rtcp_size, octets with UDP/IP
	sentAtLast uint64  // RTP packets sent at the previous report
	sent, recv uint64  // reports
	peer       rtcp.ReceptionReport
	havePeer   bool
	rtt        time.Duration
	haveRTT    bool
	peerBye    bool
}

func (r *rtcpState) init(cfg *SessionConfig) error {
	r.tmin = cmp.Or(cfg.RTCPInterval, DefaultRTCPInterval)
	r.bw = float64(cmp.Or(cfg.Bandwidth, 64000))
	r.cname = cfg.CNAME
	if r.cname == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("rtcp cname: %w", err)
		}
		r.cname = hex.EncodeToString(b[:])
	}
	r.avgSize = 100 // a first guess: SR + SDES + UDP/IP
	switch {
	case cfg.RTCPConn != nil:
		r.on, r.conn, r.remote = true, cfg.RTCPConn, cfg.RTCPRemote
		if r.remote == nil {
			u, ok := cfg.Remote.(*net.UDPAddr)
			if !ok {
				return fmt.Errorf("rtcp: no RTCPRemote and remote %s is not UDP", cfg.Remote)
			}
			r.remote = &net.UDPAddr{IP: u.IP, Port: u.Port + 1, Zone: u.Zone}
		}
	case cfg.RTCPMux:
		r.on, r.mux, r.conn, r.remote = true, true, cfg.Conn, cmp.Or[net.Addr](cfg.RTCPRemote, cfg.Remote)
	}
	return nil
}

// rtcpInterval is RFC 3550's report interval (6.3.1, A.7) for a session of
// members participants of whom senders send, u uniform in [0,1): the
// deterministic interval from the RTCP bandwidth (5% of the session's, a
// quarter of it shared by the senders when they are few), at least tmin
// (half of it before the first report), randomised over [0.5, 1.5] and
// divided by e-3/2 to compensate for timer reconsideration.
func rtcpInterval(members, senders int, weSent bool, avgSize, bw float64, tmin time.Duration, initial bool, u float64) time.Duration {
	rtcpBW := 0.05 * bw / 8 // octets per second
	n := float64(members)
	if senders > 0 && float64(senders) <= 0.25*n {
		if weSent {
			rtcpBW *= 0.25
			n = float64(senders)
		} else {
			rtcpBW *= 0.75
			n -= float64(senders)
		}
	}
	if initial {
		tmin /= 2
	}
	t := max(time.Duration(avgSize*n/rtcpBW*float64(time.Second)), tmin)
	return time.Duration(float64(t) * (u + 0.5) / (math.E - 1.5))
}

// reportLoop sends a report at each randomised interval until ctx ends.
func (s *Session) reportLoop(ctx context.Context) {
	initial := true
	for {
		sent := s.Counters().PacketsSent
		s.rtcp.mu.Lock()
		weSent, avg := sent > s.rtcp.sentAtLast, s.rtcp.avgSize
		s.rtcp.mu.Unlock()
		senders := 1
		if weSent {
			senders = 2
		}
		d := rtcpInterval(2, senders, weSent, avg, s.rtcp.bw, s.rtcp.tmin, initial, mrand.Float64())
		initial = false
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := s.sendRTCP(s.now(), false); err != nil {
			s.cfg.Log.Debug("rtcp report", "err", err)
		}
	}
}

// Report builds our compound report: an SR if we sent RTP since the last
// report, else an RR, then our SDES CNAME, and a BYE when leaving.
func (s *Session) Report(now time.Time, bye bool) []rtcp.Packet {
	sent := s.Counters().PacketsSent
	s.rtcp.mu.Lock()
	weSent := sent > s.rtcp.sentAtLast
	s.rtcp.sentAtLast = sent
	s.rtcp.mu.Unlock()
	var first rtcp.Packet
	if weSent {
		first = s.SenderReport(now)
	} else {
		first = s.ReceiverReport(now)
	}
	pkts := []rtcp.Packet{first, &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: s.ssrc, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: s.rtcp.cname}},
	}}}}
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	}
	return pkts
}

// sendRTCP sends one compound report.
func (s *Session) sendRTCP(now time.Time, bye bool) error {
	b, err := s.MarshalRTCP(s.Report(now, bye)...)
	if err != nil {
		return err
	}
	if s.rtcp.mux {
		err = s.writeRTP(b, s.rtcp.remote)
	} else {
		_, err = s.rtcp.conn.WriteTo(b, s.rtcp.remote)
	}
	if err != nil {
		return fmt.Errorf("send rtcp to %s: %w", s.rtcp.remote, err)
	}
	s.rtcp.mu.Lock()
	s.rtcp.sent++
	s.rtcp.avgSize += (float64(len(b)+28) - s.rtcp.avgSize) / 16
	s.rtcp.mu.Unlock()
	return nil
}

func (s *Session) receiveRTCP(b []byte) { s.receiveRTCPAt(b, s.now()) }

// receiveRTCPAt processes one compound packet from the peer: failures are
// counted like RTP's, reports about our stream kept for Stats.
func (s *Session) receiveRTCPAt(b []byte, arrival time.Time) {
	res, err := s.HandleRTCP(b, arrival)
	if err != nil {
		s.countUnprotectError(err)
		return
	}
	s.rtcp.mu.Lock()
	defer s.rtcp.mu.Unlock()
	s.rtcp.recv++
	s.rtcp.avgSize += (float64(len(b)+28) - s.rtcp.avgSize) / 16
	if n := len(res.Reports); n > 0 {
		s.rtcp.peer, s.rtcp.havePeer = res.Reports[n-1], true
	}
	if res.HaveRTT {
		s.rtcp.rtt, s.rtcp.haveRTT = res.RTT, true
	}
	if res.Bye {
		s.rtcp.peerBye = true
	}
}
