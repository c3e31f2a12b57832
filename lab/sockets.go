package lab

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// sock is a listening socket a service must have open to be ready.
type sock struct {
	proto string // "tcp" or "udp"
	addr  string
	port  int
}

func (s sock) String() string { return fmt.Sprintf("%s %s:%d", s.proto, s.addr, s.port) }

// waitListening waits until every socket is open in p's namespace, read
// from /proc/PID/net: no probe traffic, and it works for UDP.
func waitListening(ctx context.Context, p *Process, socks ...sock) error {
	pending := socks
	for {
		var still []sock
		for _, s := range pending {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", p.Pid(), s.proto))
			if err != nil || !hasListener(b, s.proto, net.ParseIP(s.addr), s.port) {
				still = append(still, s)
			}
		}
		if pending = still; len(pending) == 0 {
			return nil
		}
		if !p.Running() {
			return fmt.Errorf("%s exited before listening on %v: %s", p.Name, pending, tail(p.output(), 15))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not listening on %v: %w", p.Name, pending, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// hasListener reports whether a /proc/net/tcp or udp table has a socket
// bound to ip:port in the listening (TCP) or unconnected (UDP) state.
func hasListener(table []byte, proto string, ip net.IP, port int) bool {
	for _, e := range parseSockTable(table) {
		if e.port != port || !e.ip.Equal(ip) {
			continue
		}
		if (proto == "tcp" && e.state == 0x0a) || (proto == "udp" && e.state == 0x07) {
			return true
		}
	}
	return false
}

type sockEntry struct {
	ip    net.IP
	port  int
	state int
}

// parseSockTable parses the IPv4 /proc/net/{tcp,udp} format: a header line,
// then "sl local_address rem_address st ..." with addresses as
// little-endian hex "0100007F:0035".
func parseSockTable(b []byte) []sockEntry {
	var out []sockEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		hostHex, portHex, ok := strings.Cut(f[1], ":")
		if !ok || len(hostHex) != 8 {
			continue
		}
		raw, err := hex.DecodeString(hostHex)
		if err != nil {
			continue
		}
		port, err1 := strconv.ParseUint(portHex, 16, 16)
		st, err2 := strconv.ParseUint(f[3], 16, 8)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, sockEntry{ip: net.IPv4(raw[3], raw[2], raw[1], raw[0]), port: int(port), state: int(st)})
	}
	return out
}

// waitFor polls cond until it holds, the context ends or p exits.
func waitFor(ctx context.Context, cond func() bool, p *Process) error {
	for !cond() {
		if p != nil && !p.Running() {
			return fmt.Errorf("%s exited: %s", p.Name, tail(p.output(), 15))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
