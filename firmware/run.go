package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"deskphone/board"
	"deskphone/netconf"
	"deskphone/provision"
	"deskphone/provision/settings"
	"deskphone/status"
	"deskphone/ui"
)

// defaultConfig is applied once, to a factory-fresh flash.
//
//go:embed default.cfg
var defaultConfig []byte

// stopGrace is how long the phone's parts have to stop after SIGTERM: the
// whole process must be gone within 2 s.
const stopGrace = 1500 * time.Millisecond

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	boardName := fs.String("board", "sim", "board profile: "+strings.Join(board.Names(), ", "))
	dataDir := fs.String("data", "./var", "the phone's flash: settings and state")
	configFile := fs.String("config", "", "a settings file applied at start (optional)")
	httpAddr := fs.String("http", "127.0.0.1:8080", `simulator page and API address ("" for none)`)
	lanIface := fs.String("lan", "", "simulator board: the Linux interface that is the LAN port (default: a simulated cable)")
	pcIface := fs.String("pc", "", "simulator board: the Linux interface that is the PC port")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}

	// In a terminal the simulator owns the screen: the log goes to the flash.
	terminal := *boardName == "sim" && term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
	logOut := stderr
	if terminal {
		f, err := os.OpenFile(filepath.Join(*dataDir, "firmware.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("log file: %w", err)
		}
		defer f.Close()
		logOut = f
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))
	slog.SetDefault(log)
	log.Info("starting", "version", versionString(), "board", *boardName, "data", *dataDir)

	store, err := openStore(log, *dataDir)
	if err != nil {
		return err
	}
	hub := status.NewHub(status.Phone{
		Firmware: version,
		Board:    *boardName,
		Dot1X:    status.Dot1X{State: status.Dot1XDisabled},
	})
	if *configFile != "" {
		applyStartConfig(log, store, hub, *configFile)
	}
	publishSettings(hub, store)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reboot := &rebooter{cancel: cancel, log: log}
	b, err := board.Open(*boardName, board.Options{
		HTTPAddr: *httpAddr,
		Terminal: terminal,
		LANIface: *lanIface,
		PCIface:  *pcIface,
		Status:   hub,
		Stop:     cancel,
	})
	if err != nil {
		return err
	}
	// No real-time clock is assumed: the phone's time never goes below the
	// build time or the last time saved, until SNTP answers.
	clock := netconf.NewClock(*dataDir, built(), nil)
	ns := &netState{}
	if b.LAN.Interface() != "" {
		useResolver(&ns.dns)
	}
	lcd := ui.New(b.Display, b.Keypad, hub, store, clock.Now)
	comps := []component{
		{name: "ui", run: lcd.Run},
		{name: "settings", run: func(ctx context.Context) error { return followSettings(ctx, hub, store) }},
		{name: "lan-link", run: func(ctx context.Context) error { return followLink(ctx, hub, b) }},
		{name: "clock", run: func(ctx context.Context) error {
			return clock.SyncLoop(ctx, func() string { return ns.sntpServer(store) }, time.Hour)
		}},
		// At shutdown the boot flow (the lines unregistering, DHCP
		// releasing) goes first: 802.1X's Logoff closes the port and the
		// voice VLAN's removal takes the address.
		{name: "dot1x", after: []string{"boot"}, run: func(ctx context.Context) error {
			return runDot1X(ctx, store, hub, b.LAN, *dataDir, clock, log)
		}},
		{name: "pcport", run: func(ctx context.Context) error { return runPCPort(ctx, store, hub, b, log) }},
		{name: "voicevlan", after: []string{"boot"}, run: func(ctx context.Context) error {
			return runVoiceVLAN(ctx, store, hub, b, log)
		}},
	}
	if b.Run != nil {
		comps = append(comps, component{name: "board", run: b.Run})
	}

	// The firmware slots: the image's init has picked and counted the slot;
	// on the simulator the firmware does it (firmware/slots.go).
	slots := openSlots(*dataDir, log)
	prov, err := provision.New(store, provision.Config{
		DataDir: *dataDir, Model: phoneModel, MAC: b.LAN.MAC().String(), Log: log,
		Now: clock.Now, ClockSource: clock.Source,
	})
	if err != nil {
		log.Warn("provisioning set-up", "err", err)
	}
	provEngine := &provision.Engine{Prov: prov, Hub: hub, DHCP: ns.dhcpOptions}
	lcd.SetSecurityInfo(newSecurityInfo(*dataDir, prov.Trust))
	calls := newCallControl(store, hub, b.Audio, log)
	lcd.SetCallControl(calls)
	sipPh := newSIPPhone(store, hub, *dataDir, func(rebootNow bool) {
		if rebootNow {
			reboot.Request("check-sync asked for a reboot")
			return
		}
		provEngine.CheckSync()
	}, log).withCalls(calls).withClock(clock)
	// The boot flow runs provisioning and the lines once the phone has an
	// address, and stops them when the link, the 802.1X port or the
	// address goes.
	flow := newBootFlow(hub, store, b.LAN, b.LAN.Interface(), addressStage(store, ns, netconf.Netlink{}, log),
		timeStage(store, ns, clock), provEngine, sipPh.Run, log)
	comps = append(comps,
		component{name: "boot", run: flow.Run},
		component{name: "calls", run: calls.Run},
		component{name: "slot-health", run: func(ctx context.Context) error { return slots.health(ctx, hub, cancel, log) }},
	)
	if !slots.byInit {
		// Under the image's init, slot-health restarts into a new image.
		comps = append(comps, component{name: "reboot-new-image", run: func(ctx context.Context) error {
			return rebootForNewImage(ctx, hub, slots.Slots, reboot)
		}})
	}
	err = newSupervisor(log).run(ctx, stopGrace, comps...)
	log.Info("stopped")
	return reboot.finish(err, slots.byInit)
}

// openStore opens the flash's settings, saying when it had to fall back to
// an older copy or to the defaults, and gives a factory-fresh flash the
// embedded default configuration.
func openStore(log *slog.Logger, dir string) (*settings.Store, error) {
	store, err := settings.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("open settings: %w", err)
	}
	if r := store.Recovery(); r != "" {
		log.Warn("settings recovered", "detail", r)
	}
	if store.Fresh() {
		if err := applyFile(store, "default.cfg", defaultConfig); err != nil {
			return nil, fmt.Errorf("embedded default configuration: %w", err)
		}
		log.Info("factory-fresh flash: applied the default configuration")
	}
	return store, nil
}

// applyStartConfig applies -config. A refused file changes nothing: the
// phone runs on its last good configuration and says why.
func applyStartConfig(log *slog.Logger, store *settings.Store, hub *status.Hub, path string) {
	res := status.FileResult{Name: filepath.Base(path), Outcome: "applied"}
	data, err := os.ReadFile(path)
	if err == nil {
		err = applyFile(store, filepath.Base(path), data)
	}
	result := "ok"
	if err != nil {
		res.Outcome, res.Reason, result = "rejected", err.Error(), "failed"
		log.Error("configuration refused; keeping the last good one", "file", path, "err", err)
	} else {
		log.Info("configuration applied", "file", path)
	}
	hub.Update(func(p *status.Phone) {
		p.Provision = status.Provision{Result: result, At: time.Now(), Server: "file", Files: []status.FileResult{res}}
	})
}

// applyFile applies a plain settings file as one change, naming the line of
// the first bad name or value.
func applyFile(store *settings.Store, name string, data []byte) error {
	as, err := provision.ParsePlain(name, data)
	if err != nil {
		return err
	}
	changes := make(map[string]string, len(as))
	for _, a := range as {
		def, ok := settings.Lookup(a.Name)
		if !ok {
			return fmt.Errorf("%s:%d: unknown setting %q", name, a.Line, a.Name)
		}
		v, err := def.Normalize(a.Value)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, a.Line, err)
		}
		changes[def.Name] = v
	}
	if err := store.Apply(changes); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
