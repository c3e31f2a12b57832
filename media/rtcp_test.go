package media

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
)

func TestNTP(t *testing.T) {
	// 1970-01-01 is 2208988800 s after the NTP epoch; half a second is 0x80000000.
	if got := NTP(time.Unix(0, 5e8)); got != 2208988800<<32|0x80000000 {
		t.Fatalf("NTP = %x", got)
	}
}

func TestReceptionStatsKnownValues(t *testing.T) {
	r := ReceptionStats{ClockRate: 8000}
	t0 := time.Unix(1000, 0)
	// 100 packets 20 ms apart, seq starting at 65530 (wraps), 10 lost.
	// Arrival alternates 0 and +5 ms late: |D| is 40 ticks every packet.
	n := 0
	for i := range 100 {
		if i%10 == 5 {
			continue
		}
		late := time.Duration(i%2) * 5 * time.Millisecond
		r.Update(0xabc, uint16(65530+i), uint32(160*i), t0.Add(time.Duration(i)*20*time.Millisecond+late), true)
		n++
	}
	rr, ok := r.Report(t0.Add(2 * time.Second))
	if !ok {
		t.Fatal("no report")
	}
	if rr.SSRC != 0xabc || rr.TotalLost != 10 || rr.LastSequenceNumber != 1<<16+93 {
		t.Fatalf("report %+v", rr)
	}
	if rr.FractionLost != 10*256/100 { // 25
		t.Fatalf("fraction %d, want 25", rr.FractionLost)
	}
	// J converges to 40 ticks (1/16 gain) when |D| is 40 every time; gaps add 1-packet pairs of 0.
	if rr.Jitter < 30 || rr.Jitter > 40 {
		t.Fatalf("jitter %d, want about 40", rr.Jitter)
	}
	// Next interval, no loss: fraction 0, cumulative stays.
	for i := 100; i < 150; i++ {
		r.Update(0xabc, uint16(65530+i), uint32(160*i), t0.Add(time.Duration(i)*20*time.Millisecond), true)
	}
	rr, _ = r.Report(t0.Add(3 * time.Second))
	if rr.FractionLost != 0 || rr.TotalLost != 10 {
		t.Fatalf("second interval %+v", rr)
	}
}

func TestRoundTripFromReports(t *testing.T) {
	// A sends an SR at t0; B receives it at t0+30ms, reports 200 ms later;
	// A gets the RR at t0+260ms: RTT = 260 - 200 = 60 ms.
	t0 := time.Unix(5000, 250e6)
	var b ReceptionStats
	b.ClockRate = 8000
	b.Update(1, 10, 0, t0.Add(30*time.Millisecond), true)
	b.NoteSenderReport(&rtcp.SenderReport{SSRC: 1, NTPTime: NTP(t0)}, t0.Add(30*time.Millisecond))
	rr, _ := b.Report(t0.Add(230 * time.Millisecond))
	if rr.LastSenderReport != uint32(NTP(t0)>>16) || rr.Delay != 200*65536/1000 {
		t.Fatalf("LSR %x DLSR %d", rr.LastSenderReport, rr.Delay)
	}
	rtt, ok := RoundTrip(rr, t0.Add(260*time.Millisecond))
	if !ok || rtt < 59*time.Millisecond || rtt > 61*time.Millisecond {
		t.Fatalf("rtt %v %v, want 60 ms", rtt, ok)
	}
	if _, ok := RoundTrip(rtcp.ReceptionReport{}, t0); ok {
		t.Fatal("RTT without an SR")
	}
}

func TestSessionRTCPExchange(t *testing.T) {
	for _, srtp := range []bool{false, true} {
		a, b, _, got, stop := sessionPair(t, srtp, AEAD_AES_128_GCM)
		for range 20 {
			a.SendFrame(make([]byte, 160))
		}
		got.wait(t, 20)
		stop()
		t0 := time.Now()
		sr, err := a.MarshalRTCP(a.SenderReport(t0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.HandleRTCP(sr, t0.Add(10*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		rr, err := b.MarshalRTCP(b.ReceiverReport(t0.Add(50 * time.Millisecond)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.HandleRTCP(rr, t0.Add(70*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if !res.HaveRTT || res.RTT < 29*time.Millisecond || res.RTT > 31*time.Millisecond || len(res.Reports) != 1 || res.Reports[0].TotalLost != 0 {
			t.Fatalf("srtp %v: %+v, want RTT 30 ms", srtp, res)
		}
		if _, err := a.HandleRTCP([]byte{1, 2, 3}, t0); err == nil {
			t.Fatal("garbage RTCP accepted")
		}
	}
}

func FuzzHandleRTCP(f *testing.F) {
	s, _ := NewSession(SessionConfig{Conn: &memConn{}, Remote: pipeAddr("x")})
	sr, _ := s.MarshalRTCP(s.SenderReport(time.Unix(1, 0)))
	f.Add(sr)
	rr, _ := s.MarshalRTCP(&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: s.SSRC(), LastSenderReport: 5, Delay: 1}}})
	f.Add(rr)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = s.HandleRTCP(b, time.Unix(2, 0))
		s.Receive(b) // the RTP path reads the same kind of bytes
	})
}

func TestReceptionStatsStartReordered(t *testing.T) {
	// The stream's first packets arrive shuffled (a burst through a jittery
	// path): 104, 100, 102, 103, 101, 105..119 with 110 lost. Those before the
	// first one seen are expected as well: one lost, not fewer.
	var r ReceptionStats
	at := time.Unix(1, 0)
	for _, seq := range []uint16{104, 100, 102, 103, 101} {
		r.Update(7, seq, 0, at, false)
	}
	for seq := uint16(105); seq < 120; seq++ {
		if seq != 110 {
			r.Update(7, seq, 0, at, false)
		}
	}
	if exp, lost := r.Totals(); exp != 20 || lost != 1 {
		t.Fatalf("expected %d lost %d, want 20 and 1", exp, lost)
	}
	// A stale packet from long before is not taken as the start.
	r.Update(7, 60, 0, at, false)
	if exp, _ := r.Totals(); exp != 20 {
		t.Fatalf("a stale packet moved the start: expected %d", exp)
	}
}
