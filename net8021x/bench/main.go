// Command bench compares the phone's 802.1X supplicant (package net8021x)
// with wpa_supplicant on one lab (hostapd's wired authenticator in front of
// FreeRADIUS, in network namespaces), in the same run:
//
//   - EAPOL-Start to EAP-Success per method: ours from Result.Elapsed,
//     wpa_supplicant's from its own debug timestamps (txStart to
//     CTRL-EVENT-EAP-SUCCESS, as ../shared/reference-labs/eap/measure.sh);
//     both repeat the authentication from the authorized state (an
//     EAPOL-Start each time; FreeRADIUS has its TLS session cache off).
//     EAP-FAST resuming with its PAC runs on a second lab with hostapd's
//     own EAP server (FreeRADIUS 3.2.1's EAP-FAST is broken).
//   - link-up to authorized: from `ip link set lan0 up` to hostapd's
//     AP-STA-CONNECTED (its log timestamps), the supplicant already running.
//   - restart to authenticated: a process that holds the port is stopped
//     (SIGTERM) and started again at once, to hostapd's "authenticated".
//   - resident memory (VmRSS, VmHWM) of a process that authenticated and
//     holds the port: ours is this program re-run as a supplicant-only child
//     (-child), not the whole firmware.
//
// It needs root and the lab's packages (make lab-deps). Run: make bench-8021x.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"deskphone/lab"
	"deskphone/net8021x"
)

// method pairs our mode with the lab's wpa_supplicant configuration.
type method struct {
	mode net8021x.Mode
	wpa  lab.Method
}

var methods = []method{
	{net8021x.ModeMD5, lab.MethodMD5},
	{net8021x.ModeTLS, lab.MethodTLS},
	{net8021x.ModePEAPMSCHAPv2, lab.MethodPEAPMSCHAPv2},
	{net8021x.ModeTTLSMSCHAPv2, lab.MethodTTLSEAPMSCHAPv2},
	{net8021x.ModePEAPGTC, lab.MethodPEAPGTC},
	{net8021x.ModeTTLSGTC, lab.MethodTTLSEAPGTC},
}

func main() {
	n := flag.Int("n", 20, "authentications per method and supplicant")
	linkups := flag.Int("linkups", 5, "link-up samples per supplicant")
	restarts := flag.Int("restarts", 3, "restart samples per supplicant")
	child := flag.Bool("child", false, "internal: run as the supplicant whose memory is measured")
	mode := flag.Int("mode", 0, "internal (-child): 802.1X mode")
	labDir := flag.String("lab", "", "internal (-child): the lab's directory")
	flag.Parse()
	if *child {
		if err := runChild(net8021x.Mode(*mode), *labDir); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*n, *linkups, *restarts); err != nil {
		fmt.Fprintln(os.Stderr, "bench-8021x:", err)
		os.Exit(1)
	}
}

// row is one line of the result table.
type row struct {
	name      string
	ours, wpa []time.Duration
	note      string
}

func run(n, linkups, restarts int) error {
	if err := lab.Check(lab.Options{}); err != nil {
		return err
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	l, err := lab.Up(ctx, lab.Options{Dot1X: lab.FreeRADIUS})
	if err != nil {
		return err
	}
	defer l.Close()

	var rows []row
	for _, m := range methods {
		cfg, err := config(l, m.mode)
		if err != nil {
			return err
		}
		r := row{name: m.mode.String()}
		if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
			return err
		}
		if r.ours, err = oursTimes(l, cfg, n); err != nil {
			return err
		}
		if r.wpa, err = wpaTimes(l, m.wpa, n); err != nil {
			return err
		}
		rows = append(rows, r)
	}
	fr, err := fastRow(n)
	if err != nil {
		return err
	}
	rows = append(rows, fr)
	lr, err := linkUpRows(l, linkups)
	if err != nil {
		return err
	}
	rr, err := restartRow(l, restarts)
	if err != nil {
		return err
	}
	mem, err := memoryRows(l)
	if err != nil {
		return err
	}
	printTable(rows, lr, rr, mem)
	fmt.Printf("\nlab %s, FreeRADIUS back end (FAST: a second lab, hostapd's own EAP server); whole bench took %s\n", l.ID, time.Since(start).Round(time.Second))
	return nil
}

// openFrames opens the raw EAPOL socket on the phone's lan0. Each run
// opens its own: wpa_supplicant shares the MAC, and a socket left open
// while it runs would queue hostapd's frames meant for it.
func openFrames(l *lab.Lab) (*net8021x.RawFrames, error) {
	var frames *net8021x.RawFrames
	err := lab.InNetns(l.PhoneNS, func() error {
		var err error
		frames, err = net8021x.ListenEAPOL(l.PhoneLAN.Name)
		return err
	})
	return frames, err
}

// oursTimes authenticates n times in a row (from the authorized state
// after the first) and returns Result.Elapsed of each.
func oursTimes(l *lab.Lab, cfg net8021x.Config, n int) ([]time.Duration, error) {
	frames, err := openFrames(l)
	if err != nil {
		return nil, err
	}
	defer frames.Close()
	var out []time.Duration
	for range n {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		res, err := net8021x.Authenticate(ctx, frames, lab.MACPhoneLAN, cfg)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("ours %s: %w", cfg.Mode, err)
		}
		out = append(out, res.Elapsed)
	}
	return out, nil
}

// config is our configuration of a mode on lab l.
func config(l *lab.Lab, mode net8021x.Mode) (net8021x.Config, error) {
	pem, err := os.ReadFile(l.PKI.CA.Cert)
	if err != nil {
		return net8021x.Config{}, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return net8021x.Config{}, errors.New("lab CA: no certificate")
	}
	u := l.EAP
	login := map[net8021x.Mode]lab.Login{
		net8021x.ModeMD5: u.MD5, net8021x.ModeTLS: {User: u.TLSPhone}, net8021x.ModePEAPMSCHAPv2: u.PEAPMSCHAPv2,
		net8021x.ModeTTLSMSCHAPv2: u.TTLSMSCHAPv2, net8021x.ModePEAPGTC: u.PEAPGTC, net8021x.ModeTTLSGTC: u.TTLSGTC,
	}[mode]
	cfg := net8021x.Config{Mode: mode, Identity: login.User, Password: login.Password, CAs: pool,
		ServerName: lab.HostRADIUS, Logger: slog.New(slog.DiscardHandler)}
	if mode == net8021x.ModeTLS {
		cert, err := tls.LoadX509KeyPair(l.PKI.Phone.Cert, l.PKI.Phone.Key)
		if err != nil {
			return cfg, err
		}
		cfg.Certificate = &cert
	}
	return cfg, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

func cell(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%s (min %s max %s, n=%d)", ms(median(ds)), ms(slices.Min(ds)), ms(slices.Max(ds)), len(ds))
}

func printTable(rows, linkRows []row, restart row, mem []memRow) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "EAPOL-Start -> EAP-Success, median ms\tnet8021x\twpa_supplicant 2.10\n")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.name, cell(r.ours), cell(r.wpa))
	}
	fmt.Fprintf(w, "\t\t\n")
	fmt.Fprintf(w, "link-up -> authorized (hostapd), median ms\tnet8021x\twpa_supplicant 2.10\n")
	for _, r := range linkRows {
		ours, wpa := cell(r.ours), cell(r.wpa)
		if r.note == "-" {
			wpa = "-"
		} else if r.note != "" {
			wpa += " " + r.note
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.name, ours, wpa)
	}
	fmt.Fprintf(w, "\t\t\n")
	fmt.Fprintf(w, "restart -> authenticated (hostapd), median ms\tnet8021x (child process)\twpa_supplicant 2.10\n")
	fmt.Fprintf(w, "%s\t%s\t%s\n", restart.name, cell(restart.ours), cell(restart.wpa))
	fmt.Fprintf(w, "\t\t\n")
	fmt.Fprintf(w, "memory after authenticating (kB)\tnet8021x (child process)\twpa_supplicant 2.10\n")
	for _, m := range mem {
		fmt.Fprintf(w, "%s\tVmRSS %d, VmHWM %d\tVmRSS %d, VmHWM %d\n", m.name, m.ours.RSS, m.ours.HWM, m.wpa.RSS, m.wpa.HWM)
	}
	w.Flush()
}
