package netconf

import (
	"context"
	"encoding/binary"
	"net"
	"strings"
	"testing"
	"time"
)

// sntpServer answers on loopback with serverTime as receive and transmit time.
// mutate may spoil the reply to test rejection.
func sntpServer(t *testing.T, serverTime time.Time, mutate func([]byte)) string {
	t.Helper()
	return udpServer(t, func(buf []byte) []byte {
		if len(buf) < 48 || buf[0]&7 != 3 {
			return nil
		}
		resp := make([]byte, 48)
		resp[0] = 4<<3 | 4
		resp[1] = 2
		copy(resp[24:32], buf[40:48])
		binary.BigEndian.PutUint64(resp[32:], toNTP(serverTime))
		binary.BigEndian.PutUint64(resp[40:], toNTP(serverTime))
		if mutate != nil {
			mutate(resp)
		}
		return resp
	})
}

func TestNTPTimestampRoundTrip(t *testing.T) {
	// RFC 4330 section 3: 1900-01-01 is 0; 2036-02-07 06:28:16 wraps to era 1.
	if got := fromNTP(uint64(ntpEpochOffset) << 32); !got.Equal(time.Unix(0, 0)) {
		t.Errorf("fromNTP(unix epoch) = %v", got)
	}
	wrap := time.Date(2036, 2, 7, 6, 28, 16, 0, time.UTC)
	if got := toNTP(wrap) >> 32; got != 0 {
		t.Errorf("toNTP(2036 wrap) seconds = %d, want 0", got)
	}
	for _, want := range []time.Time{
		time.Date(2026, 11, 23, 10, 0, 0, 500_000_000, time.UTC),
		time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		got := fromNTP(toNTP(want))
		if d := got.Sub(want); d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("round trip %v -> %v", want, got)
		}
	}
}

func TestQuerySNTP(t *testing.T) {
	serverTime := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	addr := sntpServer(t, serverTime, nil)
	// A fixed local clock at 1970 makes the offset exact: the round trip is zero.
	local := time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	r, err := QuerySNTP(context.Background(), addr, func() time.Time { return local })
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Time.Sub(serverTime); d < -time.Microsecond || d > time.Microsecond {
		t.Errorf("time = %v, want %v", r.Time, serverTime)
	}
	if d := local.Add(r.Offset).Sub(serverTime); d < -time.Microsecond || d > time.Microsecond {
		t.Errorf("offset %v puts local at %v, want %v", r.Offset, local.Add(r.Offset), serverTime)
	}
	if r.Stratum != 2 {
		t.Errorf("stratum = %d", r.Stratum)
	}
}

func TestQuerySNTPRejects(t *testing.T) {
	serverTime := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		mutate func([]byte)
		want   string
	}{
		"kiss of death": {func(b []byte) { b[1] = 0 }, "stratum 0"},
		"unsynced":      {func(b []byte) { b[0] = 3<<6 | 4<<3 | 4 }, "not synchronized"},
		"client mode":   {func(b []byte) { b[0] = 4<<3 | 3 }, "mode 3"},
	} {
		t.Run(name, func(t *testing.T) {
			addr := sntpServer(t, serverTime, tc.mutate)
			_, err := QuerySNTP(context.Background(), addr, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestQuerySNTPContextCancel(t *testing.T) {
	// A socket that never answers: only the context ends the query.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		buf := make([]byte, 64)
		pc.ReadFrom(buf)
		cancel()
	}()
	if _, err := QuerySNTP(ctx, pc.LocalAddr().String(), nil); err == nil || ctx.Err() == nil {
		t.Fatalf("err = %v, want context cancellation", err)
	}
}

func FuzzParseSNTPReply(f *testing.F) {
	good := make([]byte, 48)
	good[0], good[1] = 4<<3|4, 1
	binary.BigEndian.PutUint64(good[40:], toNTP(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseSNTPReply(b)
		if err != nil {
			return
		}
		if r.mode != 4 || r.stratum == 0 || r.stratum > 15 || r.transmit == 0 {
			t.Fatalf("accepted invalid reply %+v", r)
		}
		_ = fromNTP(r.transmit)
	})
}
