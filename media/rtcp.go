package media

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/pion/rtcp"
)

// ntpEpochOffset is the seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// NTP converts t to a 64-bit NTP timestamp (32.32 fixed point since 1900).
func NTP(t time.Time) uint64 {
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := (uint64(t.Nanosecond()) << 32) / 1e9
	return sec<<32 | frac
}

// ntpMiddle is the compact 16.16 form used by LSR and RTT.
func ntpMiddle(t time.Time) uint32 { return uint32(NTP(t) >> 16) }

// ReceptionStats keeps RFC 3550 appendix A.3 and A.8 statistics for the
// source we receive, plus what LSR/DLSR need.
type ReceptionStats struct {
	ClockRate int

	mu          sync.Mutex
	started     bool
	ssrc        uint32
	baseSeq     uint32
	maxSeq      uint16
	cycles      uint32
	received    uint32
	expPrior    uint32
	recvPrior   uint32
	haveTransit bool
	transit     int64
	jitter      float64 // in RTP timestamp units
	lsr         uint32
	lsrAt       time.Time
}

// Update records one packet. audio=false (telephone events) skips the jitter
// estimate: an event's timestamp is its start, not its sampling instant.
func (r *ReceptionStats) Update(ssrc uint32, seq uint16, ts uint32, arrival time.Time, audio bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.started || ssrc != r.ssrc {
		r.restart(ssrc, seq)
	} else {
		d := seq - r.maxSeq
		switch {
		case d == 0:
		case d < 3000: // in order, maybe with a gap
			if seq < r.maxSeq {
				r.cycles += 1 << 16
			}
			r.maxSeq = seq
		case d > 65535-100: // a little out of order or a duplicate
			// One from just before the first packet we saw, early in the stream
			// (its start came reordered): it is expected too, or loss is
			// undercounted. 16 packets is a 320 ms burst.
			if r.cycles == 0 && r.received < 64 && uint32(seq) < r.baseSeq && r.baseSeq-uint32(seq) <= 16 {
				r.baseSeq = uint32(seq)
			}
		default: // a jump: the source restarted its numbering
			r.restart(ssrc, seq)
		}
	}
	r.received++
	if !audio || r.ClockRate == 0 {
		return
	}
	at := arrival.UnixNano() * int64(r.ClockRate) / 1e9
	tr := at - int64(ts)
	if r.haveTransit {
		d := tr - r.transit
		// Timestamps wrap at 2^32: fold the difference back.
		d = int64(int32(d))
		r.jitter += (math.Abs(float64(d)) - r.jitter) / 16
	}
	r.transit, r.haveTransit = tr, true
}

// restart forgets the previous source; the mutex is held and kept.
func (r *ReceptionStats) restart(ssrc uint32, seq uint16) {
	r.started, r.ssrc, r.baseSeq, r.maxSeq, r.cycles = true, ssrc, uint32(seq), seq, 0
	r.received, r.expPrior, r.recvPrior = 0, 0, 0
	r.haveTransit, r.transit, r.jitter = false, 0, 0
}

func (r *ReceptionStats) expected() uint32 {
	return r.cycles + uint32(r.maxSeq) - r.baseSeq + 1
}

// Lost is the cumulative number of packets lost (negative with duplicates).
func (r *ReceptionStats) Lost() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.started {
		return 0
	}
	return int64(r.expected()) - int64(r.received)
}

// Totals are the packets expected (highest sequence - first + 1) and lost
// since the source started, for a loss percentage.
func (r *ReceptionStats) Totals() (expected uint32, lost int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.started {
		return 0, 0
	}
	return r.expected(), int64(r.expected()) - int64(r.received)
}

// Jitter is the interarrival jitter estimate in RTP timestamp units.
func (r *ReceptionStats) Jitter() uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return uint32(r.jitter)
}

// NoteSenderReport remembers the peer's last SR for LSR/DLSR.
func (r *ReceptionStats) NoteSenderReport(sr *rtcp.SenderReport, arrival time.Time) {
	r.mu.Lock()
	r.lsr = uint32(sr.NTPTime >> 16)
	r.lsrAt = arrival
	r.mu.Unlock()
}

// Report builds the reception report block and starts a new interval for
// the fraction lost. ok is false before any packet arrived.
func (r *ReceptionStats) Report(now time.Time) (rtcp.ReceptionReport, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.started {
		return rtcp.ReceptionReport{}, false
	}
	exp := r.expected()
	expInt := exp - r.expPrior
	recvInt := r.received - r.recvPrior
	r.expPrior, r.recvPrior = exp, r.received
	var frac uint8
	if lostInt := int64(expInt) - int64(recvInt); expInt > 0 && lostInt > 0 {
		frac = uint8((lostInt << 8) / int64(expInt))
	}
	lost := int64(exp) - int64(r.received)
	// The field is a signed 24-bit number: clamp it.
	lost = max(min(lost, 0x7fffff), -0x800000)
	rr := rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       frac,
		TotalLost:          uint32(lost) & 0xffffff,
		LastSequenceNumber: r.cycles + uint32(r.maxSeq),
		Jitter:             uint32(r.jitter),
	}
	if !r.lsrAt.IsZero() {
		rr.LastSenderReport = r.lsr
		rr.Delay = uint32(now.Sub(r.lsrAt).Seconds() * 65536)
	}
	return rr, true
}

// RoundTrip computes the RTT from a report block about our stream that
// arrived at arrival (RFC 3550 6.4.1). ok is false when the peer has not
// seen an SR from us yet.
func RoundTrip(rr rtcp.ReceptionReport, arrival time.Time) (time.Duration, bool) {
	if rr.LastSenderReport == 0 {
		return 0, false
	}
	a := ntpMiddle(arrival)
	d := int64(int32(a - rr.LastSenderReport - rr.Delay))
	if d < 0 {
		return 0, false
	}
	return time.Duration(d * int64(time.Second) / 65536), true
}

// SenderReport builds our SR (with a report block on what we receive).
func (s *Session) SenderReport(now time.Time) *rtcp.SenderReport {
	s.mu.Lock()
	sr := &rtcp.SenderReport{SSRC: s.ssrc, NTPTime: NTP(now), RTPTime: s.ts,
		PacketCount: uint32(s.sent.PacketsSent), OctetCount: uint32(s.sent.BytesSent)}
	s.mu.Unlock()
	if rr, ok := s.stats.Report(now); ok {
		sr.Reports = []rtcp.ReceptionReport{rr}
	}
	return sr
}

// ReceiverReport builds our RR, for when we have not sent (held, receive only).
func (s *Session) ReceiverReport(now time.Time) *rtcp.ReceiverReport {
	rr := &rtcp.ReceiverReport{SSRC: s.ssrc}
	if b, ok := s.stats.Report(now); ok {
		rr.Reports = []rtcp.ReceptionReport{b}
	}
	return rr
}

// MarshalRTCP encodes (and under SRTP protects) an RTCP compound packet.
func (s *Session) MarshalRTCP(pkts ...rtcp.Packet) ([]byte, error) {
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		return nil, fmt.Errorf("marshal rtcp: %w", err)
	}
	if s.tx == nil {
		return b, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.tx.EncryptRTCP(nil, b, nil)
	if err != nil {
		return nil, fmt.Errorf("protect rtcp: %w", err)
	}
	return out, nil
}

// RTCPResult is what a received RTCP packet told us.
type RTCPResult struct {
	RTT     time.Duration
	HaveRTT bool
	Reports []rtcp.ReceptionReport // blocks about our stream
	Bye     bool
}

// HandleRTCP unprotects and parses an RTCP compound packet from the peer.
func (s *Session) HandleRTCP(b []byte, arrival time.Time) (RTCPResult, error) {
	var res RTCPResult
	if s.rx != nil {
		s.rxCrypt.Lock()
		plain, err := s.rx.DecryptRTCP(nil, b, nil)
		s.rxCrypt.Unlock()
		if err != nil {
			return res, fmt.Errorf("unprotect rtcp: %w", err)
		}
		b = plain
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return res, fmt.Errorf("parse rtcp: %w", err)
	}
	var blocks []rtcp.ReceptionReport
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			s.stats.NoteSenderReport(p, arrival)
			blocks = append(blocks, p.Reports...)
		case *rtcp.ReceiverReport:
			blocks = append(blocks, p.Reports...)
		case *rtcp.Goodbye:
			res.Bye = true
		}
	}
	for _, rr := range blocks {
		if rr.SSRC != s.ssrc {
			continue
		}
		res.Reports = append(res.Reports, rr)
		if d, ok := RoundTrip(rr, arrival); ok {
			res.RTT, res.HaveRTT = d, true
		}
	}
	if len(pkts) == 0 {
		return res, errors.New("parse rtcp: empty compound packet")
	}
	return res, nil
}
