package pcport

import (
	"bytes"
	"context"
	"encoding/hex"
	"net"
	"sync"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/hal/sim"
	"deskphone/status"
)

var (
	phoneLAN = net.HardwareAddr{0x02, 0, 0, 0, 0x01, 0x01}
	phonePC  = net.HardwareAddr{0x02, 0, 0, 0, 0x01, 0x02}
	pcMAC    = net.HardwareAddr{0x02, 0, 0, 0, 0x02, 0x01}
	switchM  = net.HardwareAddr{0x02, 0, 0, 0, 0x0a, 0x01}
	bcast    = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	lldpDst  = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}
	stpDst   = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}
)

// frame builds an Ethernet frame with a small payload.
func frame(d, s net.HardwareAddr, typ uint16, payload ...byte) []byte {
	f := append(append(append([]byte{}, d...), s...), byte(typ>>8), byte(typ))
	return append(f, payload...)
}

// eapolStart is the PC's EAPOL-Start (version 1) to the PAE group address.
var eapolStart = frame(PAEGroupAddr, pcMAC, 0x888e, 1, 1, 0, 0)

type rig struct {
	lan, pc *MemFrames
	link    *sim.Port
	port    *Port
	mu      sync.Mutex
	states  []status.PCPort
	cancel  context.CancelFunc
	done    chan error
}

func startRig(t *testing.T, enabled, linkUp bool) *rig {
	t.Helper()
	r := &rig{lan: NewMemFrames(), pc: NewMemFrames(), link: sim.NewPort(hal.PC, "pc0", phonePC), done: make(chan error, 1)}
	r.link.SetLink(linkUp)
	r.port = New(Config{LAN: r.lan, PC: r.pc, PCLink: r.link, Own: []net.HardwareAddr{phoneLAN, phonePC},
		Enabled: enabled, Publish: func(s status.PCPort) {
			r.mu.Lock()
			r.states = append(r.states, s)
			r.mu.Unlock()
		}})
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.port.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-r.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitState polls the port's state until ok holds (no timing asserted:
// the deadline only ends a hung test).
func waitState(t *testing.T, p *Port, ok func(status.PCPort) bool) status.PCPort {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		s := p.State()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("state never reached: %+v", s)
		}
	}
}

func TestForwardsBothWaysAndLearnsPC(t *testing.T) {
	r := startRig(t, true, true)
	ctx := waitCtx(t)
	r.pc.Receive(eapolStart)
	sent, err := r.lan.WaitSent(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sent[0], eapolStart) {
		t.Errorf("LAN got %x, want the PC's EAPOL-Start %x", sent[0], eapolStart)
	}
	eapReq := frame(pcMAC, switchM, 0x888e, 2, 0, 0, 5, 1, 1, 0, 5, 1)
	r.lan.Receive(eapReq)
	sent, err = r.pc.WaitSent(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sent[0], eapReq) {
		t.Errorf("PC got %x, want the switch's EAP request %x", sent[0], eapReq)
	}
	if s := r.port.State(); s.PCMAC != pcMAC.String() || !s.Enabled || !s.LinkUp {
		t.Errorf("state %+v, want enabled, link up, PC %s", s, pcMAC)
	}
}

// TestDrops sends each frame that must not pass, then a marker frame that
// must: frames of one direction are handled in order, so once the marker
// is out the earlier frame was dropped, not merely late.
func TestDrops(t *testing.T) {
	tagged := frame(bcast, pcMAC, 0x8100, 0x00, 0x64, 0x08, 0x00)
	cases := []struct {
		name   string
		fromPC bool
		f      []byte
	}{
		{"runt from PC", true, []byte{1, 2, 3}},
		{"runt from LAN", false, eapolStart[:13]},
		{"PC spoofs the phone", true, frame(bcast, phoneLAN, 0x0800, 0x45)},
		{"PC to the phone", true, frame(phonePC, pcMAC, 0x0800, 0x45)},
		{"tagged from PC", true, tagged},
		{"QinQ from PC", true, frame(bcast, pcMAC, 0x88a8, 0, 0x64, 0x81, 0)},
		{"LLDP from PC", true, frame(lldpDst, pcMAC, 0x88cc, 2, 7)},
		{"STP from PC", true, frame(stpDst, pcMAC, 0x0026, 0x42, 0x42)},
		{"group source from PC", true, frame(bcast, bcast, 0x0800, 0x45)},
		{"LAN to the phone", false, frame(phoneLAN, switchM, 0x888e, 2, 0, 0, 4)},
		{"the phone's own frame back", false, frame(bcast, phoneLAN, 0x0806, 0)},
		{"tagged from LAN", false, frame(bcast, switchM, 0x8100, 0x00, 0x64, 0x08, 0x06)},
		{"LLDP from the switch", false, frame(lldpDst, switchM, 0x88cc, 2, 7)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := startRig(t, true, true)
			in, out := r.lan, r.pc
			marker := frame(bcast, switchM, 0x0806, 0xaa)
			if c.fromPC {
				in, out = r.pc, r.lan
				marker = frame(bcast, pcMAC, 0x0806, 0xaa)
			}
			in.Receive(c.f)
			in.Receive(marker)
			sent, err := out.WaitSent(waitCtx(t), 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(sent) != 1 || !bytes.Equal(sent[0], marker) {
				t.Errorf("forwarded %x, want only the marker", sent)
			}
		})
	}
}

func TestPAEGroupPassesFromLAN(t *testing.T) {
	r := startRig(t, true, true)
	f := frame(PAEGroupAddr, switchM, 0x888e, 2, 0, 0, 5, 1, 1, 0, 5, 1)
	r.lan.Receive(f)
	sent, err := r.pc.WaitSent(waitCtx(t), 1)
	if err != nil || !bytes.Equal(sent[0], f) {
		t.Fatalf("PC got %x (%v), want %x", sent, err, f)
	}
}

// TestProxyLogoffOnLinkDown checks the logoff byte for byte: to the PAE
// group address, from the PC, the PC's EAPOL version, type Logoff, empty
// body, padded to 60 bytes.
func TestProxyLogoffOnLinkDown(t *testing.T) {
	r := startRig(t, true, true)
	ctx := waitCtx(t)
	r.pc.Receive(eapolStart)
	if _, err := r.lan.WaitSent(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r.link.SetLink(false)
	sent, err := r.lan.WaitSent(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hex.DecodeString("0180c2000003" + "020000000201" + "888e" + "01" + "02" + "0000" +
		"000000000000000000000000000000000000000000000000000000000000000000000000000000000000")
	if !bytes.Equal(sent[1], want) {
		t.Errorf("logoff\n got %x\nwant %x", sent[1], want)
	}
	s := waitState(t, r.port, func(s status.PCPort) bool { return !s.LinkUp })
	if s.Logoffs != 1 || s.PCMAC != "" {
		t.Errorf("after logoff: %+v, want 1 logoff and the PC forgotten", s)
	}
	// Up and down again with no PC seen: nobody to log off.
	r.link.SetLink(true)
	waitState(t, r.port, func(s status.PCPort) bool { return s.LinkUp })
	r.link.SetLink(false)
	waitState(t, r.port, func(s status.PCPort) bool { return !s.LinkUp })
	if n := len(r.lan.Sent()); n != 2 {
		t.Errorf("%d frames on the LAN, want no second logoff", n)
	}
}

func TestDisabledForwardsNothing(t *testing.T) {
	r := startRig(t, false, true)
	if r.port.fromPC(eapolStart) || r.port.fromLAN(frame(pcMAC, switchM, 0x888e, 2, 0, 0, 4)) {
		t.Error("a disabled port let a frame through")
	}
	if s := r.port.State(); s.PCMAC != "" || s.Enabled {
		t.Errorf("state %+v: disabled, and no PC learned", s)
	}
	r.link.SetLink(false)
	waitState(t, r.port, func(s status.PCPort) bool { return !s.LinkUp })
	if n := len(r.lan.Sent()); n != 0 {
		t.Errorf("a disabled port sent %d frames", n)
	}
}

func TestDisablingLogsThePCOff(t *testing.T) {
	r := startRig(t, true, true)
	ctx := waitCtx(t)
	r.pc.Receive(eapolStart)
	if _, err := r.lan.WaitSent(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r.port.SetEnabled(false)
	sent := r.lan.Sent()
	if len(sent) != 2 || !bytes.Equal(sent[1][:16], []byte{1, 0x80, 0xc2, 0, 0, 3, 2, 0, 0, 0, 2, 1, 0x88, 0x8e, 1, 2}) {
		t.Fatalf("LAN frames %x, want the PC's EAPOL-Start then a logoff", sent)
	}
	if s := r.port.State(); s.Enabled || s.Logoffs != 1 {
		t.Errorf("state %+v", s)
	}
	if r.port.fromPC(eapolStart) {
		t.Error("forwarding after disabling")
	}
}
