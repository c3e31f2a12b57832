package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"

	"deskphone/lab"
)

// notifyLatency sends n check-sync NOTIFYs over UDP from the provisioning
// server's address to target (sip:user@host:port), one at a time, and
// returns each one's time from send to the final response.
func notifyLatency(ctx context.Context, l *lab.Lab, target string, n int) ([]time.Duration, error) {
	c, err := lab.ListenPacket(l.ServicesNS, "udp", lab.AddrProv+":0")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	dst, err := net.ResolveUDPAddr("udp", target[strings.IndexByte(target, '@')+1:])
	if err != nil {
		return nil, fmt.Errorf("notify target %s: %w", target, err)
	}
	local := c.LocalAddr().String()
	buf := make([]byte, 65536)
	var out []time.Duration
	for i := range n {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		callID := randHex(8)
		req := strings.Join([]string{
			"NOTIFY " + target + " SIP/2.0",
			"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + randHex(8),
			"From: <sip:provisioning@" + lab.AddrProv + ">;tag=" + randHex(4),
			"To: <" + target + ">",
			"Call-ID: " + callID,
			fmt.Sprintf("CSeq: %d NOTIFY", i+1),
			"Max-Forwards: 70",
			"Contact: <sip:provisioning@" + local + ">",
			"Event: check-sync;reboot=false",
			"Subscription-State: terminated",
			"Content-Length: 0", "", "",
		}, "\r\n")
		t0 := time.Now()
		if _, err := c.WriteTo([]byte(req), dst); err != nil {
			return out, fmt.Errorf("send NOTIFY: %w", err)
		}
		for {
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			k, _, err := c.ReadFrom(buf)
			if err != nil {
				return out, fmt.Errorf("NOTIFY %d to %s: %w", i+1, target, err)
			}
			at := time.Now()
			p, ok := parseSIP(buf[:k])
			if ok && !p.request && p.callID == callID && p.status >= 200 {
				out = append(out, at.Sub(t0))
				break
			}
		}
	}
	return out, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
