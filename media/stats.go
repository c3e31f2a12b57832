package media

import "time"

// CallStats is what the call-information screen shows about a call's media.
// Loss and jitter of what we receive are measured here; the Peer fields are
// what the peer's last RTCP report said about what we send.
type CallStats struct {
	PacketsSent, PacketsReceived uint64

	Lost        int64         // packets from the peer that never arrived, cumulative (RFC 3550 A.3)
	LossPercent float64       // Lost over the packets expected, cumulative
	Jitter      time.Duration // interarrival jitter of the stream we receive (RFC 3550 A.8)

	PeerReport      bool          // a report about our stream has arrived
	PeerLossPercent float64       // the fraction lost in the peer's last report interval
	PeerLost        int64         // the peer's cumulative count
	PeerJitter      time.Duration // the jitter the peer measures on our stream
	RTT             time.Duration // round trip from the peer's LSR/DLSR (RFC 3550 6.4.1)
	HaveRTT         bool

	JitterDepth time.Duration // the jitter buffer's playout delay now
	Concealed   time.Duration // audio made up for lost or late frames
	Late        uint64        // frames that came after their playout time
	Skipped     uint64        // frames dropped to bring the playout delay down

	AuthFailures   uint64 // SRTP/SRTCP packets that failed authentication
	ReplaysDropped uint64 // SRTP/SRTCP packets dropped as replays

	ReportsSent, ReportsReceived uint64 // RTCP compound packets
	PeerLeft                     bool   // the peer sent an RTCP BYE
}

// Stats gathers the session's statistics for the call screen.
func (s *Session) Stats() CallStats {
	c := s.Counters()
	st := CallStats{PacketsSent: c.PacketsSent, PacketsReceived: c.PacketsReceived,
		AuthFailures: c.AuthFailures, ReplaysDropped: c.ReplaysDropped}
	exp, lost := s.stats.Totals()
	st.Lost = lost
	if exp > 0 && lost > 0 {
		st.LossPercent = 100 * float64(lost) / float64(exp)
	}
	rate := time.Duration(s.cfg.ClockRate)
	st.Jitter = time.Duration(s.stats.Jitter()) * time.Second / rate

	s.rtcp.mu.Lock()
	st.ReportsSent, st.ReportsReceived = s.rtcp.sent, s.rtcp.recv
	if s.rtcp.havePeer {
		p := s.rtcp.peer
		st.PeerReport = true
		st.PeerLossPercent = 100 * float64(p.FractionLost) / 256
		st.PeerLost = int64(int32(p.TotalLost<<8) >> 8) // a signed 24-bit field
		st.PeerJitter = time.Duration(p.Jitter) * time.Second / rate
	}
	st.RTT, st.HaveRTT, st.PeerLeft = s.rtcp.rtt, s.rtcp.haveRTT, s.rtcp.peerBye
	s.rtcp.mu.Unlock()

	if jb := s.cfg.Jitter; jb != nil {
		js := jb.Stats()
		st.JitterDepth, st.Concealed, st.Late, st.Skipped = js.Depth, js.Concealed, js.Late, js.Skipped
	}
	return st
}
