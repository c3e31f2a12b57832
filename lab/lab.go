package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Backend chooses the switch's 802.1X mode.
type Backend int

const (
	// PortOpen: no hostapd; the switch forwards everything but EAPOL.
	PortOpen Backend = iota
	// FreeRADIUS: hostapd relays EAP to FreeRADIUS 3.2 (MD5, TLS, PEAP, TTLS).
	FreeRADIUS
	// HostapdEAP: hostapd's own EAP server, the only one here with EAP-FAST
	// and PEAP crypto binding.
	HostapdEAP
)

func (b Backend) String() string {
	switch b {
	case PortOpen:
		return "open"
	case FreeRADIUS:
		return "freeradius"
	case HostapdEAP:
		return "hostapd"
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// CertChoice picks the certificate the EAP server presents.
type CertChoice int

const (
	CertGood CertChoice = iota
	CertExpired
	CertNotYetValid
	CertWrongHost
	CertRSA1024
	CertRogue
)

// Options choose what a lab runs. The zero value is the bare topology with
// an open switch port.
type Options struct {
	Dot1X        Backend
	EAPCert      CertChoice // what the EAP server presents (default the good RADIUS cert)
	EAPTLS13     bool       // FreeRADIUS allows TLS 1.3 (default max 1.2)
	ReauthPeriod int        // hostapd eap_reauth_period in seconds (default 3600)
	// HostapdKeys runs hostapd with -K: its log shows the keys it derives
	// (MSK, EAP-FAST's key chain), for tests comparing them. Lab only.
	HostapdKeys bool

	SIP    bool // Kamailio
	Remote bool // baresip remote party (implies SIP)
	Web    bool // nginx
	TFTP   bool // tftpd-hpa
	FTP    bool // vsftpd
	DHCP   bool // dnsmasq (DHCP and DNS)

	// PhoneAddress configures AddrPhone on the phone's LAN interface and
	// AddrPC on the PC, for tests that do not run DHCP.
	PhoneAddress bool
}

// All runs every service with the given 802.1X back end.
func All(b Backend) Options {
	return Options{Dot1X: b, SIP: true, Remote: true, Web: true, TFTP: true, FTP: true, DHCP: true}
}

func (o Options) reauth() int {
	if o.ReauthPeriod > 0 {
		return o.ReauthPeriod
	}
	return 3600
}

func (o Options) eapTLSMax() string {
	if o.EAPTLS13 {
		return "1.3"
	}
	return "1.2"
}

// Service names a peer the lab runs; StopService and StartService take it.
type Service string

const (
	SvcRADIUS   Service = "freeradius"
	SvcHostapd  Service = "hostapd" // with its hostapd_cli gate action
	SvcKamailio Service = "kamailio"
	SvcNginx    Service = "nginx"
	SvcTFTP     Service = "tftpd"
	SvcFTP      Service = "vsftpd"
	SvcDHCP     Service = "dnsmasq"
	SvcRemote   Service = "remote" // the baresip remote party
)

// Iface is a network interface of the lab.
type Iface struct {
	NS   string
	Name string
	MAC  string
}

// Lab is one running instance.
type Lab struct {
	ID   string
	Dir  string // temp dir with configs, PKI, logs; removed by Close
	Opts Options

	PhoneNS, PCNS, SwitchNS, ServicesNS string

	PhoneLAN   Iface // the phone's LAN port (lan0), cabled to SwitchPort
	PhonePC    Iface // the phone's PC port (pc0), cabled to PC
	PC         Iface // the PC (eth0)
	SwitchPort Iface // the switch port hostapd guards (port1)

	PKI       *PKI
	EAP       EAPUsers
	PBX       PBX
	Prov      Prov
	DHCP      DHCP
	Remote    Remote
	RemoteUA  *UA    // the running remote party (Options.Remote)
	AudioFile string // what the remote party plays: speech (see WriteSpeech)

	mu       sync.Mutex
	procs    []*Process             // everything spawned, for Close and logs
	services map[Service][]*Process // running services
	closed   bool
}

// Up creates and starts a lab. On error everything already made is removed.
func Up(ctx context.Context, opts Options) (*Lab, error) {
	if opts.Remote {
		opts.SIP = true
	}
	if err := Check(opts); err != nil {
		return nil, err
	}
	_ = Sweep(ctx) // leftovers of crashed runs, never live labs
	id := newID()
	dir := filepath.Join(os.TempDir(), id)
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // tftpd, vsftpd, nginx workers read Prov.Root
		return nil, fmt.Errorf("lab up: %w", err)
	}
	l := &Lab{
		ID: id, Dir: dir, Opts: opts,
		PhoneNS: nsName(id, rolePhone), PCNS: nsName(id, rolePC), SwitchNS: nsName(id, roleSwitch), ServicesNS: nsName(id, roleServices),
		EAP: DefaultEAPUsers,
		PBX: PBX{Host: HostPBX, Addr: AddrPBX, UDPPort: 5060, TCPPort: 5060, TLSPort: 5061},
		Prov: Prov{Host: HostProv, Addr: AddrProv, Root: filepath.Join(dir, "srv"), HTTPPort: 80, HTTPSPort: 443, MTLSPort: 8443,
			ExpiredPort: 4431, NotYetValidPort: 4432, WrongHostPort: 4433, RSA1024Port: 4434, RoguePort: 4435,
			TFTPPort: 69, FTPPort: 21},
		DHCP: DHCP{Server: AddrGateway, First: DHCPFirst, Last: DHCPLast,
			Option66: AddrProv, Option67: "1230SIP.cfg", Option150: []string{AddrProv},
			Option43: option43("http://" + AddrProv + "/"), Option160: "https://" + HostProv + "/"},
		Remote:    Remote{User: SIPUsers[1], URI: "sip:" + SIPUsers[1].User + "@" + HostPBX, Addr: AddrRemote, Port: 5060},
		AudioFile: filepath.Join(dir, "speech.wav"),
		services:  map[Service][]*Process{},
	}
	l.PhoneLAN = Iface{l.PhoneNS, IfPhoneLAN, MACPhoneLAN.String()}
	l.PhonePC = Iface{l.PhoneNS, IfPhonePC, MACPhonePC.String()}
	l.PC = Iface{l.PCNS, IfPC, MACPC.String()}
	l.SwitchPort = Iface{l.SwitchNS, IfSwitchPort, MACSwitchPort.String()}
	if err := l.up(ctx); err != nil {
		cerr := l.Close()
		return nil, errors.Join(fmt.Errorf("lab up: %w", err), cerr)
	}
	return l, nil
}

func (l *Lab) up(ctx context.Context) error {
	var pkiErr error
	pkiDone := make(chan struct{})
	go func() {
		defer close(pkiDone)
		l.PKI, pkiErr = makePKI(filepath.Join(l.Dir, "pki"))
		if pkiErr == nil {
			pkiErr = writeAudio(l.AudioFile)
		}
	}()
	topoErr := l.makeTopology(ctx)
	<-pkiDone
	if err := errors.Join(topoErr, pkiErr); err != nil {
		return err
	}
	if err := l.loadGate(ctx); err != nil {
		return err
	}
	if err := l.writeConfigs(); err != nil {
		return err
	}
	// Independent services start together; the remote party needs the PBX.
	var first []Service
	if l.Opts.Dot1X == FreeRADIUS {
		first = append(first, SvcRADIUS)
	}
	if l.Opts.Dot1X != PortOpen {
		first = append(first, SvcHostapd)
	}
	for _, s := range []struct {
		on  bool
		svc Service
	}{{l.Opts.SIP, SvcKamailio}, {l.Opts.Web, SvcNginx}, {l.Opts.TFTP, SvcTFTP}, {l.Opts.FTP, SvcFTP}, {l.Opts.DHCP, SvcDHCP}} {
		if s.on {
			first = append(first, s.svc)
		}
	}
	errs := make([]error, len(first))
	var wg sync.WaitGroup
	for i, s := range first {
		wg.Go(func() { errs[i] = l.StartService(ctx, s) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if l.Opts.Remote {
		return l.StartService(ctx, SvcRemote)
	}
	return nil
}

// writeConfigs writes every service's config into the lab dir.
func (l *Lab) writeConfigs() error {
	if err := l.writeProvRoot(); err != nil {
		return err
	}
	steps := []struct {
		on    bool
		write func() error
	}{
		{l.Opts.Dot1X != PortOpen, l.writeHostapd},
		{l.Opts.Dot1X == FreeRADIUS, l.writeRADIUS},
		{l.Opts.SIP, l.writeKamailio},
		{l.Opts.Web, l.writeNginx},
		{l.Opts.FTP, l.writeVsftpd},
		{l.Opts.DHCP, l.writeDnsmasq},
	}
	for _, s := range steps {
		if s.on {
			if err := s.write(); err != nil {
				return err
			}
		}
	}
	return nil
}

// eapCert is the certificate the EAP server presents.
func (l *Lab) eapCert() CertFile {
	switch l.Opts.EAPCert {
	case CertExpired:
		return l.PKI.Expired
	case CertNotYetValid:
		return l.PKI.NotYetValid
	case CertWrongHost:
		return l.PKI.WrongHost
	case CertRSA1024:
		return l.PKI.RSA1024
	case CertRogue:
		return l.PKI.Rogue
	}
	return l.PKI.RADIUS
}

// StartService starts a configured service and waits until it is ready.
func (l *Lab) StartService(ctx context.Context, s Service) error {
	l.mu.Lock()
	running := len(l.services[s]) > 0
	l.mu.Unlock()
	if running {
		return fmt.Errorf("start %s: already running", s)
	}
	start, err := l.starter(s)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	procs, err := start(ctx)
	l.mu.Lock()
	l.services[s] = procs
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("start %s: %w", s, err)
	}
	return nil
}

func (l *Lab) starter(s Service) (func(context.Context) ([]*Process, error), error) {
	type entry struct {
		on    bool
		start func(context.Context) ([]*Process, error)
	}
	m := map[Service]entry{
		SvcRADIUS:   {l.Opts.Dot1X == FreeRADIUS, l.startRADIUS},
		SvcHostapd:  {l.Opts.Dot1X != PortOpen, l.startHostapd},
		SvcKamailio: {l.Opts.SIP, l.startKamailio},
		SvcNginx:    {l.Opts.Web, l.startNginx},
		SvcTFTP:     {l.Opts.TFTP, l.startTFTP},
		SvcFTP:      {l.Opts.FTP, l.startFTP},
		SvcDHCP:     {l.Opts.DHCP, l.startDHCP},
		SvcRemote:   {l.Opts.Remote, l.startRemote},
	}
	e, ok := m[s]
	if !ok {
		return nil, fmt.Errorf("unknown service %q", s)
	}
	if !e.on {
		return nil, fmt.Errorf("service %s is not part of this lab's options", s)
	}
	return e.start, nil
}

// StopService stops a running service (e.g. FreeRADIUS mid-session, the
// registrar, the DHCP server). Stopping hostapd closes the gate for all.
func (l *Lab) StopService(s Service) error {
	l.mu.Lock()
	procs := l.services[s]
	delete(l.services, s)
	l.mu.Unlock()
	if len(procs) == 0 {
		return fmt.Errorf("stop %s: not running", s)
	}
	var errs []error
	for _, p := range slices.Backward(procs) {
		errs = append(errs, p.Stop(3*time.Second))
	}
	if s == SvcHostapd {
		errs = append(errs, l.flushGate(context.Background()))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stop %s: %w", s, err)
	}
	return nil
}

// RestartService stops and starts a service.
func (l *Lab) RestartService(ctx context.Context, s Service) error {
	if err := l.StopService(s); err != nil {
		return err
	}
	return l.StartService(ctx, s)
}

// Running lists the services that are running.
func (l *Lab) Running() []Service {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Service
	for s, ps := range l.services {
		if len(ps) > 0 && ps[0].Running() {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// spawn starts a lab-managed process with its log in the lab's logs dir.
func (l *Lab) spawn(name, ns string, args ...string) (*Process, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, fmt.Errorf("start %s: lab closed", name)
	}
	l.mu.Unlock()
	p, err := startProcess(name, ns, filepath.Join(l.Dir, "logs", name+".log"), nil, args...)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.procs = append(l.procs, p)
	l.mu.Unlock()
	return p, nil
}

// Spawn starts a program inside namespace ns in the background, with its
// output in the lab's logs (shown on test failure). The lab kills it on
// Close if it still runs. name must be unique for the log to be its own.
func (l *Lab) Spawn(name, ns string, args ...string) (*Process, error) {
	return l.spawn(name, ns, args...)
}

// Command builds a command that runs inside namespace ns. It is in its own
// process group and dies with the calling process; ctx kills it.
func (l *Lab) Command(ctx context.Context, ns string, args ...string) *exec.Cmd {
	if ctx == nil {
		ctx = context.Background()
	}
	return command(ctx, ns, args...)
}

// Exec runs a program inside namespace ns to completion and returns its
// combined output.
func (l *Lab) Exec(ns string, args ...string) (string, error) {
	out, err := command(nil, ns, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s in %s: %w: %s", strings.Join(args, " "), ns, err, tail(out, 10))
	}
	return string(out), nil
}

// SetLink sets an interface of the lab up or down (e.g. the phone's LAN
// link: SetLink(l.PhoneLAN, false)).
func (l *Lab) SetLink(i Iface, up bool) error {
	state := "down"
	if up {
		state = "up"
	}
	return run(context.Background(), "ip", "-n", i.NS, "link", "set", i.Name, state)
}

// LogFile is one log of the lab.
type LogFile struct {
	Name string
	Path string
}

// Logs lists the lab's log files (services, spawned processes, the gate).
func (l *Lab) Logs() []LogFile {
	ents, _ := os.ReadDir(filepath.Join(l.Dir, "logs"))
	var out []LogFile
	for _, e := range ents {
		out = append(out, LogFile{Name: strings.TrimSuffix(e.Name(), ".log"), Path: filepath.Join(l.Dir, "logs", e.Name())})
	}
	return out
}

// DumpLogs writes the last lines of every log through logf (t.Logf).
func (l *Lab) DumpLogs(logf func(format string, args ...any), lines int) {
	for _, lf := range l.Logs() {
		b, err := os.ReadFile(lf.Path)
		if err != nil || len(b) == 0 {
			continue
		}
		logf("==== lab %s log %s (last %d lines) ====\n%s", l.ID, lf.Name, lines, tail(b, lines))
	}
}

// Close stops every process, deletes the namespaces and the temp dir. It is
// safe to call more than once.
func (l *Lab) Close() error { return l.close(false) }

func (l *Lab) close(keepDir bool) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	procs := slices.Clone(l.procs)
	l.services = map[Service][]*Process{}
	l.mu.Unlock()

	// Polite first (baresip de-registers, logs flush), then by force.
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(func() { _ = p.Stop(2 * time.Second) })
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	for _, role := range []string{rolePhone, rolePC, roleSwitch, roleServices} {
		errs = append(errs, killNetns(ctx, nsName(l.ID, role)))
	}
	errs = append(errs, killByDir(l.Dir))
	if !keepDir {
		errs = append(errs, os.RemoveAll(l.Dir))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab %s close: %w", l.ID, err)
	}
	return nil
}

// killByDir kills processes whose command line names dir: a daemon whose
// namespace was already gone would otherwise escape.
func killByDir(dir string) error {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	self := os.Getpid()
	var pids []int
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil || pid == self {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !strings.Contains(string(b), dir+"/") && !strings.Contains(string(b), dir+"\x00") {
			continue
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
		pids = append(pids, pid)
	}
	reap(pids)
	return nil
}
