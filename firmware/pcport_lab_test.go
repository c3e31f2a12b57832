package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"deskphone/lab"
	"deskphone/status"
)

// startPCPortPhone runs the lab phone with both ports on real interfaces
// (-lan lan0 -pc pc0) and the settings lines cfg.
func startPCPortPhone(t *testing.T, l *lab.Lab, cfg ...string) *labPhone {
	t.Helper()
	return startLabPhone(t, l, phoneOptions{config: writeConfig(t, cfg...), flags: []string{"-pc", l.PhonePC.Name}})
}

// md5Phone is the phone's own 802.1X: EAP-MD5 against hostapd's server,
// then the settings lines extra.
func md5Phone(l *lab.Lab, extra ...string) []string {
	return append([]string{"dot1x.mode = 1", "dot1x.identity = " + l.EAP.MD5.User, "dot1x.password = " + l.EAP.MD5.Password}, extra...)
}

// TestLabPCPortPassThrough: the whole phone, authenticated itself, passes
// a PC's PEAP authentication through its PC port (two stations on the
// switch port); unplugging the PC makes the phone log it off in its name,
// and hostapd unauthorizes the PC only. lldpd advertises voice VLAN 100
// meanwhile, and the phone's traffic from its address on the VLAN
// interface it publishes arrives at the services tagged 100.
func TestLabPCPortPassThrough(t *testing.T) {
	const vid = 100
	requirePCPortWired(t)
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	capture, err := l.AdvertiseVoiceVLAN(ctx, vid)
	if err != nil {
		t.Fatal(err)
	}
	defer capture.Close()
	p := startPCPortPhone(t, l, md5Phone(l)...)
	st := p.waitStatus(t, "802.1X authenticated", 60*time.Second, func(s status.Phone) bool { return s.Dot1X.State == status.Dot1XAuthenticated })
	if !st.PCPort.Enabled {
		t.Errorf("PC port status %+v, want enabled (the default)", st.PCPort)
	}

	// Voice VLAN, after 802.1X.
	wantIface := fmt.Sprintf("%s.%d", l.PhoneLAN.Name, vid)
	st = p.waitStatus(t, "voice VLAN published", 60*time.Second, func(s status.Phone) bool { return s.Network.Iface != "" })
	if st.Network.VLAN != vid || st.Network.VLANSource != "lldp-med" || st.Network.Iface != wantIface {
		t.Fatalf("network %+v, want VLAN %d from lldp-med on %s", st.Network, vid, wantIface)
	}
	expectTaggedUDP(t, ctx, l, st.Network.Iface, capture)

	// Pass-through.
	pc, err := l.PassPC(ctx, "pc")
	if err != nil {
		t.Fatal(err)
	}
	p.waitStatus(t, "PC learned", 60*time.Second, func(s status.Phone) bool { return s.PCPort.PCMAC == l.PC.MAC && s.PCPort.LinkUp })

	// Proxy logoff.
	if n, err := l.UnplugPC(pc); err != nil || n != 1 {
		t.Fatalf("dot1xAuthEapolLogoffFramesRx = %d (%v), want 1", n, err)
	}
	if mib, err := l.Station(l.PC.MAC); err != nil || mib["dot1xAuthAuthEapLogoffWhileAuthenticated"] != "1" ||
		mib["dot1xAuthAuthControlledPortStatus"] != "2" {
		t.Errorf("hostapd's MIB for the PC after the proxy logoff: %v (%v), want a logoff while authenticated and the port unauthorized", mib, err)
	}
	if ok, err := l.Authorized(l.PhoneLAN.MAC); err != nil || !ok {
		t.Errorf("the phone lost its authorization with the PC's logoff (%v)", err)
	}
	p.waitStatus(t, "logoff counted", 60*time.Second, func(s status.Phone) bool { return s.PCPort.Logoffs == 1 && !s.PCPort.LinkUp })
}

// TestLabPCPortDisabledSetting: with net.pc_port off the PC behind the
// phone never reaches the switch.
func TestLabPCPortDisabledSetting(t *testing.T) {
	requirePCPortWired(t)
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p := startPCPortPhone(t, l, md5Phone(l, "net.pc_port = off")...)
	st := p.waitStatus(t, "802.1X authenticated", 60*time.Second, func(s status.Phone) bool { return s.Dot1X.State == status.Dot1XAuthenticated })
	if st.PCPort.Enabled {
		t.Fatalf("PC port status %+v, want disabled", st.PCPort)
	}
	if _, err := l.BlockedPC(ctx, "pc"); err != nil {
		t.Fatal(err)
	}
	if st, _ := p.status(); st.PCPort.PCMAC != "" {
		t.Errorf("a disabled port learned the PC: %+v", st.PCPort)
	}
}

// expectTaggedUDP sends REGISTERs from the phone's address on the VLAN
// interface it published (the address DHCP would give; nobody answers ARP
// on the VLAN in the lab, so the services' MAC is given) until the capture
// sees UDP from the phone tagged with the VLAN: one of those REGISTERs, or
// the phone's own DHCP on the VLAN, whose client may reset the interface's
// addresses under the test.
func expectTaggedUDP(t *testing.T, ctx context.Context, l *lab.Lab, iface string, capture *lab.VLANCapture) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	found := make(chan string, 1)
	go func() {
		for {
			f, err := capture.Next(ctx)
			if err != nil {
				return
			}
			if what := phoneUDP(f, l.PhoneLAN.MAC); what != "" {
				found <- what
				return
			}
		}
	}()
	for {
		for _, c := range [][]string{
			{"ip", "addr", "replace", fmt.Sprintf("%s/%d", lab.AddrVoicePhone, lab.VoicePrefixLen), "dev", iface},
			{"ip", "neigh", "replace", lab.AddrVoiceServices, "lladdr", lab.MACServices.String(), "dev", iface},
		} {
			if _, err := l.Exec(l.PhoneNS, c...); err != nil {
				t.Logf("%v", err)
			}
		}
		if conn, err := lab.DialContext(ctx, l.PhoneNS, "udp", net.JoinHostPort(lab.AddrVoiceServices, "5060")); err == nil {
			conn.Write([]byte("REGISTER sip:" + lab.AddrVoiceServices + " SIP/2.0\r\n\r\n"))
			conn.Close()
		}
		select {
		case what := <-found:
			t.Logf("tagged at the services: %s", what)
			return
		case <-ctx.Done():
			t.Fatal("no UDP from the phone arrived tagged with the voice VLAN")
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// phoneUDP names an IPv4 UDP frame from the phone's MAC that is a test
// REGISTER or the phone's DHCP; "" for any other frame.
func phoneUDP(f []byte, phoneMAC string) string {
	if len(f) < 42 || net.HardwareAddr(f[6:12]).String() != phoneMAC || f[12] != 0x08 || f[13] != 0x00 || f[23] != 17 {
		return ""
	}
	ihl := int(f[14]&0x0f) * 4
	if len(f) < 14+ihl+8 {
		return ""
	}
	src, dst := net.IP(f[26:30]).String(), net.IP(f[30:34]).String()
	sport, dport := int(f[14+ihl])<<8|int(f[14+ihl+1]), int(f[14+ihl+2])<<8|int(f[14+ihl+3])
	switch {
	case src == lab.AddrVoicePhone && dst == lab.AddrVoiceServices && dport == 5060 && strings.HasPrefix(string(f[14+ihl+8:]), "REGISTER "):
		return "REGISTER from " + src
	case sport == 68 && dport == 67:
		return "the phone's DHCP request from " + src
	}
	return ""
}

// requirePCPortWired fails with what to do when run.go does not run the
// PC port and voice VLAN components yet (their wiring is the lead's).
func requirePCPortWired(t *testing.T) {
	t.Helper()
	src, err := os.ReadFile("run.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"runPCPort(", "runVoiceVLAN("} {
		if !strings.Contains(string(src), fn) {
			t.Fatalf("run.go does not call %s): add the pcport and voicevlan components (see firmware/pcport.go, firmware/voicevlan.go)", fn)
		}
	}
}
