package lab_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"deskphone/lab"
)

// reachPBX probes Kamailio from the phone: a TCP connection and a SIP
// OPTIONS over UDP that must be answered.
func reachPBX(l *lab.Lab) (tcpOK, udpOK bool) { return reachPBXFrom(l, l.PhoneNS, lab.AddrPhone) }

// reachPBXFrom probes Kamailio from a namespace whose address is self.
func reachPBXFrom(l *lab.Lab, ns, self string) (tcpOK, udpOK bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	addr := net.JoinHostPort(l.PBX.Addr, strconv.Itoa(l.PBX.TCPPort))
	if c, err := lab.DialContext(ctx, ns, "tcp", addr); err == nil {
		c.Close()
		tcpOK = true
	}
	pc, err := lab.ListenPacket(ns, "udp4", ":0")
	if err != nil {
		return tcpOK, false
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	opts := "OPTIONS sip:" + l.PBX.Addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + self + ":" + strconv.Itoa(port) + ";branch=z9hG4bK-probe" + strconv.FormatInt(time.Now().UnixNano(), 36) + ";rport\r\n" +
		"From: <sip:probe@" + self + ">;tag=p1\r\nTo: <sip:" + l.PBX.Addr + ">\r\n" +
		"Call-ID: probe-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	to := &net.UDPAddr{IP: net.ParseIP(l.PBX.Addr), Port: l.PBX.UDPPort}
	if _, err := pc.WriteTo([]byte(opts), to); err != nil {
		return tcpOK, false
	}
	_ = pc.SetReadDeadline(time.Now().Add(700 * time.Millisecond))
	buf := make([]byte, 2048)
	n, _, err := pc.ReadFrom(buf)
	return tcpOK, err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 ")
}

// broadcastReaches reports whether a UDP broadcast from the services
// reaches the phone. It sends up to five times, 400 ms apart: one datagram
// on a loaded machine may be lost, and the gate's verdict must not be.
func broadcastReaches(t *testing.T, l *lab.Lab) bool {
	t.Helper()
	rx, err := lab.ListenPacket(l.PhoneNS, "udp4", ":9999")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	tx, err := lab.ListenPacket(l.ServicesNS, "udp4", lab.AddrGateway+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	buf := make([]byte, 16)
	for range 5 {
		if _, err := tx.WriteTo([]byte("hello"), &net.UDPAddr{IP: net.IPv4(10, 99, 0, 255), Port: 9999}); err != nil {
			t.Fatal(err)
		}
		_ = rx.SetReadDeadline(time.Now().Add(400 * time.Millisecond))
		if n, _, err := rx.ReadFrom(buf); err == nil && string(buf[:n]) == "hello" {
			return true
		}
	}
	return false
}

// waitGate waits until the switch's gate for mac is open (or closed).
func waitGate(t *testing.T, l *lab.Lab, mac string, open bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		got, err := l.GateOpen(mac)
		if err != nil {
			t.Fatal(err)
		}
		if got == open {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gate for %s open=%v, want %v", mac, got, open)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGate: the switch blocks everything but EAPOL before authorization,
// forwards after EAP-Success, and blocks again after EAPOL-Logoff.
func TestGate(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS, SIP: true, PhoneAddress: true})
	mac := l.PhoneLAN.MAC

	if tcp, udp := reachPBX(l); tcp || udp {
		t.Fatalf("before authorization the PBX was reachable: tcp=%v udp=%v", tcp, udp)
	}
	if broadcastReaches(t, l) {
		t.Fatal("before authorization a broadcast from the services reached the phone")
	}
	s := authenticate(t, l, "gate", lab.MethodPEAPMSCHAPv2)
	defer s.Stop(time.Second)
	waitGate(t, l, mac, true)
	if ok, err := l.Authorized(mac); err != nil || !ok {
		t.Fatalf("hostapd MIB: authorized=%v err=%v", ok, err)
	}
	if tcp, udp := reachPBX(l); !tcp || !udp {
		t.Fatalf("after authorization the PBX was not reachable: tcp=%v udp=%v", tcp, udp)
	}
	if !broadcastReaches(t, l) {
		t.Fatal("after authorization a broadcast from the services did not reach the phone")
	}

	if _, err := s.CLI("logoff"); err != nil {
		t.Fatal(err)
	}
	waitGate(t, l, mac, false)
	mib, err := l.Station(mac)
	if err != nil {
		t.Fatal(err)
	}
	if mib["dot1xAuthEapolLogoffFramesRx"] != "1" || mib["dot1xAuthAuthControlledPortStatus"] == "1" {
		t.Errorf("hostapd MIB after logoff: logoffs=%q port=%q", mib["dot1xAuthEapolLogoffFramesRx"], mib["dot1xAuthAuthControlledPortStatus"])
	}
	if tcp, udp := reachPBX(l); tcp || udp {
		t.Fatalf("after EAPOL-Logoff the PBX was reachable: tcp=%v udp=%v", tcp, udp)
	}
	if broadcastReaches(t, l) {
		t.Fatal("after EAPOL-Logoff a broadcast from the services reached the phone")
	}
}

// TestGateHostapdStopped: stopping hostapd closes the port.
func TestGateHostapdStopped(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP, SIP: true, PhoneAddress: true})
	s := authenticate(t, l, "md5", lab.MethodMD5)
	defer s.Stop(time.Second)
	waitGate(t, l, l.PhoneLAN.MAC, true)
	if err := l.StopService(lab.SvcHostapd); err != nil {
		t.Fatal(err)
	}
	if tcp, udp := reachPBX(l); tcp || udp {
		t.Fatalf("PBX reachable with hostapd stopped: tcp=%v udp=%v", tcp, udp)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.StartService(ctx, lab.SvcHostapd); err != nil {
		t.Fatal(err)
	}
	s.Stop(time.Second)
	s = authenticate(t, l, "md5", lab.MethodMD5)
	defer s.Stop(time.Second)
	waitGate(t, l, l.PhoneLAN.MAC, true)
	if tcp, udp := reachPBX(l); !tcp || !udp {
		t.Fatalf("PBX not reachable after re-authentication: tcp=%v udp=%v", tcp, udp)
	}
}

// eventually retries a probe that must succeed for a few seconds (a bridge
// port or a link coming up).
func eventually(probe func() (bool, bool)) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if tcp, udp := probe(); tcp && udp {
			return true
		}
	}
	return false
}

// TestPCPassThrough: with the phone bridging its PC port (as the firmware's
// pass-through will), the PC authenticates with its own certificate through
// the phone; the switch then forwards the PC's MAC only, not the phone's.
// Taking the phone's LAN link down cuts the PC off; up again, it returns.
func TestPCPassThrough(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP, SIP: true})
	for _, args := range [][]string{
		{"ip", "link", "add", "br0", "type", "bridge", "stp_state", "0", "group_fwd_mask", "8"},
		{"ip", "link", "set", lab.IfPhoneLAN, "master", "br0"},
		{"ip", "link", "set", lab.IfPhonePC, "master", "br0"},
		{"ip", "link", "set", "br0", "up"},
	} {
		if _, err := l.Exec(l.PhoneNS, args...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Exec(l.PCNS, "ip", "addr", "add", lab.AddrPC+"/24", "dev", lab.IfPC); err != nil {
		t.Fatal(err)
	}
	probe := func() (bool, bool) { return reachPBXFrom(l, l.PCNS, lab.AddrPC) }
	if tcp, udp := probe(); tcp || udp {
		t.Fatalf("PC reached the PBX before authorization: tcp=%v udp=%v", tcp, udp)
	}
	s, err := l.StartSupplicant("pc", lab.MethodTLS, l.PC)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Result(ctx); err != nil {
		t.Fatal(err)
	}
	waitGate(t, l, l.PC.MAC, true)
	if open, err := l.GateOpen(l.PhoneLAN.MAC); err != nil || open {
		t.Fatalf("phone's MAC open=%v (%v) though only the PC authenticated", open, err)
	}
	mib, err := l.Station(l.PC.MAC)
	if err != nil || mib["dot1xAuthSessionUserName"] != l.EAP.TLSPC {
		t.Fatalf("hostapd session of the PC: %v %v", mib, err)
	}
	if !eventually(probe) {
		t.Fatal("authorized PC cannot reach the PBX")
	}
	if err := l.SetLink(l.PhoneLAN, false); err != nil {
		t.Fatal(err)
	}
	if tcp, udp := probe(); tcp || udp {
		t.Fatalf("PC reached the PBX with the phone's LAN link down: tcp=%v udp=%v", tcp, udp)
	}
	if err := l.SetLink(l.PhoneLAN, true); err != nil {
		t.Fatal(err)
	}
	if !eventually(probe) {
		t.Fatal("PC cannot reach the PBX after the link came back")
	}
}
