package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The switch is two veth ends joined by nftables netdev rules instead of a
// bridge: a bridge would take unicast EAPOL addressed to the port's own MAC
// away from hostapd's socket. EAPOL from the phone port always goes up to
// hostapd; other frames are forwarded only for source MACs in the
// "authorized" set, which the hostapd_cli action script fills and empties on
// AP-STA-CONNECTED / AP-STA-DISCONNECTED. Broadcast and multicast toward
// the port pass only while some station on it is authorized (chain
// "group_out" is filled and flushed by the same script), so an unauthorized
// port receives nothing but EAPOL either.
const gateTable = "lab"

// gateRules is the switch's nftables ruleset; open forwards everything but
// EAPOL (a switch without 802.1X).
func gateRules(open bool) string {
	portRules := `ether type 0x888e accept
		ether saddr @authorized fwd to "` + IfSwitchUp + `"`
	upRules := `ether daddr @authorized fwd to "` + IfSwitchPort + `"
		meta pkttype { broadcast, multicast } jump group_out`
	if open {
		portRules = `ether type 0x888e drop
		fwd to "` + IfSwitchUp + `"`
		upRules = `fwd to "` + IfSwitchPort + `"`
	}
	return fmt.Sprintf(`table netdev %s {
	set authorized { type ether_addr; }
	chain group_out {
	}
	chain port_in {
		type filter hook ingress device "%s" priority 0; policy drop;
		%s
	}
	chain up_in {
		type filter hook ingress device "%s" priority 0; policy drop;
		%s
	}
}
`, gateTable, IfSwitchPort, portRules, IfSwitchUp, upRules)
}

// gateScript is the hostapd_cli action script: $1 interface, $2 event, $3 MAC.
func gateScript(nft, logPath string) string {
	return fmt.Sprintf(`#!/bin/sh
# hostapd_cli -a action: open the switch port for a station hostapd authorized.
# Broadcast/multicast toward the port only while some station is authorized.
case "$2" in
AP-STA-CONNECTED)
	%[1]s add element netdev %[2]s authorized "{ $3 }"
	rc=$?
	%[1]s flush chain netdev %[2]s group_out
	%[1]s add rule netdev %[2]s group_out fwd to '"%[4]s"' ;;
AP-STA-DISCONNECTED)
	%[1]s delete element netdev %[2]s authorized "{ $3 }" 2>/dev/null
	rc=$?
	%[1]s list set netdev %[2]s authorized | grep -q elements || %[1]s flush chain netdev %[2]s group_out ;;
*) exit 0 ;;
esac
echo "$2 $3 rc=$rc" >> %[3]s
`, nft, gateTable, logPath, IfSwitchPort)
}

// loadGate installs the switch ruleset.
func (l *Lab) loadGate(ctx context.Context) error {
	path := filepath.Join(l.Dir, "gate.nft")
	if err := os.WriteFile(path, []byte(gateRules(l.Opts.Dot1X == PortOpen)), 0o644); err != nil {
		return fmt.Errorf("write gate rules: %w", err)
	}
	if err := run(ctx, "ip", "netns", "exec", l.SwitchNS, "nft", "-f", path); err != nil {
		return fmt.Errorf("load gate rules: %w", err)
	}
	return nil
}

// GateOpen reports whether the switch forwards the station's traffic now:
// the real state of the gate, not hostapd's view of it.
func (l *Lab) GateOpen(mac string) (bool, error) {
	if l.Opts.Dot1X == PortOpen {
		return true, nil
	}
	out, err := exec.Command("ip", "netns", "exec", l.SwitchNS, "nft", "list", "set", "netdev", gateTable, "authorized").CombinedOutput()
	if err != nil {
		return false, fmt.Errorf("read gate: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return strings.Contains(strings.ToLower(string(out)), strings.ToLower(mac)), nil
}

// flushGate closes the port for every station (hostapd stopped: nobody will
// report the disconnects).
func (l *Lab) flushGate(ctx context.Context) error {
	if l.Opts.Dot1X == PortOpen {
		return nil
	}
	if err := run(ctx, "ip", "netns", "exec", l.SwitchNS, "nft", "flush", "set", "netdev", gateTable, "authorized"); err != nil {
		return err
	}
	return run(ctx, "ip", "netns", "exec", l.SwitchNS, "nft", "flush", "chain", "netdev", gateTable, "group_out")
}
