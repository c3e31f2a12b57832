// Package sim is the simulator board: the phone's devices in memory (hal/sim),
// shown to a person as a web page with a live LCD and a clickable keypad, and
// in the terminal when there is one; and driven by tests and tools through a
// small HTTP API (/api/screen.png, /api/keys, /api/status).
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"deskphone/hal"
	halsim "deskphone/hal/sim"
	"deskphone/status"
)

// Config says what the simulator shows and where.
type Config struct {
	Display  hal.DisplayInfo
	HTTPAddr string // "" serves no page
	Terminal bool
	MAC      net.HardwareAddr
	Status   *status.Hub
	Stop     func() // asked from the terminal (Ctrl-C)
	// RealPorts says the board's ports are real interfaces: the simulated
	// cables are then not the phone's and /api/link refuses to pull them.
	RealPorts bool
}

// Sim is the simulated phone hardware and what shows it.
type Sim struct {
	Display *halsim.Display
	Keypad  *halsim.Keypad
	Audio   *halsim.Audio
	LEDs    *halsim.LEDs
	LAN     *halsim.Port
	PC      *halsim.Port

	cfg Config
	ln  net.Listener
	// seqAtTake is the frame that was on the panel when the last key was
	// read: the frame after it shows that key's effect.
	seqAtTake atomic.Uint64
}

// New makes the devices and, when an address is given, listens on it at
// once, so a bad address fails the start and port 0 is resolved early.
func New(cfg Config) (*Sim, error) {
	if cfg.Display.Width <= 0 || cfg.Display.Height <= 0 {
		return nil, fmt.Errorf("simulator: display size %dx%d", cfg.Display.Width, cfg.Display.Height)
	}
	s := &Sim{
		Display: halsim.NewDisplay(cfg.Display),
		Keypad:  halsim.NewKeypad(),
		Audio:   halsim.NewAudio(),
		LEDs:    halsim.NewLEDs(),
		LAN:     halsim.NewPort(hal.LAN, "", cfg.MAC),
		PC:      halsim.NewPort(hal.PC, "", nil),
		cfg:     cfg,
	}
	// Nothing reads back what the simulator phone's earpieces played, and a
	// recording would grow by 16-32 kB per second of call.
	s.Audio.SetRecording(false)
	// The simulated cable is plugged in from the start.
	s.LAN.SetLink(true)
	s.Keypad.OnTake = func() {
		s.seqAtTake.Store(s.Display.Seq())
	}
	if cfg.HTTPAddr != "" {
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return nil, fmt.Errorf("simulator: listen %s: %w", cfg.HTTPAddr, err)
		}
		s.ln = ln
	}
	return s, nil
}

// Addr is where the page and API are served, nil when they are not.
func (s *Sim) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Run serves the page and the terminal until ctx is done.
func (s *Sim) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	running := 0
	if s.ln != nil {
		running++
		go func() { errc <- s.serveHTTP(ctx) }()
		slog.Info("simulator page", "url", "http://"+s.ln.Addr().String()+"/")
	}
	if s.cfg.Terminal {
		running++
		go func() { errc <- s.runTerminal(ctx) }()
	}
	var first error
	for range running {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

func (s *Sim) serveHTTP(ctx context.Context) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		// Event streams never end by themselves: close what Shutdown leaves.
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	err := srv.Serve(s.ln)
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("simulator: serve: %w", err)
}
