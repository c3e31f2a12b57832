//go:build linux

package pcport_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/hal/netlink"
	"deskphone/lab"
	"deskphone/net8021x"
	"deskphone/pcport"
	"deskphone/status"
)

// labPhone is the phone's side of the lab run in-process: its own 802.1X
// supplicant on lan0 and the PC port between lan0 and pc0.
type labPhone struct {
	port  *pcport.Port
	dot1x chan status.Dot1X
}

// startPhone opens everything inside the phone's namespace and runs it
// until the test ends. mode is the phone's own 802.1X (MD5 or disabled).
func startPhone(t *testing.T, l *lab.Lab, enabled bool) *labPhone {
	t.Helper()
	var (
		lanPort, pcPort *netlink.Port
		lanRaw, pcRaw   *pcport.RawFrames
		eapol           *net8021x.RawFrames
	)
	err := lab.InNetns(l.PhoneNS, func() error {
		var err error
		if lanPort, err = netlink.Open(hal.LAN, l.PhoneLAN.Name); err != nil {
			return err
		}
		if pcPort, err = netlink.Open(hal.PC, l.PhonePC.Name); err != nil {
			return err
		}
		if lanRaw, err = pcport.Listen(l.PhoneLAN.Name); err != nil {
			return err
		}
		if pcRaw, err = pcport.Listen(l.PhonePC.Name); err != nil {
			return err
		}
		eapol, err = net8021x.ListenEAPOL(l.PhoneLAN.Name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := &labPhone{dot1x: make(chan status.Dot1X, 64)}
	p.port = pcport.New(pcport.Config{LAN: lanRaw, PC: pcRaw, PCLink: pcPort,
		Own: []net.HardwareAddr{lanPort.MAC(), pcPort.MAC()}, Enabled: enabled, Logger: log})
	sup := net8021x.New(lanPort, eapol, net8021x.Config{Mode: net8021x.ModeMD5,
		Identity: l.EAP.MD5.User, Password: l.EAP.MD5.Password, Logger: log},
		func(s status.Dot1X) { p.dot1x <- s })
	ctx, cancel := context.WithCancel(context.Background())
	runs := []func(context.Context) error{lanPort.Run, pcPort.Run, p.port.Run, sup.Run}
	done := make(chan error, len(runs))
	for _, r := range runs {
		go func() { done <- r(ctx) }()
	}
	t.Cleanup(func() {
		cancel()
		for range runs {
			if err := <-done; err != nil {
				t.Errorf("phone part: %v", err)
			}
		}
		lanRaw.Close()
		pcRaw.Close()
		eapol.Close()
	})
	return p
}

func (p *labPhone) waitAuthenticated(t *testing.T) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case s := <-p.dot1x:
			if s.State == status.Dot1XAuthenticated {
				return
			}
		case <-deadline:
			t.Fatal("the phone never authenticated")
		}
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestLabPassThroughAndProxyLogoff: with the phone authenticated, a PC
// behind it authenticates with PEAP through the PC port as its own station;
// when the PC's link goes down the phone's proxy EAPOL-Logoff makes hostapd
// unauthorize the PC only.
func TestLabPassThroughAndProxyLogoff(t *testing.T) {
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP})
	ctx := testCtx(t)
	phone := startPhone(t, l, true)
	phone.waitAuthenticated(t)

	pc, err := l.PassPC(ctx, "pc")
	if err != nil {
		t.Fatal(err)
	}
	for _, mac := range []string{l.PhoneLAN.MAC, l.PC.MAC} {
		if ok, err := l.Authorized(mac); err != nil || !ok {
			t.Fatalf("%s not authorized: %v", mac, err)
		}
	}
	if s := phone.port.State(); s.PCMAC != l.PC.MAC {
		t.Errorf("the port learned %q, want the PC %s", s.PCMAC, l.PC.MAC)
	}

	logoffs, err := l.UnplugPC(pc)
	if err != nil {
		t.Fatal(err)
	}
	if logoffs != 1 {
		t.Errorf("dot1xAuthEapolLogoffFramesRx = %d, want 1", logoffs)
	}
	mib, err := l.Station(l.PC.MAC)
	if err != nil {
		t.Fatal(err)
	}
	if mib["dot1xAuthAuthEapLogoffWhileAuthenticated"] != "1" || mib["dot1xAuthAuthControlledPortStatus"] != "2" {
		t.Errorf("hostapd's MIB for the PC: logoffs while authenticated %q, port status %q; want 1 and 2 (unauthorized)",
			mib["dot1xAuthAuthEapLogoffWhileAuthenticated"], mib["dot1xAuthAuthControlledPortStatus"])
	}
	if ok, err := l.Authorized(l.PC.MAC); err != nil || ok {
		t.Errorf("the PC is still authorized after the proxy logoff (%v)", err)
	}
	if ok, err := l.Authorized(l.PhoneLAN.MAC); err != nil || !ok {
		t.Errorf("the phone lost its authorization with the PC's logoff (%v)", err)
	}
	if s := phone.port.State(); s.Logoffs != 1 || s.LinkUp {
		t.Errorf("port state %+v, want link down and 1 logoff", s)
	}
}

// TestLabPCPortDisabled: with the PC port off the PC's EAPOL never reaches
// the switch; the same PC authenticates once the port is turned on.
func TestLabPCPortDisabled(t *testing.T) {
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP})
	ctx := testCtx(t)
	phone := startPhone(t, l, false)
	phone.waitAuthenticated(t)

	pc, err := l.BlockedPC(ctx, "pc-off")
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Stop(3 * time.Second); err != nil {
		t.Logf("stop PC supplicant: %v", err)
	}

	phone.port.SetEnabled(true)
	pc2, err := l.StartSupplicant("pc-on", lab.MethodPEAPMSCHAPv2, l.PC)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc2.Result(ctx); err != nil {
		t.Fatalf("the PC did not authenticate once the port was on: %v", err)
	}
}
