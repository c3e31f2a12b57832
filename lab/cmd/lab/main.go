// Command lab starts the deskphone test lab for a person: `lab up` runs every
// peer in its namespaces and stays in the foreground until Ctrl-C; `lab down`
// removes labs left behind; `lab status` lists them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"deskphone/lab"
)

// upState records a running `lab up`, so that `lab down` can stop it.
var upState = filepath.Join(os.TempDir(), "deskphone-lab-up.json")

type state struct {
	Pid int    `json:"pid"`
	ID  string `json:"id"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		slog.Error("lab", "err", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: lab up [-backend freeradius|hostapd|open] | down [-all] | status")
	}
	switch args[0] {
	case "up":
		return up(args[1:], out)
	case "down":
		return down(args[1:], out)
	case "status":
		ids := lab.Leftovers()
		if len(ids) == 0 {
			fmt.Fprintln(out, "no lab")
		}
		for _, id := range ids {
			fmt.Fprintln(out, id)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q (up, down, status)", args[0])
}

func up(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	backend := fs.String("backend", "freeradius", "802.1X back end: freeradius, hostapd (own EAP server, EAP-FAST) or open")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var b lab.Backend
	switch *backend {
	case "freeradius":
		b = lab.FreeRADIUS
	case "hostapd":
		b = lab.HostapdEAP
	case "open":
		b = lab.PortOpen
	default:
		return fmt.Errorf("unknown back end %q", *backend)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	t0 := time.Now()
	l, err := lab.Up(ctx, lab.All(b))
	if err != nil {
		return err
	}
	defer l.Close()
	if b, err := json.Marshal(state{Pid: os.Getpid(), ID: l.ID}); err == nil {
		_ = os.WriteFile(upState, b, 0o644)
		defer os.Remove(upState)
	}
	printLab(out, l, time.Since(t0))
	<-ctx.Done()
	fmt.Fprintln(out, "stopping the lab")
	return l.Close()
}

// printLab shows a person where everything is. The credentials are the
// lab's fixed throwaway ones, printed on purpose.
func printLab(out io.Writer, l *lab.Lab, took time.Duration) {
	w := func(f string, a ...any) { fmt.Fprintf(out, f+"\n", a...) }
	w("lab %s up in %v (802.1X: %s); Ctrl-C stops it", l.ID, took.Round(time.Millisecond), l.Opts.Dot1X)
	w("namespaces: phone %s  pc %s  switch %s  services %s", l.PhoneNS, l.PCNS, l.SwitchNS, l.ServicesNS)
	w("  run inside one: ip netns exec %s bash", l.PhoneNS)
	w("phone: LAN %s (%s), PC port %s (%s); PC: %s (%s)", l.PhoneLAN.Name, l.PhoneLAN.MAC, l.PhonePC.Name, l.PhonePC.MAC, l.PC.Name, l.PC.MAC)
	w("DHCP/DNS %s (range %s-%s, options 66=%q 150=%v 43=%x 160=%q)", l.DHCP.Server, l.DHCP.First, l.DHCP.Last,
		l.DHCP.Option66, l.DHCP.Option150, l.DHCP.Option43, l.DHCP.Option160)
	w("PBX %s (%s): udp/tcp %d, tls %d; users:", l.PBX.Host, l.PBX.Addr, l.PBX.UDPPort, l.PBX.TLSPort)
	for _, u := range lab.SIPUsers {
		w("  %s / %s", u.User, u.Password)
	}
	w("remote party: %s (auto-answer, SRTP required) at %s", l.Remote.URI, l.Remote.Addr)
	p := l.Prov
	w("provisioning %s (%s), files in %s:", p.Host, p.Addr, p.Root)
	w("  http :%d  https+basic :%d (%s / %s)  https+client cert :%d  tftp :%d  ftp :%d (anonymous)",
		p.HTTPPort, p.HTTPSPort, lab.HTTPUser.User, lab.HTTPUser.Password, p.MTLSPort, p.TFTPPort, p.FTPPort)
	w("  bad certs: expired :%d  not yet valid :%d  wrong host :%d  rsa1024 :%d  rogue CA :%d",
		p.ExpiredPort, p.NotYetValidPort, p.WrongHostPort, p.RSA1024Port, p.RoguePort)
	e := l.EAP
	w("802.1X users: MD5 %s/%s  PEAP-MSCHAPv2 %s/%s  PEAP-GTC %s/%s  TTLS-MSCHAPv2 %s/%s  TTLS-GTC %s/%s  FAST %s/%s  TLS %s",
		e.MD5.User, e.MD5.Password, e.PEAPMSCHAPv2.User, e.PEAPMSCHAPv2.Password, e.PEAPGTC.User, e.PEAPGTC.Password,
		e.TTLSMSCHAPv2.User, e.TTLSMSCHAPv2.Password, e.TTLSGTC.User, e.TTLSGTC.Password, e.FAST.User, e.FAST.Password, e.TLSPhone)
	w("PKI in %s: CA %s; phone %s %s; PC %s %s", l.PKI.Dir, l.PKI.CA.Cert, l.PKI.Phone.Cert, l.PKI.Phone.Key, l.PKI.PC.Cert, l.PKI.PC.Key)
	w("logs in %s", filepath.Join(l.Dir, "logs"))
}

func down(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("down", flag.ContinueOnError)
	all := fs.Bool("all", false, "also remove labs of live processes (running tests!)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if b, err := os.ReadFile(upState); err == nil {
		var s state
		if json.Unmarshal(b, &s) == nil && s.Pid > 0 && strings.HasPrefix(s.ID, "dpl"+strconv.Itoa(s.Pid)) {
			fmt.Fprintf(out, "stopping lab up (pid %d)\n", s.Pid)
			_ = syscall.Kill(s.Pid, syscall.SIGTERM)
			for i := 0; i < 150 && syscall.Kill(s.Pid, 0) == nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
		}
		_ = os.Remove(upState)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sweep := lab.Sweep
	if *all {
		sweep = lab.SweepAll
	}
	if err := sweep(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "labs left: %d\n", len(lab.Leftovers()))
	return nil
}
