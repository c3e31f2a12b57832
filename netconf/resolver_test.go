package netconf

import (
	"context"
	"encoding/binary"
	"net"
	"slices"
	"testing"
)

// udpServer answers each datagram on loopback with reply(request), or
// not at all when reply returns nil; it stops with the test.
func udpServer(t *testing.T, reply func(req []byte) []byte) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := reply(buf[:n]); resp != nil {
				pc.WriteTo(resp, addr)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// dnsServer answers every A query on loopback with ip and AAAA queries with no records.
func dnsServer(t *testing.T, ip net.IP) string {
	t.Helper()
	return udpServer(t, func(buf []byte) []byte {
		n := len(buf)
		if n < 12 {
			return nil
		}
		// Find the end of the question name to read its type.
		i := 12
		for i < n && buf[i] != 0 {
			i += int(buf[i]) + 1
		}
		if i+5 > n {
			return nil
		}
		qtype := binary.BigEndian.Uint16(buf[i+1:])
		resp := append([]byte(nil), buf[:i+5]...)
		resp[2], resp[3] = 0x81, 0x80 // response, recursion desired+available
		binary.BigEndian.PutUint16(resp[6:], 0)
		binary.BigEndian.PutUint16(resp[8:], 0)
		binary.BigEndian.PutUint16(resp[10:], 0)
		if qtype == 1 {
			binary.BigEndian.PutUint16(resp[6:], 1)
			resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
			resp = append(resp, ip.To4()...)
		}
		return resp
	})
}

func TestResolverUsesPhoneServers(t *testing.T) {
	var d DNS
	if _, err := d.Resolver().LookupHost(context.Background(), "prov.lab.example"); err == nil {
		t.Fatal("lookup without name servers succeeded")
	}
	want := net.IPv4(192, 0, 2, 10)
	d.SetServers([]string{dnsServer(t, want)})
	addrs, err := d.Resolver().LookupHost(context.Background(), "prov.lab.example")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(addrs, want.String()) {
		t.Fatalf("addrs = %v, want %v", addrs, want)
	}
}

func TestDNSSetServersDefaultPort(t *testing.T) {
	var d DNS
	d.SetServers([]string{"10.0.0.1", "10.0.0.2:5353", "2001:db8::1"})
	want := []string{"10.0.0.1:53", "10.0.0.2:5353", "[2001:db8::1]:53"}
	if got := d.Servers(); !slices.Equal(got, want) {
		t.Fatalf("servers = %v, want %v", got, want)
	}
}
