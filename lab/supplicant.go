package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Method is an EAP method configuration of the reference supplicant.
type Method string

const (
	MethodMD5              Method = "md5"
	MethodTLS              Method = "tls"
	MethodPEAPMSCHAPv2     Method = "peap-mschapv2"
	MethodPEAPGTC          Method = "peap-gtc"
	MethodTTLSEAPMSCHAPv2  Method = "ttls-eap-mschapv2"
	MethodTTLSEAPGTC       Method = "ttls-eap-gtc"
	MethodPEAPCryptoBind   Method = "peap-cryptobinding" // PEAPv0/MSCHAPv2, crypto binding required (hostapd's server)
	MethodFASTProvisioning Method = "fast"               // EAP-FAST, server-authenticated PAC provisioning, then PAC (hostapd's server)
)

// Supplicant is wpa_supplicant (-D wired) run by the lab: the reference
// client that proves the authenticator and servers work.
type Supplicant struct {
	*Process
	Iface Iface
	Ctrl  string // ctrl_interface dir, for wpa_cli

	name, conf string
}

var (
	reEAPSuccess = regexp.MustCompile(`CTRL-EVENT-EAP-SUCCESS`)
	reEAPResult  = regexp.MustCompile(`CTRL-EVENT-EAP-(SUCCESS|FAILURE)`)
)

// supplicantNetwork is the network block of one method.
func (l *Lab) supplicantNetwork(m Method, on Iface, pacFile string) (string, error) {
	u := l.EAP
	tlsCert := l.PKI.Phone
	tlsID := u.TLSPhone
	if on.NS == l.PCNS {
		tlsCert, tlsID = l.PKI.PC, u.TLSPC
	}
	server := fmt.Sprintf("\tca_cert=%q\n\tdomain_suffix_match=%q\n", l.PKI.CA.Cert, HostRADIUS)
	tunnel := func(lg Login, phase1, phase2 string) string {
		s := fmt.Sprintf("\tanonymous_identity=%q\n\tidentity=%q\n\tpassword=%q\n%s\tphase2=%q\n", u.Anonymous, lg.User, lg.Password, server, phase2)
		if phase1 != "" {
			s += fmt.Sprintf("\tphase1=%q\n", phase1)
		}
		return s
	}
	var body string
	switch m {
	case MethodMD5:
		body = fmt.Sprintf("\teap=MD5\n\tidentity=%q\n\tpassword=%q\n", u.MD5.User, u.MD5.Password)
	case MethodTLS:
		body = fmt.Sprintf("\teap=TLS\n\tidentity=%q\n\tclient_cert=%q\n\tprivate_key=%q\n%s", tlsID, tlsCert.Cert, tlsCert.Key, server)
	case MethodPEAPMSCHAPv2:
		body = "\teap=PEAP\n" + tunnel(u.PEAPMSCHAPv2, "peapver=0", "auth=MSCHAPV2")
	case MethodPEAPGTC:
		body = "\teap=PEAP\n" + tunnel(u.PEAPGTC, "peapver=0", "auth=GTC")
	case MethodTTLSEAPMSCHAPv2:
		body = "\teap=TTLS\n" + tunnel(u.TTLSMSCHAPv2, "", "autheap=MSCHAPV2")
	case MethodTTLSEAPGTC:
		body = "\teap=TTLS\n" + tunnel(u.TTLSGTC, "", "autheap=GTC")
	case MethodPEAPCryptoBind:
		body = "\teap=PEAP\n" + tunnel(u.PEAPMSCHAPv2, "peapver=0 crypto_binding=2", "auth=MSCHAPV2")
	case MethodFASTProvisioning:
		body = "\teap=FAST\n" + tunnel(u.FAST, "fast_provisioning=2", "auth=MSCHAPV2") + fmt.Sprintf("\tpac_file=%q\n", pacFile)
	default:
		return "", fmt.Errorf("unknown EAP method %q", m)
	}
	return "network={\n\tkey_mgmt=IEEE8021X\n\teapol_flags=0\n" + body + "}\n", nil
}

// StartSupplicant runs wpa_supplicant with method m on interface on (the
// phone's LAN or the PC). name makes its files and log unique; the EAP-FAST
// PAC file is kept per name, so a second run with the same name resumes
// with the PAC. Before starting, hostapd forgets the station: after an
// EAP-Failure it would ignore EAPOL-Start for 60 s.
func (l *Lab) StartSupplicant(name string, m Method, on Iface) (*Supplicant, error) {
	ctrl := filepath.Join(l.Dir, "wpa-"+name)
	if err := os.MkdirAll(ctrl, 0o700); err != nil {
		return nil, fmt.Errorf("supplicant %s: %w", name, err)
	}
	net, err := l.supplicantNetwork(m, on, filepath.Join(l.Dir, "pac-"+name))
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(l.Dir, "wpa-"+name+".conf")
	body := fmt.Sprintf("ctrl_interface=%s\nap_scan=0\neapol_version=2\nfast_reauth=1\n%s", ctrl, net)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		return nil, fmt.Errorf("supplicant %s: %w", name, err)
	}
	if l.Opts.Dot1X != PortOpen {
		mac := l.PhoneLAN.MAC
		if on.NS == l.PCNS {
			mac = l.PC.MAC
		}
		_, _ = l.HostapdCLI("deauthenticate", mac)
	}
	return l.runSupplicant(&Supplicant{Iface: on, Ctrl: ctrl, name: name, conf: conf})
}

func (l *Lab) runSupplicant(s *Supplicant) (*Supplicant, error) {
	p, err := l.spawn("wpa_supplicant-"+s.name, s.Iface.NS, "wpa_supplicant", "-D", "wired", "-i", s.Iface.Name, "-c", s.conf, "-t", "-d")
	if err != nil {
		return nil, err
	}
	s.Process = p
	return s, nil
}

// RestartSupplicant stops s the way a host shuts it down (SIGTERM) and
// starts it again at once with the same configuration. Unlike
// StartSupplicant it leaves hostapd's state of the station as it is: the
// point is to see how the authenticator takes a quick return.
func (l *Lab) RestartSupplicant(s *Supplicant) (*Supplicant, error) {
	if err := s.Stop(time.Second); err != nil {
		return nil, err
	}
	return l.runSupplicant(&Supplicant{Iface: s.Iface, Ctrl: s.Ctrl, name: s.name, conf: s.conf})
}

// Result waits for the EAP result: nil on EAP-Success.
func (s *Supplicant) Result(ctx context.Context) error {
	if err := s.WaitOutput(ctx, reEAPResult); err != nil {
		return err
	}
	if !reEAPSuccess.Match(s.output()) {
		return fmt.Errorf("supplicant %s: EAP failure", s.Name)
	}
	return nil
}

// Successes counts the EAP successes so far (re-authentications add one).
func (s *Supplicant) Successes() int { return len(reEAPSuccess.FindAllIndex(s.output(), -1)) }

// CLI runs wpa_cli against this supplicant, e.g. CLI("logoff").
func (s *Supplicant) CLI(args ...string) (string, error) {
	full := append([]string{"wpa_cli", "-p", s.Ctrl, "-i", s.Iface.Name}, args...)
	out, err := command(nil, s.NS, full...).CombinedOutput()
	if err != nil || strings.Contains(string(out), "FAIL") {
		return string(out), fmt.Errorf("wpa_cli %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
