package pcport

import (
	"bytes"
	"net"
	"testing"
)

// FuzzForward feeds arbitrary frames to both directions' decisions and
// checks what may never pass: runts, tagged frames, link-local control
// frames, frames from or to the phone.
func FuzzForward(f *testing.F) {
	f.Add(eapolStart)
	f.Add(frame(bcast, pcMAC, 0x8100, 0, 0x64, 8, 0))
	f.Add(frame(lldpDst, switchM, 0x88cc, 2, 7, 4))
	f.Add(frame(phoneLAN, switchM, 0x0800, 0x45))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := New(Config{Own: []net.HardwareAddr{phoneLAN, phonePC}, Enabled: true})
		for _, pass := range []func([]byte) bool{p.fromLAN, p.fromPC} {
			if !pass(b) {
				continue
			}
			switch {
			case len(b) < ethHeaderLen:
				t.Fatalf("runt %x passed", b)
			case tagTypes[etherType(b)]:
				t.Fatalf("tagged %x passed", b)
			case isLinkLocal(dst(b)):
				t.Fatalf("link-local %x passed", b)
			case bytes.Equal(src(b), phoneLAN) || bytes.Equal(dst(b), phoneLAN) ||
				bytes.Equal(src(b), phonePC) || bytes.Equal(dst(b), phonePC):
				t.Fatalf("the phone's frame %x passed", b)
			}
		}
	})
}
