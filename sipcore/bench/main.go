// Command bench compares the phone's SIP engine (package sipcore) with
// baresip on one lab (Kamailio in network namespaces), in the same run:
//
//   - REGISTER round trip, from the first REGISTER of a registration to its
//     200 OK, the digest challenge included, both UAs timed the same way: on
//     the wire at the registrar's interface (an AF_PACKET capture in the
//     services namespace). Ours: -runs starts of a phone with four lines;
//     baresip's: -runs starts of a one-account baresip.
//   - check-sync NOTIFY to final response, sent from the provisioning
//     server's address straight to each UA (ours answers 200, baresip 481).
//   - resident memory (VmRSS, VmHWM) once registered: ours is this program
//     re-run as the phone (-phone: the engine `firmware sip` runs) with one
//     and with four lines; baresip with its one account.
//
// It needs root and the lab's packages (make lab-deps). Run: make bench-sip.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"deskphone/lab"
)

const (
	phoneListen = lab.AddrPhone + ":5060"
	uaPort      = 5080 // baresip (TLS on 5081)
)

func main() {
	phone := flag.Bool("phone", false, "internal: run as the measured phone")
	lines := flag.Int("lines", 4, "internal (-phone): lines to register")
	notifies := flag.Int("n", 200, "check-sync NOTIFYs per UA")
	runs := flag.Int("runs", 5, "registrations (process starts) per UA")
	flag.Parse()
	if *phone {
		if err := runPhone(*lines, phoneListen); err != nil {
			fmt.Fprintln(os.Stderr, "bench phone:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*notifies, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench-sip:", err)
		os.Exit(1)
	}
}

func run(notifies, runs int) error {
	opts := lab.Options{SIP: true, PhoneAddress: true}
	if err := lab.Check(opts); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	l, err := lab.Up(ctx, opts)
	if err != nil {
		return err
	}
	defer l.Close()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	timer := &regTimer{start: map[string]time.Time{}}
	stopCapture, err := capture(l.ServicesNS, lab.IfServices, timer)
	if err != nil {
		return err
	}
	defer stopCapture()

	// Ours: registrations, memory, NOTIFY latency.
	var oursMem [2]lab.Memory // 1 line, 4 lines
	var oursNotify []time.Duration
	for i := range runs {
		n := 4
		if i == 0 {
			n = 1
		}
		p, err := l.Spawn(fmt.Sprintf("phone-%d", i), l.PhoneNS, exe, "-phone", "-lines", strconv.Itoa(n))
		if err != nil {
			return err
		}
		re := regexp.MustCompile(fmt.Sprintf(`(?s)(REGISTERED line=\d+\n.*){%d}`, n))
		if err := p.WaitOutput(ctx, re); err != nil {
			return fmt.Errorf("phone: %w", err)
		}
		time.Sleep(time.Second) // settle
		m, err := lab.ProcessMemory(p.Pid())
		if err != nil {
			return err
		}
		if i <= 1 {
			oursMem[min(i, 1)] = m
		}
		if i == runs-1 {
			if oursNotify, err = notifyLatency(ctx, l, "sip:"+lab.SIPUsers[0].User+"@"+phoneListen, notifies); err != nil {
				return err
			}
		}
		if err := p.Stop(3 * time.Second); err != nil {
			return err
		}
	}
	oursReg := timer.take()

	// baresip: the same, one account.
	var uaMem lab.Memory
	var uaNotify []time.Duration
	for i := range runs {
		ua, err := l.StartUA(ctx, lab.UAOptions{Name: fmt.Sprintf("bench-%d", i), NS: l.PhoneNS, Addr: lab.AddrPhone,
			Port: uaPort, User: lab.SIPUsers[4]})
		if err != nil {
			return err
		}
		time.Sleep(time.Second)
		if i == 0 {
			if uaMem, err = lab.ProcessMemory(ua.Pid()); err != nil {
				return err
			}
			if uaNotify, err = notifyLatency(ctx, l, fmt.Sprintf("sip:%s@%s:%d", lab.SIPUsers[4].User, lab.AddrPhone, uaPort), notifies); err != nil {
				return err
			}
		}
		if err := ua.Stop(2 * time.Second); err != nil {
			return err
		}
	}
	uaReg := timer.take()

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "measure\tsipcore\tbaresip 1.0.0\tsamples (ours / baresip)")
	fmt.Fprintf(w, "REGISTER round trip, median (401 included)\t%s\t%s\t%d / %d\n", median(oursReg), median(uaReg), len(oursReg), len(uaReg))
	fmt.Fprintf(w, "REGISTER round trip, max\t%s\t%s\t\n", maxOf(oursReg), maxOf(uaReg))
	fmt.Fprintf(w, "NOTIFY check-sync to response, median\t%s (200)\t%s (481)\t%d / %d\n", median(oursNotify), median(uaNotify), len(oursNotify), len(uaNotify))
	fmt.Fprintf(w, "NOTIFY check-sync to response, p90\t%s\t%s\t\n", pct(oursNotify, 90), pct(uaNotify, 90))
	fmt.Fprintf(w, "VmRSS registered, 1 line / 1 account\t%d kB\t%d kB\t\n", oursMem[0].RSS, uaMem.RSS)
	fmt.Fprintf(w, "VmHWM registered, 1 line / 1 account\t%d kB\t%d kB\t\n", oursMem[0].HWM, uaMem.HWM)
	fmt.Fprintf(w, "VmRSS registered, 4 lines\t%d kB\t-\t\n", oursMem[1].RSS)
	fmt.Fprintf(w, "VmHWM registered, 4 lines\t%d kB\t-\t\n", oursMem[1].HWM)
	return w.Flush()
}

func sorted(d []time.Duration) []time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "n/a"
	}
	s := sorted(d)
	return s[(len(s)-1)*p/100].Round(time.Microsecond).String()
}

func median(d []time.Duration) string { return pct(d, 50) }

func maxOf(d []time.Duration) string { return pct(d, 100) }
