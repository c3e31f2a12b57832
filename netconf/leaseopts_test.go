package netconf

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestParseLeaseServers(t *testing.T) {
	raw := []byte{
		1, 4, 255, 255, 255, 0, // mask: ignored here
		6, 8, 10, 0, 0, 1, 10, 0, 0, 2,
		0, // pad
		42, 4, 10, 0, 0, 3,
		255,
	}
	s, err := ParseLeaseServers(raw)
	if err != nil {
		t.Fatal(err)
	}
	wantDNS := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")}
	wantNTP := []netip.Addr{netip.MustParseAddr("10.0.0.3")}
	if !slices.Equal(s.DNS, wantDNS) || !slices.Equal(s.NTP, wantNTP) {
		t.Fatalf("got %+v", s)
	}
}

func TestParseLeaseServersBadLength(t *testing.T) {
	_, err := ParseLeaseServers([]byte{42, 3, 10, 0, 0, 255})
	if err == nil || !strings.Contains(err.Error(), "option 42") {
		t.Fatalf("err = %v, want one naming option 42", err)
	}
}

func FuzzParseLeaseServers(f *testing.F) {
	f.Add([]byte{6, 4, 10, 0, 0, 1, 42, 4, 10, 0, 0, 3, 255})
	f.Add([]byte{42, 3, 1, 2, 3})
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseLeaseServers(raw)
		if err != nil {
			return
		}
		for _, a := range append(s.DNS, s.NTP...) {
			if !a.Is4() {
				t.Fatalf("non-IPv4 address %v", a)
			}
		}
	})
}
