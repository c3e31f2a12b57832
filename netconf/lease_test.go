package netconf

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

func ackBytes(t testing.TB, mods ...dhcpv4.Modifier) []byte {
	t.Helper()
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{dhcpv4.WithMessageType(dhcpv4.MessageTypeAck),
		dhcpv4.WithYourIP(net.IPv4(10, 99, 0, 150)), dhcpv4.WithLeaseTime(3600)}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m.ToBytes()
}

// TestParseLease: the times default as RFC 2131 says, a router outside the
// subnet is ignored, and what cannot be used is refused with its reason.
func TestParseLease(t *testing.T) {
	a, err := ParseLease(ackBytes(t, dhcpv4.WithNetmask(net.CIDRMask(16, 32)),
		dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(192, 168, 1, 1), net.IPv4(10, 99, 0, 1)))))
	if err != nil {
		t.Fatal(err)
	}
	if a.Prefix != netip.MustParsePrefix("10.99.0.150/16") || a.Gateway != netip.MustParseAddr("10.99.0.1") ||
		a.T1.Seconds() != 1800 || a.T2.Seconds() != 3150 {
		t.Errorf("lease: %+v", a)
	}
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{ackBytes(t, dhcpv4.WithMessageType(dhcpv4.MessageTypeOffer)), "want ACK"},
		{ackBytes(t, dhcpv4.WithYourIP(net.IPv4zero)), "unusable address"},
		{ackBytes(t, dhcpv4.WithNetmask(net.IPMask{255, 0, 255, 0})), "bad subnet mask"},
		{ackBytes(t, dhcpv4.WithoutOption(dhcpv4.OptionIPAddressLeaseTime)), "no lease time"},
		{[]byte{1, 2, 3}, "parse dhcp lease"},
	} {
		if _, err := ParseLease(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

// FuzzParseLease: any bytes give an Address that holds together or an error.
func FuzzParseLease(f *testing.F) {
	f.Add(ackBytes(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseLease(b)
		if err != nil {
			return
		}
		if !a.Prefix.IsValid() || !a.Prefix.Addr().Is4() || a.Lease <= 0 || a.T1 <= 0 || a.T1 >= a.T2 || a.T2 >= a.Lease {
			t.Fatalf("inconsistent lease %+v", a)
		}
		if a.Gateway.IsValid() && !a.Prefix.Masked().Contains(a.Gateway) {
			t.Fatalf("gateway %v outside %v", a.Gateway, a.Prefix)
		}
	})
}
