package lab

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Pass-through: the phone and a PC behind it share the switch port, each its
// own 802.1X station. hostapd runs with use_pae_group_addr=0 (hostapd.go),
// so it keeps one session per MAC and answers each unicast.

var reStationMAC = regexp.MustCompile(`^([0-9a-f]{2}:){5}[0-9a-f]{2}$`)

// reTXEAPOL matches wpa_supplicant -d logging a frame it sent.
var reTXEAPOL = regexp.MustCompile(`TX EAPOL: dst=`)

// Stations lists the MACs hostapd has a session for (hostapd_cli all_sta).
func (l *Lab) Stations() ([]string, error) {
	out, err := l.HostapdCLI("all_sta")
	if err != nil {
		return nil, err
	}
	return parseStations(out), nil
}

// parseStations picks the MAC lines of all_sta's answer (each station's
// MAC, then its name=value lines).
func parseStations(out string) []string {
	var macs []string
	for _, line := range strings.Split(out, "\n") {
		if s := strings.TrimSpace(line); reStationMAC.MatchString(s) {
			macs = append(macs, s)
		}
	}
	return macs
}

// LogoffsFrom is the EAPOL-Logoff count hostapd's MIB shows for a station
// (dot1xAuthEapolLogoffFramesRx); ok is false when hostapd does not know
// the station (it forgets one about 5 s after a logoff).
func (l *Lab) LogoffsFrom(mac string) (n int, ok bool, err error) {
	m, err := l.Station(mac)
	if err != nil {
		return 0, false, err
	}
	v, ok := m["dot1xAuthEapolLogoffFramesRx"]
	if !ok {
		return 0, false, nil
	}
	n, err = strconv.Atoi(v)
	return n, err == nil, err
}

// PassPC starts wpa_supplicant (PEAP-MSCHAPv2) on the PC behind the phone
// as name, waits for its EAP success and checks that hostapd has a session
// for both the phone and the PC: the PC authenticated through the phone as
// its own station. The supplicant keeps running (UnplugPC ends it).
func (l *Lab) PassPC(ctx context.Context, name string) (*Supplicant, error) {
	pc, err := l.StartSupplicant(name, MethodPEAPMSCHAPv2, l.PC)
	if err != nil {
		return nil, err
	}
	if err := pc.Result(ctx); err != nil {
		return pc, fmt.Errorf("the PC did not authenticate through the phone: %w", err)
	}
	stations, err := l.Stations()
	if err != nil {
		return pc, fmt.Errorf("hostapd stations: %w", err)
	}
	if !slices.Contains(stations, l.PhoneLAN.MAC) || !slices.Contains(stations, l.PC.MAC) {
		return pc, fmt.Errorf("hostapd stations %v, want the phone %s and the PC %s", stations, l.PhoneLAN.MAC, l.PC.MAC)
	}
	return pc, nil
}

// UnplugPC stops the PC's supplicant, takes the PC's link down and waits
// (30 s at most) for hostapd to count an EAPOL-Logoff from the PC, which
// it returns. wpa_supplicant sends no logoff when it stops: the one counted
// is the phone's proxy logoff.
func (l *Lab) UnplugPC(pc *Supplicant) (logoffs int, err error) {
	// A supplicant that ignores SIGTERM is killed: either way it is gone.
	_ = pc.Stop(3 * time.Second)
	if err := l.SetLink(l.PC, false); err != nil {
		return 0, err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n, known, err := l.LogoffsFrom(l.PC.MAC)
		if err != nil {
			return 0, fmt.Errorf("hostapd's MIB for the PC: %w", err)
		}
		if !known {
			return 0, fmt.Errorf("hostapd forgot the PC %s before its MIB was read", l.PC.MAC)
		}
		if n > 0 {
			return n, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("hostapd never counted an EAPOL-Logoff from the PC %s", l.PC.MAC)
		}
	}
}

// BlockedPC starts wpa_supplicant (PEAP-MSCHAPv2) on the PC behind the
// phone as name and fails if its EAPOL reaches the switch: once the PC has
// sent EAPOL, hostapd has no session for it 3 s later and the PC saw no EAP
// start. The supplicant keeps running.
func (l *Lab) BlockedPC(ctx context.Context, name string) (*Supplicant, error) {
	pc, err := l.StartSupplicant(name, MethodPEAPMSCHAPv2, l.PC)
	if err != nil {
		return nil, err
	}
	// wpa_supplicant sends its first EAPOL-Start about 2 s after start;
	// hostapd answers one within milliseconds. Give it far longer.
	if err := pc.WaitOutput(ctx, reTXEAPOL); err != nil {
		return pc, fmt.Errorf("the PC never sent EAPOL: %w", err)
	}
	time.Sleep(3 * time.Second)
	stations, err := l.Stations()
	if err != nil {
		return pc, fmt.Errorf("hostapd stations: %w", err)
	}
	if slices.Contains(stations, l.PC.MAC) || strings.Contains(pc.Output(), "CTRL-EVENT-EAP-STARTED") {
		return pc, fmt.Errorf("the PC reached the switch through a disabled PC port: stations %v", stations)
	}
	return pc, nil
}
