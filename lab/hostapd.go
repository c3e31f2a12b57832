package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// hostapd's EAP-FAST settings (lab values, not secrets).
const (
	fastPACKey = "000102030405060708090a0b0c0d0e0f"
	fastAID    = "101112131415161718191a1b1c1d1e1f"
)

// writeHostapd writes hostapd.conf (and the user file for its own server).
func (l *Lab) writeHostapd() error {
	var b strings.Builder
	fmt.Fprintf(&b, `# lab switch: wired 802.1X authenticator on the phone's port
interface=%s
driver=wired
ctrl_interface=%s
logger_stdout=-1
logger_stdout_level=1
ieee8021x=1
eapol_version=2
# phone and PC behind one port: one session per MAC, EAPOL sent unicast
use_pae_group_addr=0
eap_reauth_period=%d
`, IfSwitchPort, l.hostapdCtrlDir(), l.Opts.reauth())
	if l.Opts.Dot1X == FreeRADIUS {
		fmt.Fprintf(&b, `eap_server=0
own_ip_addr=127.0.0.1
nas_identifier=lab-switch
auth_server_addr=127.0.0.1
auth_server_port=1812
auth_server_shared_secret=%s
`, RADIUSSecret)
	} else {
		cert := l.eapCert()
		users := filepath.Join(l.Dir, "hostapd.eap_user")
		if err := os.WriteFile(users, []byte(l.hostapdUsers()), 0o600); err != nil {
			return fmt.Errorf("write hostapd users: %w", err)
		}
		fmt.Fprintf(&b, `eap_server=1
eap_user_file=%s
ca_cert=%s
server_cert=%s
private_key=%s
dh_file=%s
pac_opaque_encr_key=%s
eap_fast_a_id=%s
eap_fast_a_id_info=deskphone lab
eap_fast_prov=3
pac_key_lifetime=604800
pac_key_refresh_time=86400
`, users, l.PKI.CA.Cert, cert.Cert, cert.Key, l.PKI.DH, fastPACKey, fastAID)
	}
	return os.WriteFile(filepath.Join(l.Dir, "hostapd.conf"), []byte(b.String()), 0o600)
}

// hostapdUsers is the user file of hostapd's own EAP server.
func (l *Lab) hostapdUsers() string {
	u := l.EAP
	q := func(s string) string { return `"` + s + `"` }
	return strings.Join([]string{
		"# phase 1",
		q(u.MD5.User) + "\tMD5\t" + q(u.MD5.Password),
		q(u.TLSPhone) + "\tTLS",
		q(u.TLSPC) + "\tTLS",
		"*\tPEAP,TTLS,FAST,TLS",
		"# phase 2",
		q(u.PEAPMSCHAPv2.User) + "\tMSCHAPV2\t" + q(u.PEAPMSCHAPv2.Password) + "\t[2]",
		q(u.PEAPGTC.User) + "\tGTC\t" + q(u.PEAPGTC.Password) + "\t[2]",
		q(u.TTLSMSCHAPv2.User) + "\tMSCHAPV2,TTLS-MSCHAPV2,TTLS-PAP\t" + q(u.TTLSMSCHAPv2.Password) + "\t[2]",
		q(u.TTLSGTC.User) + "\tGTC\t" + q(u.TTLSGTC.Password) + "\t[2]",
		q(u.FAST.User) + "\tMSCHAPV2,GTC\t" + q(u.FAST.Password) + "\t[2]",
		"",
	}, "\n")
}

func (l *Lab) hostapdCtrlDir() string { return filepath.Join(l.Dir, "hostapd") }

var reMonitorAttached = regexp.MustCompile(`CTRL_IFACE monitor attached`)

// startHostapd starts hostapd on the switch port and then the hostapd_cli
// action client that drives the gate.
func (l *Lab) startHostapd(ctx context.Context) ([]*Process, error) {
	if err := l.flushGate(ctx); err != nil {
		return nil, err
	}
	args := []string{"hostapd", "-d", "-t"}
	if l.Opts.HostapdKeys {
		args = append(args, "-K")
	}
	h, err := l.spawn("hostapd", l.SwitchNS, append(args, filepath.Join(l.Dir, "hostapd.conf"))...)
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(l.hostapdCtrlDir(), IfSwitchPort)
	if err := waitFor(ctx, func() bool { _, err := os.Stat(sock); return err == nil }, h); err != nil {
		return []*Process{h}, fmt.Errorf("hostapd control socket: %w", err)
	}
	nft, err := exec.LookPath("nft")
	if err != nil {
		return []*Process{h}, fmt.Errorf("hostapd gate: %w", err)
	}
	script := filepath.Join(l.Dir, "gate-action.sh")
	if err := os.WriteFile(script, []byte(gateScript(nft, filepath.Join(l.Dir, "logs", "gate.log"))), 0o755); err != nil {
		return []*Process{h}, fmt.Errorf("write gate script: %w", err)
	}
	c, err := l.spawn("hostapd_cli", l.SwitchNS, "hostapd_cli", "-p", l.hostapdCtrlDir(), "-s", l.hostapdCtrlDir(),
		"-i", IfSwitchPort, "-r", "-a", script)
	if err != nil {
		return []*Process{h}, err
	}
	// Events before the action client attaches would be lost.
	if err := h.WaitOutput(ctx, reMonitorAttached); err != nil {
		return []*Process{h, c}, fmt.Errorf("hostapd_cli attach: %w", err)
	}
	return []*Process{h, c}, nil
}

// HostapdCLI runs hostapd_cli against the switch port, e.g.
// HostapdCLI("sta", mac) or HostapdCLI("raw", "EAPOL_REAUTH", mac).
func (l *Lab) HostapdCLI(args ...string) (string, error) {
	full := append([]string{"hostapd_cli", "-p", l.hostapdCtrlDir(), "-s", l.hostapdCtrlDir(), "-i", IfSwitchPort}, args...)
	out, err := command(nil, l.SwitchNS, full...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("hostapd_cli %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// Station returns hostapd's MIB variables for a station (empty if hostapd
// does not know it).
func (l *Lab) Station(mac string) (map[string]string, error) {
	out, err := l.HostapdCLI("sta", mac)
	if err != nil {
		return nil, err
	}
	return parseMIB(out), nil
}

// Authorized reports whether hostapd's MIB says the station's controlled
// port is authorized (dot1xAuthAuthControlledPortStatus=1).
func (l *Lab) Authorized(mac string) (bool, error) {
	m, err := l.Station(mac)
	if err != nil {
		return false, err
	}
	return m["dot1xAuthAuthControlledPortStatus"] == "1", nil
}

// parseMIB parses hostapd_cli's "name=value" lines; the first line of a
// station's answer is its MAC and is skipped.
func parseMIB(s string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || k == "" {
			continue
		}
		m[k] = v
	}
	return m
}
