// Package board holds the board profiles: for each kind of hardware the
// firmware runs on, which hal drivers it uses, its ports and its panel.
// A profile is chosen by name with -board.
package board

import (
	"context"
	"fmt"
	"net"
	"sort"

	"deskphone/hal"
	"deskphone/status"
)

// Board is one opened board: its devices, and the services the board itself
// runs (the simulator's page and terminal), if any.
type Board struct {
	Name    string
	Display hal.Display
	Keypad  hal.Keypad
	Audio   hal.Audio
	LEDs    hal.LEDs
	LAN     hal.Port
	PC      hal.Port // nil on a board without a PC port

	// Run runs what the board serves by itself until ctx is done; nil when
	// the board has nothing to run.
	Run func(ctx context.Context) error
}

// Options are what the firmware tells a board when it opens it.
type Options struct {
	// HTTPAddr is where the simulator serves its page and API ("" for none).
	HTTPAddr string
	// Terminal lets the simulator draw the LCD in the terminal and read keys there.
	Terminal bool
	// LANIface and PCIface bind the ports to Linux interfaces, whose link
	// state then comes from the kernel ("" keeps a simulated cable).
	LANIface, PCIface string
	// MAC is the phone's address when the LAN port has no interface of its own.
	MAC net.HardwareAddr
	// Status feeds the simulator's /api/status.
	Status *status.Hub
	// Stop asks the firmware to shut down (the terminal's Ctrl-C).
	Stop func()
}

type opener func(Options) (*Board, error)

var profiles = map[string]opener{}

func register(name string, open opener) { profiles[name] = open }

// Names lists the known profiles.
func Names() []string {
	var names []string
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open opens the named profile.
func Open(name string, opts Options) (*Board, error) {
	open, ok := profiles[name]
	if !ok {
		return nil, fmt.Errorf("open board %q: unknown board (known: %v)", name, Names())
	}
	b, err := open(opts)
	if err != nil {
		return nil, fmt.Errorf("open board %s: %w", name, err)
	}
	return b, nil
}
