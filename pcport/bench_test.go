package pcport

import (
	"net"
	"testing"
)

// BenchmarkDecide is the per-frame cost of the forwarding decision in both
// directions (the socket copies are the kernel's).
func BenchmarkDecide(b *testing.B) {
	p := New(Config{Own: []net.HardwareAddr{phoneLAN, phonePC}, Enabled: true})
	toPC := frame(pcMAC, switchM, 0x0800, make([]byte, 1486)...)
	fromPC := frame(switchM, pcMAC, 0x0800, make([]byte, 1486)...)
	b.ReportAllocs()
	for b.Loop() {
		p.fromLAN(toPC)
		p.fromPC(fromPC)
	}
}
