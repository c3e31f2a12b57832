package board

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"

	"deskphone/hal"
	"deskphone/hal/netlink"
)

// This file holds what the hardware profiles (qemu-virt and the real
// boards) share: choosing Ethernet interfaces, indicators that only log,
// the missing audio driver, and running and closing the devices.

// ethernetInterfaces lists the interfaces that can carry a phone port: not
// loopback, with a 6-byte MAC, in kernel index order (eth0 before eth1).
func ethernetInterfaces() ([]string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	sort.Slice(ifs, func(i, j int) bool { return ifs[i].Index < ifs[j].Index })
	var names []string
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 || len(ifi.HardwareAddr) != 6 {
			continue
		}
		names = append(names, ifi.Name)
	}
	return names, nil
}

// logLEDs is the indicator driver of a board without LEDs: it logs each
// change, so a QEMU run shows what the phone would light.
type logLEDs struct {
	log *slog.Logger

	mu    sync.Mutex
	state map[hal.LED]hal.LEDState
}

func newLogLEDs(log *slog.Logger) *logLEDs {
	return &logLEDs{log: log, state: map[hal.LED]hal.LEDState{}}
}

func (l *logLEDs) SetLED(led hal.LED, s hal.LEDState) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state[led] != s {
		l.state[led] = s
		l.log.Info("led", "led", led, "state", s)
	}
	return nil
}

// noAudio is the audio driver of a board built without one (no cgo, so no
// malgo): every endpoint fails to open with a clear error.
type noAudio struct{ why string }

func (a noAudio) Open(ep hal.Endpoint, f hal.AudioFormat) (hal.AudioStream, error) {
	return nil, fmt.Errorf("open audio %s: %s", ep, a.why)
}

// devices collects what a hardware profile opened, so a failure part way
// closes the rest, and the board's Run runs what needs running (the ports'
// link monitors, a keypad scanner).
type devices struct {
	runners []runner
	closers []func() error
}

type runner struct {
	name string
	run  func(ctx context.Context) error
}

// onRun adds a component the board's Run runs.
func (d *devices) onRun(name string, run func(ctx context.Context) error) {
	d.runners = append(d.runners, runner{name, run})
}

func (d *devices) onClose(c func() error) { d.closers = append(d.closers, c) }

// openPort opens a port on iface and adds it to the ports Run follows.
func (d *devices) openPort(role hal.PortRole, iface string) (*netlink.Port, error) {
	p, err := netlink.Open(role, iface)
	if err != nil {
		return nil, fmt.Errorf("%s port: %w", role, err)
	}
	d.onRun(fmt.Sprintf("%s port %s", role, iface), p.Run)
	d.onClose(p.Close)
	return p, nil
}

// close closes everything in reverse order of opening.
func (d *devices) close() error {
	var errs []error
	for i := len(d.closers) - 1; i >= 0; i-- {
		errs = append(errs, d.closers[i]())
	}
	d.closers = nil
	return errors.Join(errs...)
}

// run runs the components until ctx is done, then closes the devices. The
// first component to fail ends the others.
func (d *devices) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(d.runners))
	for _, r := range d.runners {
		go func() {
			err := r.run(ctx)
			if err != nil {
				err = fmt.Errorf("%s: %w", r.name, err)
				cancel()
			}
			errc <- err
		}()
	}
	var errs []error
	for range d.runners {
		errs = append(errs, <-errc)
	}
	errs = append(errs, d.close())
	return errors.Join(errs...)
}

// openPorts opens the first Ethernet interface as the LAN port and a second
// one, if there is one, as the PC port (nil otherwise). hint is added to the
// error when there is none.
func (d *devices) openPorts(hint string) (lan, pc *netlink.Port, err error) {
	ifaces, err := ethernetInterfaces()
	if err != nil {
		return nil, nil, fmt.Errorf("LAN port: %w", err)
	}
	if len(ifaces) == 0 {
		return nil, nil, fmt.Errorf("LAN port: no Ethernet interface%s", hint)
	}
	if lan, err = d.openPort(hal.LAN, ifaces[0]); err != nil {
		return nil, nil, err
	}
	if len(ifaces) > 1 {
		if pc, err = d.openPort(hal.PC, ifaces[1]); err != nil {
			return nil, nil, err
		}
	}
	return lan, pc, nil
}
