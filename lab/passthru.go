package lab

import (
	"regexp"
	"strconv"
	"strings"
)

// Pass-through: the phone and a PC behind it share the switch port, each its
// own 802.1X station. hostapd runs with use_pae_group_addr=0 (hostapd.go),
// so it keeps one session per MAC and answers each unicast.

var reStationMAC = regexp.MustCompile(`^([0-9a-f]{2}:){5}[0-9a-f]{2}$`)

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
