package board

import (
	"context"
	"errors"
	"net"

	"deskphone/board/sim"
	"deskphone/hal"
	"deskphone/hal/netlink"
)

func init() { register("sim", openSim) }

// simMAC is the simulator phone's LAN address when it has no interface: a
// locally administered one.
var simMAC = net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}

func openSim(opts Options) (*Board, error) {
	mac := opts.MAC
	if mac == nil {
		mac = simMAC
	}
	var lan, pc *netlink.Port
	var err error
	if opts.LANIface != "" {
		if lan, err = netlink.Open(hal.LAN, opts.LANIface); err != nil {
			return nil, err
		}
	}
	if opts.PCIface != "" {
		if pc, err = netlink.Open(hal.PC, opts.PCIface); err != nil {
			closePorts(lan)
			return nil, err
		}
	}
	s, err := sim.New(sim.Config{
		Display:   hal.DisplayInfo{Width: 320, Height: 240},
		HTTPAddr:  opts.HTTPAddr,
		Terminal:  opts.Terminal,
		MAC:       mac,
		Status:    opts.Status,
		Stop:      opts.Stop,
		RealPorts: lan != nil || pc != nil,
	})
	if err != nil {
		closePorts(lan, pc)
		return nil, err
	}
	b := &Board{
		Name:    "sim",
		Display: s.Display,
		Keypad:  s.Keypad,
		Audio:   s.Audio,
		LEDs:    s.LEDs,
		LAN:     s.LAN,
		PC:      s.PC,
	}
	runs := []func(context.Context) error{s.Run}
	if lan != nil {
		b.LAN = lan
		runs = append(runs, lan.Run)
	}
	if pc != nil {
		b.PC = pc
		runs = append(runs, pc.Run)
	}
	b.Run = func(ctx context.Context) error { return runAll(ctx, runs) }
	return b, nil
}

func closePorts(ports ...*netlink.Port) {
	for _, p := range ports {
		if p != nil {
			p.Close()
		}
	}
}

// runAll runs fns until ctx is done; the first to fail stops the others.
func runAll(ctx context.Context, fns []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(fns))
	for _, fn := range fns {
		go func() { errc <- fn(ctx) }()
	}
	var errs []error
	for range fns {
		if err := <-errc; err != nil {
			errs = append(errs, err)
			cancel()
		}
	}
	return errors.Join(errs...)
}
