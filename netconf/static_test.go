package netconf

import (
	"net/netip"
	"strings"
	"testing"
)

func TestStatic(t *testing.T) {
	a, err := Static(StaticSettings{IP: "10.99.0.100", Mask: "255.255.255.0", Gateway: "10.99.0.1", DNS1: "10.99.0.1", DNS2: "9.9.9.9"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Prefix != netip.MustParsePrefix("10.99.0.100/24") || a.Gateway != netip.MustParseAddr("10.99.0.1") || len(a.DNS) != 2 || a.Source != SourceStatic {
		t.Errorf("static: %+v", a)
	}
	bad := []struct {
		s    StaticSettings
		name string
	}{
		{StaticSettings{IP: "", Mask: "255.255.255.0"}, "net.ip"},
		{StaticSettings{IP: "10.99.0.100", Mask: "255.0.255.0"}, "net.mask"},
		{StaticSettings{IP: "10.99.0.100", Mask: "255.255.255.0", Gateway: "10.98.0.1"}, "net.gateway"},
		{StaticSettings{IP: "10.99.0.100", Mask: "255.255.255.0", DNS2: "x"}, "net.dns2"},
	}
	for _, b := range bad {
		if _, err := Static(b.s); err == nil || !strings.Contains(err.Error(), b.name) {
			t.Errorf("%+v: error %v, want it to name %s", b.s, err, b.name)
		}
	}
}

// FuzzStatic: any settings give a usable address or an error naming one.
func FuzzStatic(f *testing.F) {
	f.Add("10.99.0.100", "255.255.255.0", "10.99.0.1", "10.99.0.1", "")
	f.Fuzz(func(t *testing.T, ip, mask, gw, dns1, dns2 string) {
		a, err := Static(StaticSettings{IP: ip, Mask: mask, Gateway: gw, DNS1: dns1, DNS2: dns2})
		if err != nil {
			if !strings.Contains(err.Error(), "net.") {
				t.Fatalf("error names no setting: %v", err)
			}
			return
		}
		if !a.Prefix.Addr().Is4() || a.Prefix.Bits() < 1 || a.Prefix.Bits() > 30 {
			t.Fatalf("bad prefix %v", a.Prefix)
		}
		if a.Gateway.IsValid() && !a.Prefix.Masked().Contains(a.Gateway) {
			t.Fatalf("gateway %v outside %v", a.Gateway, a.Prefix)
		}
	})
}
