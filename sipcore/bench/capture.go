package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"deskphone/lab"
)

// sipPacket is what the REGISTER timing needs of one SIP message on the wire.
type sipPacket struct {
	request     bool
	method      string // request method
	status      int    // response status
	callID      string
	cseqMethod  string
	auth        bool // carries Authorization
	expiresZero bool // Expires: 0 or a Contact with expires=0 (unregistration)
}

// parseIPv4UDP returns the UDP payload of an IPv4 packet.
func parseIPv4UDP(b []byte) ([]byte, bool) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return nil, false
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if ihl < 20 || total < ihl+8 || total > len(b) || b[9] != unix.IPPROTO_UDP {
		return nil, false
	}
	if frag := binary.BigEndian.Uint16(b[6:8]); frag&0x3fff != 0 {
		return nil, false // fragments: SIP here fits one datagram
	}
	udp := b[ihl:total]
	ulen := int(binary.BigEndian.Uint16(udp[4:6]))
	if ulen < 8 || ulen > len(udp) {
		return nil, false
	}
	return udp[8:ulen], true
}

// parseSIP reads the start line and the few headers the timing needs.
func parseSIP(b []byte) (sipPacket, bool) {
	head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	var p sipPacket
	first := strings.Fields(lines[0])
	switch {
	case len(first) >= 2 && first[0] == "SIP/2.0":
		n, err := strconv.Atoi(first[1])
		if err != nil || n < 100 || n > 699 {
			return p, false
		}
		p.status = n
	case len(first) == 3 && first[2] == "SIP/2.0":
		p.request, p.method = true, first[0]
	default:
		return p, false
	}
	for _, l := range lines[1:] {
		name, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "call-id", "i":
			p.callID = v
		case "cseq":
			if f := strings.Fields(v); len(f) == 2 {
				p.cseqMethod = f[1]
			}
		case "authorization":
			p.auth = true
		case "expires":
			p.expiresZero = v == "0"
		case "contact", "m":
			if strings.Contains(strings.ReplaceAll(v, " ", ""), ";expires=0") {
				p.expiresZero = true
			}
		}
	}
	return p, p.callID != ""
}

// regTimer turns captured packets into REGISTER round trips: from the
// first REGISTER of a registration (no Authorization yet) to its 2xx,
// the digest challenge included.
type regTimer struct {
	mu      sync.Mutex
	start   map[string]time.Time
	samples []time.Duration
}

func (r *regTimer) packet(at time.Time, p sipPacket) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case p.request && p.method == "REGISTER" && !p.auth && !p.expiresZero:
		if _, ok := r.start[p.callID]; !ok {
			r.start[p.callID] = at
		}
	case p.request && p.method == "REGISTER" && p.expiresZero:
		delete(r.start, p.callID)
	case !p.request && p.cseqMethod == "REGISTER" && p.status >= 200 && p.status < 300:
		if t0, ok := r.start[p.callID]; ok {
			r.samples = append(r.samples, at.Sub(t0))
			delete(r.start, p.callID)
		}
	}
}

// take returns the samples so far and starts a new set.
func (r *regTimer) take() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.samples
	r.samples, r.start = nil, map[string]time.Time{}
	return s
}

// capture reads every IPv4 packet of an interface in a lab namespace
// (AF_PACKET, both directions) into the timer until stop is called.
func capture(ns, ifname string, r *regTimer) (stop func(), err error) {
	var fd int
	err = lab.InNetns(ns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		// ETH_P_ALL: only its taps see the packets the namespace sends.
		proto := htons(unix.ETH_P_ALL)
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(proto))
		if err != nil {
			return fmt.Errorf("packet socket: %w", err)
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			return fmt.Errorf("bind packet socket: %w", err)
		}
		tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
		return unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	})
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", ifname, err)
	}
	r.take()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 65536)
		for {
			select {
			case <-done:
				return
			default:
			}
			n, _, err := unix.Recvfrom(fd, buf, 0)
			at := time.Now()
			if err != nil {
				continue // timeout: look at done
			}
			if payload, ok := parseIPv4UDP(buf[:n]); ok {
				if p, ok := parseSIP(payload); ok {
					r.packet(at, p)
				}
			}
		}
	}()
	return func() { close(done); wg.Wait(); unix.Close(fd) }, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
