package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// The voice VLAN's subnet, for tests that address the phone's VLAN
// interface themselves (DHCP is not served on it).
const (
	AddrVoiceServices = "10.98.0.1"
	AddrVoicePhone    = "10.98.0.100"
	VoicePrefixLen    = 24
)

// VoiceVLAN is the lab's voice VLAN once StartVoiceVLAN has run.
type VoiceVLAN struct {
	ID    int
	LLDPD *Process
	ctl   string
}

// StartVoiceVLAN runs lldpd on the switch's port toward the phone,
// advertising vid as the tagged voice VLAN in an LLDP-MED Network Policy
// (priority 5, DSCP 46), one LLDPDU a second. The switch forwards the
// phone's tagged frames as it forwards its untagged ones (the gate keys on
// MACs only); CaptureVLAN sees them arrive at the services. This machine's
// kernel has no 802.1Q, so the services get no VLAN interface: the capture
// is the proof.
func (l *Lab) StartVoiceVLAN(ctx context.Context, vid int) (*VoiceVLAN, error) {
	if vid < 1 || vid > 4094 {
		return nil, fmt.Errorf("voice VLAN %d: want 1 to 4094", vid)
	}
	conf := filepath.Join(l.Dir, "lldpd.conf")
	body := fmt.Sprintf(`configure lldp tx-interval 1
configure system hostname lab-switch
configure med policy application voice tagged vlan %d priority voice dscp 46
`, vid)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		return nil, fmt.Errorf("voice VLAN: write lldpd config: %w", err)
	}
	ctl := filepath.Join(l.Dir, "lldpd.socket")
	// -M 4: a network connectivity device, as a switch is; lldpd 1.0.16
	// sends the policy TLV with or without it, and before any LLDP-MED
	// device was seen on the port.
	p, err := l.spawn("lldpd", l.SwitchNS, "lldpd", "-d", "-M", "4", "-I", IfSwitchPort, "-u", ctl, "-O", conf)
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, func() bool { _, err := os.Stat(ctl); return err == nil }, p); err != nil {
		return nil, fmt.Errorf("lldpd control socket: %w", err)
	}
	return &VoiceVLAN{ID: vid, LLDPD: p, ctl: ctl}, nil
}

// LLDPCLI runs lldpcli against the lab's lldpd, e.g. LLDPCLI("show",
// "neighbors").
func (l *Lab) LLDPCLI(v *VoiceVLAN, args ...string) (string, error) {
	return l.Exec(l.SwitchNS, append([]string{"lldpcli", "-u", v.ctl}, args...)...)
}
