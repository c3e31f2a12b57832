package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"deskphone/hal"
	"deskphone/lab"
	"deskphone/net8021x"
	"deskphone/status"
)

// carrierPort is the lab's lan0 with its real link state, polled every
// millisecond through SIOCGIFFLAGS (IFF_RUNNING) on a socket of the
// phone's namespace: the bench's stand-in for a board's netlink port.
type carrierPort struct {
	fd   int
	name string
	mac  net.HardwareAddr
	upAt atomic.Int64 // UnixMicro when WaitLink last saw the carrier come up
}

var _ hal.Port = (*carrierPort)(nil)

func newCarrierPort(l *lab.Lab) (*carrierPort, error) {
	p := &carrierPort{name: l.PhoneLAN.Name, mac: lab.MACPhoneLAN}
	err := lab.InNetns(l.PhoneNS, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		p.fd = fd
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("carrier socket: %w", err)
	}
	return p, nil
}

func (p *carrierPort) Close() error          { return unix.Close(p.fd) }
func (p *carrierPort) Role() hal.PortRole    { return hal.LAN }
func (p *carrierPort) Interface() string     { return p.name }
func (p *carrierPort) MAC() net.HardwareAddr { return p.mac }
func (p *carrierPort) Up() bool              { return p.read() }
func (p *carrierPort) read() bool {
	ifr, err := unix.NewIfreq(p.name)
	if err != nil {
		return false
	}
	if err := unix.IoctlIfreq(p.fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return false
	}
	return ifr.Uint16()&unix.IFF_RUNNING != 0
}

func (p *carrierPort) WaitLink(ctx context.Context, last bool) (bool, error) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		if up := p.read(); up != last {
			if up {
				p.upAt.Store(time.Now().UnixMicro())
			}
			return up, nil
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-t.C:
		}
	}
}

var (
	reConnected     = regexp.MustCompile(`^(\d+\.\d+): .*AP-STA-CONNECTED ([0-9a-f:]+)`)
	reAuthenticated = regexp.MustCompile(`^(\d+\.\d+): .* STA ([0-9a-f:]+) IEEE 802.1X: authenticated - EAP type`)
)

// authorizedAfter waits for hostapd's AP-STA-CONNECTED for the phone
// logged after t0 and returns its time.
func authorizedAfter(l *lab.Lab, t0 time.Time, limit time.Duration) (time.Time, error) {
	return hostapdAfter(l, reConnected, t0, limit)
}

// hostapdAfter waits for a line of hostapd's log matching re (time, MAC)
// for the phone, logged after t0, and returns its time.
func hostapdAfter(l *lab.Lab, re *regexp.Regexp, t0 time.Time, limit time.Duration) (time.Time, error) {
	var path string
	for _, lf := range l.Logs() {
		if lf.Name == "hostapd" {
			path = lf.Path
		}
	}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		f, err := os.Open(path)
		if err != nil {
			return time.Time{}, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			m := re.FindStringSubmatch(sc.Text())
			if m == nil || m[2] != l.PhoneLAN.MAC {
				continue
			}
			sec, _ := strconv.ParseFloat(m[1], 64)
			ts := time.UnixMicro(int64(sec*1e6 + 0.5))
			if ts.After(t0) {
				f.Close()
				return ts, nil
			}
		}
		f.Close()
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("no hostapd %q for %s after %s", re, l.PhoneLAN.MAC, t0.Format(time.StampMicro))
}

// linkDown pulls the phone's cable and makes hostapd forget the station,
// then waits until seen(false) (or a moment) and a little more.
func linkDown(l *lab.Lab, seen func() bool) error {
	if err := l.SetLink(l.PhoneLAN, false); err != nil {
		return err
	}
	if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
		return err
	}
	for i := 0; i < 200 && !seen(); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	return nil
}

// linkUp plugs the cable back, calls then (which may start a supplicant),
// and returns when the link went up and when hostapd logged the phone's
// AP-STA-CONNECTED.
func linkUp(l *lab.Lab, then func() error) (t0, authorized time.Time, err error) {
	t0 = time.Now()
	if err := l.SetLink(l.PhoneLAN, true); err != nil {
		return t0, t0, err
	}
	if then != nil {
		if err := then(); err != nil {
			return t0, t0, err
		}
	}
	ts, err := authorizedAfter(l, t0, 40*time.Second)
	return t0, ts, err
}

// linkUpRows measures link-up to authorized with PEAP/MSCHAPv2 and MD5:
// ours already running (from the cable and from the moment its port saw
// the carrier, which the kernel reports through linkwatch, up to a second
// late), wpa_supplicant started at link-up (it restarts nothing on a
// carrier change: hostapd, having forgotten the station, would never hear
// from it).
func linkUpRows(l *lab.Lab, k int) ([]row, error) {
	var rows []row
	for _, m := range []method{{net8021x.ModePEAPMSCHAPv2, lab.MethodPEAPMSCHAPv2}, {net8021x.ModeMD5, lab.MethodMD5}} {
		r := row{name: m.mode.String() + ", from link-up"}
		seen := row{name: m.mode.String() + ", from carrier seen", note: "-"}
		var err error
		if r.ours, seen.ours, err = oursLinkUp(l, m.mode, k); err != nil {
			return nil, err
		}
		if r.wpa, err = wpaLinkUp(l, m.wpa, k); err != nil {
			r.note = "(" + err.Error() + ")"
		} else {
			r.note = "(process started at link-up)"
		}
		rows = append(rows, r, seen)
	}
	return rows, nil
}

func oursLinkUp(l *lab.Lab, mode net8021x.Mode, k int) (fromLink, fromCarrier []time.Duration, err error) {
	cfg, err := config(l, mode)
	if err != nil {
		return nil, nil, err
	}
	frames, err := openFrames(l)
	if err != nil {
		return nil, nil, err
	}
	defer frames.Close()
	port, err := newCarrierPort(l)
	if err != nil {
		return nil, nil, err
	}
	defer port.Close()
	var down atomic.Bool
	sup := net8021x.New(port, frames, cfg, func(d status.Dot1X) {
		down.Store(d.State == status.Dot1XConnecting && d.Reason == "link down")
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for range k {
		if err := linkDown(l, down.Load); err != nil {
			return nil, nil, err
		}
		t0, ts, err := linkUp(l, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("ours %s link-up: %w", mode, err)
		}
		fromLink = append(fromLink, ts.Sub(t0))
		fromCarrier = append(fromCarrier, ts.Sub(time.UnixMicro(port.upAt.Load())))
	}
	return fromLink, fromCarrier, nil
}

func wpaLinkUp(l *lab.Lab, m lab.Method, k int) ([]time.Duration, error) {
	var out []time.Duration
	for i := range k {
		if err := linkDown(l, func() bool { return true }); err != nil {
			return out, err
		}
		var s *lab.Supplicant
		t0, ts, err := linkUp(l, func() error {
			var err error
			s, err = l.StartSupplicant(fmt.Sprintf("bench-link-%s-%d", m, i), m, l.PhoneLAN)
			return err
		})
		if s != nil {
			s.Stop(time.Second)
		}
		if err != nil {
			return out, err
		}
		out = append(out, ts.Sub(t0))
	}
	return out, nil
}
