package main

import (
	"encoding/binary"
	"testing"
	"time"
)

// udpPacket wraps payload in IPv4 and UDP headers (checksums left zero).
func udpPacket(payload string) []byte {
	b := make([]byte, 28+len(payload))
	b[0], b[9] = 0x45, 17
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	binary.BigEndian.PutUint16(b[24:], uint16(8+len(payload)))
	copy(b[28:], payload)
	return b
}

func TestRegTimer(t *testing.T) {
	msgs := []string{
		"REGISTER sip:pbx SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\nExpires: 300\r\n\r\n",
		"SIP/2.0 401 Unauthorized\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n\r\n",
		"REGISTER sip:pbx SIP/2.0\r\nCall-ID: a\r\nCSeq: 2 REGISTER\r\nAuthorization: Digest x\r\n\r\n",
		"SIP/2.0 200 OK\r\ni: a\r\nCSeq: 2 REGISTER\r\n\r\n",
		// An unregistration is not a sample.
		"REGISTER sip:pbx SIP/2.0\r\nCall-ID: b\r\nCSeq: 1 REGISTER\r\nContact: <sip:1@h>;expires=0\r\n\r\n",
		"SIP/2.0 200 OK\r\nCall-ID: b\r\nCSeq: 1 REGISTER\r\n\r\n",
	}
	r := &regTimer{start: map[string]time.Time{}}
	t0 := time.Unix(1000, 0)
	for i, m := range msgs {
		payload, ok := parseIPv4UDP(udpPacket(m))
		if !ok {
			t.Fatalf("message %d: not parsed as UDP", i)
		}
		p, ok := parseSIP(payload)
		if !ok {
			t.Fatalf("message %d: not parsed as SIP", i)
		}
		r.packet(t0.Add(time.Duration(i)*time.Millisecond), p)
	}
	got := r.take()
	if len(got) != 1 || got[0] != 3*time.Millisecond {
		t.Errorf("samples %v, want [3ms]", got)
	}
}

func FuzzParsePacket(f *testing.F) {
	f.Add(udpPacket("SIP/2.0 200 OK\r\nCall-ID: a\r\nCSeq: 2 REGISTER\r\n\r\n"))
	f.Add(udpPacket("REGISTER sip:pbx SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\nm: <sip:x>;expires=0\r\n\r\n"))
	f.Add([]byte{0x45, 0, 0, 20})
	f.Fuzz(func(t *testing.T, b []byte) {
		payload, ok := parseIPv4UDP(b)
		if !ok {
			return
		}
		if len(payload) > len(b) {
			t.Fatal("payload longer than the packet")
		}
		p, ok := parseSIP(payload)
		if ok && p.callID == "" {
			t.Fatal("accepted without a Call-ID")
		}
		if ok && !p.request && (p.status < 100 || p.status > 699) {
			t.Fatalf("status %d accepted", p.status)
		}
	})
}
