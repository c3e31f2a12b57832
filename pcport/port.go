package pcport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"deskphone/status"
)

// defaultEAPOLVersion is the proxy logoff's EAPOL version when the PC sent
// no EAPOL; otherwise the PC's own version is used, so the logoff looks
// like the PC's.
const defaultEAPOLVersion = 2

// maxFrame is the read buffer: a socket may hand over coalesced (GRO)
// frames larger than the MTU; those cannot be sent on and are dropped.
const maxFrame = 65536

// Config is what a Port forwards between and how it reports.
type Config struct {
	LAN, PC Frames
	// PCLink is the PC port's link state (from the kernel).
	PCLink Link
	// Own are the phone's own addresses (LAN and PC port MACs): frames from
	// them are never forwarded, frames to them are the phone's to consume.
	Own []net.HardwareAddr
	// Enabled is the initial state of net.pc_port; SetEnabled changes it.
	Enabled bool
	// Publish receives the port's state at every change (may be nil). It is
	// called with the port's lock held: it must be quick and not call back.
	Publish func(status.PCPort)
	Logger  *slog.Logger
}

// Port forwards between the PC port and the LAN port.
type Port struct {
	lan, pc Frames
	link    Link
	own     []net.HardwareAddr
	publish func(status.PCPort)
	log     *slog.Logger

	mu      sync.Mutex
	state   status.PCPort
	pcMAC   net.HardwareAddr // state.PCMAC, kept to compare without allocating
	version byte             // EAPOL version the PC last used
}

// New makes a Port; Run starts it.
func New(cfg Config) *Port {
	p := &Port{lan: cfg.LAN, pc: cfg.PC, link: cfg.PCLink, publish: cfg.Publish, log: cfg.Logger,
		version: defaultEAPOLVersion}
	for _, m := range cfg.Own {
		p.own = append(p.own, append(net.HardwareAddr(nil), m...))
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.state.Enabled = cfg.Enabled
	return p
}

// State returns the port's current state.
func (p *Port) State() status.PCPort {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// SetEnabled turns forwarding on or off (net.pc_port). Turning it off with a
// PC known behind the port logs the PC off, as if it had been unplugged.
func (p *Port) SetEnabled(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state.Enabled == on {
		return
	}
	if !on {
		p.proxyLogoffLocked("PC port disabled")
	}
	p.state.Enabled = on
	p.publishLocked()
}

// Run forwards until ctx is done. It returns the first read error of either
// port; write errors drop the frame only (the PC may be unplugged).
func (p *Port) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.mu.Lock()
	p.state.LinkUp = p.link.Up()
	p.publishLocked()
	p.mu.Unlock()

	errc := make(chan error, 3)
	go func() { errc <- p.pump(ctx, "LAN", p.lan, p.pc, p.fromLAN) }()
	go func() { errc <- p.pump(ctx, "PC", p.pc, p.lan, p.fromPC) }()
	go func() { errc <- p.followLink(ctx) }()
	var errs []error
	for range 3 {
		if err := <-errc; err != nil && ctx.Err() == nil {
			errs = append(errs, err)
			cancel()
		}
	}
	return errors.Join(errs...)
}

// pump reads frames from in and writes those pass lets through to out.
func (p *Port) pump(ctx context.Context, name string, in, out Frames, pass func([]byte) bool) error {
	buf := make([]byte, maxFrame)
	for {
		n, err := in.ReadFrame(ctx, buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("pc port: read %s port: %w", name, err)
		}
		f := buf[:n]
		if !pass(f) {
			continue
		}
		if err := out.WriteFrame(f); err != nil {
			p.log.Debug("pc port: frame dropped", "from", name, "len", n, "err", err)
		}
	}
}

// forwardable are the rules both directions share: a whole header, an
// untagged frame, a unicast source, not link-local, not from or to the
// phone itself.
func (p *Port) forwardable(f []byte) bool {
	if len(f) < ethHeaderLen || tagTypes[etherType(f)] || isGroup(src(f)) || isLinkLocal(dst(f)) {
		return false
	}
	return !p.isOwn(src(f)) && !p.isOwn(dst(f))
}

func (p *Port) isOwn(mac net.HardwareAddr) bool {
	for _, o := range p.own {
		if bytes.Equal(o, mac) {
			return true
		}
	}
	return false
}

// fromLAN decides on a frame received on the LAN port.
func (p *Port) fromLAN(f []byte) bool {
	p.mu.Lock()
	on := p.state.Enabled
	p.mu.Unlock()
	return on && p.forwardable(f)
}

// fromPC decides on a frame received on the PC port and learns the PC.
func (p *Port) fromPC(f []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.state.Enabled || !p.forwardable(f) {
		return false
	}
	if etherType(f) == etherTypeEAPOL && len(f) > ethHeaderLen {
		p.version = f[ethHeaderLen]
	}
	if !bytes.Equal(src(f), p.pcMAC) {
		p.pcMAC = append(p.pcMAC[:0], src(f)...)
		p.state.PCMAC = p.pcMAC.String()
		p.log.Info("pc port: PC seen", "mac", p.state.PCMAC)
		p.publishLocked()
	}
	return true
}

// followLink sends the proxy logoff when the PC's link goes down.
func (p *Port) followLink(ctx context.Context) error {
	up := p.link.Up()
	for {
		next, err := p.link.WaitLink(ctx, up)
		if err != nil {
			return nil // ctx done
		}
		up = next
		p.mu.Lock()
		p.state.LinkUp = up
		if !up && p.state.Enabled {
			p.proxyLogoffLocked("PC link down")
		}
		p.publishLocked()
		p.mu.Unlock()
	}
}

// proxyLogoffLocked sends an EAPOL-Logoff in the name of the PC last seen
// and forgets it; without a known PC there is nothing to log off.
func (p *Port) proxyLogoffLocked(why string) {
	if len(p.pcMAC) == 0 {
		return
	}
	if err := p.lan.WriteFrame(logoffFrame(p.pcMAC, p.version)); err != nil {
		p.log.Warn("pc port: proxy EAPOL-Logoff not sent", "pc", p.state.PCMAC, "why", why, "err", err)
		return
	}
	p.log.Info("pc port: proxy EAPOL-Logoff sent", "pc", p.state.PCMAC, "why", why)
	p.state.Logoffs++
	p.state.PCMAC, p.pcMAC = "", p.pcMAC[:0]
}

func (p *Port) publishLocked() {
	if p.publish != nil {
		p.publish(p.state)
	}
}
