package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"deskphone/hal"
	"deskphone/lab"
	"deskphone/net8021x"
	"deskphone/status"
)

type memRow struct {
	name      string
	ours, wpa lab.Memory
}

var reChildAuthenticated = regexp.MustCompile(`state=authenticated`)

// memoryRows authenticates with each method in a fresh process of each
// supplicant and reads its memory while it holds the port.
func memoryRows(l *lab.Lab) ([]memRow, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var rows []memRow
	for _, m := range methods {
		r := memRow{name: m.mode.String()}
		if _, err := l.HostapdCLI("deauthenticate", l.PhoneLAN.MAC); err != nil {
			return nil, err
		}
		p, err := l.Spawn(fmt.Sprintf("bench-child-%d", m.mode), l.PhoneNS, exe, "-child", "-mode", strconv.Itoa(int(m.mode)), "-lab", l.Dir)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err = p.WaitOutput(ctx, reChildAuthenticated)
		cancel()
		if err == nil {
			r.ours, err = lab.ProcessMemory(p.Pid())
		}
		p.Stop(time.Second)
		if err != nil {
			return nil, fmt.Errorf("ours %s: %w", m.mode, err)
		}

		s, err := l.StartSupplicant("bench-mem-"+string(m.wpa), m.wpa, l.PhoneLAN)
		if err != nil {
			return nil, err
		}
		ctx, cancel = context.WithTimeout(context.Background(), 20*time.Second)
		err = s.Result(ctx)
		cancel()
		if err == nil {
			r.wpa, err = lab.ProcessMemory(s.Pid())
		}
		s.Stop(time.Second)
		if err != nil {
			return nil, fmt.Errorf("wpa_supplicant %s: %w", m.wpa, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// upPort is a port whose link is always up (the child runs on lan0 as is).
type upPort struct {
	name string
	mac  net.HardwareAddr
}

func (p upPort) Role() hal.PortRole    { return hal.LAN }
func (p upPort) Interface() string     { return p.name }
func (p upPort) MAC() net.HardwareAddr { return p.mac }
func (p upPort) Up() bool              { return true }
func (p upPort) WaitLink(ctx context.Context, last bool) (bool, error) {
	<-ctx.Done()
	return last, ctx.Err()
}

// runChild is the measured process: inside the phone's namespace it runs
// the long-running Supplicant on lan0 until SIGTERM, printing its states.
func runChild(mode net8021x.Mode, labDir string) error {
	if labDir == "" {
		return errors.New("-lab is required")
	}
	// The lab's PKI file names (lab/pki.go) and its default accounts.
	l := &lab.Lab{EAP: lab.DefaultEAPUsers, PKI: &lab.PKI{
		CA:    lab.CertFile{Cert: filepath.Join(labDir, "pki", "ca.pem")},
		Phone: lab.CertFile{Cert: filepath.Join(labDir, "pki", "phone.pem"), Key: filepath.Join(labDir, "pki", "phone.key")},
	}}
	cfg, err := config(l, mode)
	if err != nil {
		return err
	}
	frames, err := net8021x.ListenEAPOL(lab.IfPhoneLAN)
	if err != nil {
		return err
	}
	defer frames.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	sup := net8021x.New(upPort{name: lab.IfPhoneLAN, mac: lab.MACPhoneLAN}, frames, cfg, func(d status.Dot1X) {
		fmt.Printf("state=%s method=%s reason=%q\n", d.State, d.Method, d.Reason)
	})
	return sup.Run(ctx)
}
