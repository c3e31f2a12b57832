//go:build linux

package voicevlan_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"deskphone/lab"
	"deskphone/voicevlan"
)

// TestLabLLDPMEDVoiceVLAN: lldpd on the switch advertises voice VLAN 100;
// the phone makes lan0.100, and a SIP REGISTER sent from the phone's
// address on it arrives at the services tagged with VLAN 100. On stop the
// VLAN interface is gone.
func TestLabLLDPMEDVoiceVLAN(t *testing.T) {
	const vid = 100
	l := lab.Start(t, lab.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	capture, err := l.AdvertiseVoiceVLAN(ctx, vid)
	if err != nil {
		t.Fatal(err)
	}
	defer capture.Close()
	var (
		frames *voicevlan.RawLLDP
		links  *voicevlan.NetlinkLinks
	)
	err = lab.InNetns(l.PhoneNS, func() error {
		var err error
		if frames, err = voicevlan.ListenLLDP(l.PhoneLAN.Name); err != nil {
			return err
		}
		links, err = voicevlan.DialLinks(nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer frames.Close()
	defer links.Close()
	choices := make(chan voicevlan.Choice, 8)
	m := voicevlan.New(voicevlan.Config{LAN: l.PhoneLAN.Name, Frames: frames, Links: links,
		Authorized: true, LLDPWait: time.Minute, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)), Publish: func(c voicevlan.Choice) { choices <- c }})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	defer stop()

	var c voicevlan.Choice
	select {
	case c = <-choices:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-ctx.Done():
		t.Fatal("no voice VLAN chosen")
	}
	want := voicevlan.Choice{VLAN: vid, Priority: 5, Source: voicevlan.SourceLLDPMED, Iface: fmt.Sprintf("%s.%d", l.PhoneLAN.Name, vid)}
	if c != want {
		t.Fatalf("choice %+v, want %+v", c, want)
	}
	sendRegister(t, ctx, l, c.Iface)
	expectRegister(t, ctx, capture)

	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if out, err := l.Exec(l.PhoneNS, "ip", "-br", "link", "show"); err != nil || strings.Contains(out, c.Iface) {
		t.Errorf("after stop the phone still has %s: %s %v", c.Iface, out, err)
	}
}

// sendRegister does what DHCP and the SIP stack would do on the interface
// the phone published: an address on it, then a REGISTER from it. Nobody
// answers ARP on the VLAN in the lab, so the services' MAC is given.
func sendRegister(t *testing.T, ctx context.Context, l *lab.Lab, iface string) {
	t.Helper()
	for _, c := range [][]string{
		{"ip", "addr", "add", fmt.Sprintf("%s/%d", lab.AddrVoicePhone, lab.VoicePrefixLen), "dev", iface},
		{"ip", "neigh", "replace", lab.AddrVoiceServices, "lladdr", lab.MACServices.String(), "dev", iface},
	} {
		if _, err := l.Exec(l.PhoneNS, c...); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := lab.DialContext(ctx, l.PhoneNS, "udp", net.JoinHostPort(lab.AddrVoiceServices, "5060"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("REGISTER sip:" + lab.AddrVoiceServices + " SIP/2.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
}

// expectRegister waits for the REGISTER among the frames tagged with the
// VLAN at the services (the phone's IPv6 chatter is tagged too).
func expectRegister(t *testing.T, ctx context.Context, capture *lab.VLANCapture) {
	t.Helper()
	for {
		f, err := capture.Next(ctx)
		if err != nil {
			t.Fatalf("no tagged REGISTER from the phone: %v", err)
		}
		if len(f) < 42 || f[12] != 0x08 || f[13] != 0x00 || f[23] != 17 {
			continue // not IPv4 UDP
		}
		ihl := int(f[14]&0x0f) * 4
		src, dst := net.IP(f[26:30]).String(), net.IP(f[30:34]).String()
		if len(f) < 14+ihl+8 {
			continue
		}
		port := int(f[14+ihl+2])<<8 | int(f[14+ihl+3])
		payload := string(f[14+ihl+8:])
		if src == lab.AddrVoicePhone && dst == lab.AddrVoiceServices && port == 5060 && strings.HasPrefix(payload, "REGISTER ") {
			return
		}
	}
}
