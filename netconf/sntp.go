package netconf

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"
)

// ntpEpochOffset is the number of seconds from 1900-01-01 (NTP era 0) to 1970-01-01.
const ntpEpochOffset = 2208988800

const sntpPacketLen = 48

// SNTPResult is what one SNTP exchange gave.
type SNTPResult struct {
	Time    time.Time     // server transmit time corrected by half the round trip
	Offset  time.Duration // server clock minus local clock (RFC 4330 section 5)
	Stratum uint8
}

// toNTP encodes t as a 64-bit NTP timestamp.
func toNTP(t time.Time) uint64 {
	secs := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return secs<<32 | frac
}

// fromNTP decodes a 64-bit NTP timestamp, assuming era 0 up to 2036 and era 1
// afterwards (RFC 4330 section 3: MSB clear means after 2036).
func fromNTP(v uint64) time.Time {
	secs := int64(v >> 32)
	if secs&0x80000000 == 0 {
		secs += 1 << 32
	}
	nsec := int64((v & 0xffffffff) * 1e9 >> 32)
	return time.Unix(secs-ntpEpochOffset, nsec).UTC()
}

// sntpReply is a parsed server reply.
type sntpReply struct {
	leap, version, mode, stratum uint8
	origin, receive, transmit    uint64
}

// parseSNTPReply checks a server reply against RFC 4330 section 5.
func parseSNTPReply(b []byte) (sntpReply, error) {
	var r sntpReply
	if len(b) < sntpPacketLen {
		return r, fmt.Errorf("sntp reply: %d bytes, want at least %d", len(b), sntpPacketLen)
	}
	r.leap = b[0] >> 6
	r.version = b[0] >> 3 & 7
	r.mode = b[0] & 7
	r.stratum = b[1]
	r.origin = binary.BigEndian.Uint64(b[24:])
	r.receive = binary.BigEndian.Uint64(b[32:])
	r.transmit = binary.BigEndian.Uint64(b[40:])
	switch {
	case r.mode != 4:
		return r, fmt.Errorf("sntp reply: mode %d, want 4 (server)", r.mode)
	case r.version < 1 || r.version > 4:
		return r, fmt.Errorf("sntp reply: version %d unsupported", r.version)
	case r.leap == 3:
		return r, errors.New("sntp reply: server clock not synchronized (leap indicator 3)")
	case r.stratum == 0:
		return r, errors.New("sntp reply: kiss-o'-death (stratum 0)")
	case r.stratum > 15:
		return r, fmt.Errorf("sntp reply: stratum %d out of range", r.stratum)
	case r.transmit == 0:
		return r, errors.New("sntp reply: zero transmit timestamp")
	}
	return r, nil
}

// QuerySNTP asks server (host or host:port, default port 123) for the time
// once. now is the local clock used for the request and offset; nil means time.Now.
func QuerySNTP(ctx context.Context, server string, now func() time.Time) (SNTPResult, error) {
	if now == nil {
		now = time.Now
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "123")
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return SNTPResult{}, fmt.Errorf("sntp dial %s: %w", server, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	req := make([]byte, sntpPacketLen)
	req[0] = 4<<3 | 3 // version 4, mode 3 (client)
	t1 := now()
	// The transmit timestamp is echoed back as origin; it binds the reply to this request.
	sent := toNTP(t1)
	binary.BigEndian.PutUint64(req[40:], sent)
	if _, err := conn.Write(req); err != nil {
		return SNTPResult{}, fmt.Errorf("sntp send %s: %w", server, err)
	}
	buf := make([]byte, 512)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return SNTPResult{}, fmt.Errorf("sntp read %s: %w", server, ctx.Err())
			}
			return SNTPResult{}, fmt.Errorf("sntp read %s: %w", server, err)
		}
		t4 := now()
		r, err := parseSNTPReply(buf[:n])
		if err != nil {
			return SNTPResult{}, fmt.Errorf("sntp %s: %w", server, err)
		}
		if r.origin != sent {
			continue // stale or spoofed reply: keep waiting for ours
		}
		t2, t3 := fromNTP(r.receive), fromNTP(r.transmit)
		if r.receive == 0 {
			t2 = t3
		}
		offset := (t2.Sub(t1) + t3.Sub(t4)) / 2
		delay := t4.Sub(t1) - t3.Sub(t2)
		if delay < 0 {
			delay = 0
		}
		return SNTPResult{Time: t3.Add(delay / 2), Offset: offset, Stratum: r.stratum}, nil
	}
}
