package board

import (
	"net"

	"deskphone/board/sim"
	"deskphone/hal"
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
	s, err := sim.New(sim.Config{
		Display:  hal.DisplayInfo{Width: 320, Height: 240},
		HTTPAddr: opts.HTTPAddr,
		Terminal: opts.Terminal,
		MAC:      mac,
		Status:   opts.Status,
		Stop:     opts.Stop,
	})
	if err != nil {
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
		Run:     s.Run,
	}
	return b, nil
}
