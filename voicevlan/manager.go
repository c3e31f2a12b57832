package voicevlan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Sources of the voice VLAN, as status.Network.VLANSource names them.
const (
	SourceLLDPMED = "lldp-med"
	SourceSetting = "setting"
)

// DefaultLLDPWait is how long the phone waits, once authorized, for an
// LLDP-MED policy before it goes on without one: switches send LLDP every
// 30 s by default, and lldpd sends at once on start.
const DefaultLLDPWait = 5 * time.Second

// ManualPriority is the 802.1p priority on a VLAN from the setting: 5,
// voice's customary class of service (LLDP-MED gives its own).
const ManualPriority = 5

// Choice is where the phone's own traffic goes.
type Choice struct {
	VLAN int // 0: untagged
	// Priority is the 802.1p priority of the phone's frames on the VLAN.
	Priority int
	Source   string // SourceLLDPMED, SourceSetting, or "" when untagged by default
	Iface    string // the interface carrying it: the LAN port or its VLAN interface
}

// Config is what a Manager works with.
type Config struct {
	LAN    string // the LAN port's interface, the VLAN's parent
	Frames Frames // LLDP received on the LAN port
	Links  Links
	// Manual is net.voice_vlan (0: none); SetManual changes it.
	Manual int
	// Authorized says 802.1X authorized the port (or is off); until then
	// nothing is decided. SetAuthorized changes it.
	Authorized bool
	// LLDPWait is how long to wait for LLDP once authorized (0: the default).
	LLDPWait time.Duration
	// Publish receives each new choice; Choice{} when it no longer holds
	// (on stop).
	Publish func(Choice)
	Logger  *slog.Logger
}

// Manager follows LLDP, the setting and 802.1X, and keeps the VLAN
// interface to match.
type Manager struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}

	mu         sync.Mutex
	manual     int
	authorized bool
}

// New makes a Manager; Run starts it.
func New(cfg Config) *Manager {
	if cfg.LLDPWait <= 0 {
		cfg.LLDPWait = DefaultLLDPWait
	}
	m := &Manager{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1),
		manual: cfg.Manual, authorized: cfg.Authorized}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	return m
}

// SetManual sets the manual voice VLAN (net.voice_vlan; 0: none).
func (m *Manager) SetManual(vid int) {
	m.mu.Lock()
	m.manual = vid
	m.mu.Unlock()
	m.poke()
}

// SetAuthorized records whether 802.1X lets the phone on the network. Once
// authorized the choice stands through re-authentications: moving the
// phone's traffic on every re-authentication would break calls.
func (m *Manager) SetAuthorized(ok bool) {
	m.mu.Lock()
	m.authorized = m.authorized || ok
	m.mu.Unlock()
	m.poke()
}

func (m *Manager) poke() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// run's view of the LAN's LLDP neighbour.
type neighbour struct {
	seen   bool           // any LLDP received since start
	policy *NetworkPolicy // the voice policy in force, nil when none
}

// Run follows LLDP, the setting and 802.1X until ctx is done, then removes
// the VLAN interface it made.
func (m *Manager) Run(ctx context.Context) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lldps := make(chan *LLDPDU)
	readErr := make(chan error, 1)
	go func() { readErr <- m.read(ctx, lldps) }()

	var (
		nb       neighbour
		applied  *Choice
		expiry   = stoppedTimer()
		waitDone = stoppedTimer()
		waiting  bool // authorized, waiting for LLDP
		waited   bool
	)
	defer func() {
		cancel()
		if rerr := <-readErr; err == nil {
			err = rerr
		}
		if applied != nil && applied.VLAN > 0 {
			if rerr := m.cfg.Links.Remove(applied.Iface); rerr != nil {
				err = errors.Join(err, fmt.Errorf("voice VLAN: %w", rerr))
			}
		}
		if applied != nil && m.cfg.Publish != nil {
			m.cfg.Publish(Choice{})
		}
	}()
	for {
		m.mu.Lock()
		manual, authorized := m.manual, m.authorized
		m.mu.Unlock()
		if authorized && !waiting && !waited {
			waiting = true
			waitDone.Reset(m.cfg.LLDPWait)
		}
		if want, ok := m.decide(nb, manual, authorized, waited); ok && (applied == nil || *applied != want) {
			if err := m.apply(applied, want); err != nil {
				return err
			}
			applied = &want
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			readErr <- nil // for the deferred wait
			return err
		case <-m.wake:
		case <-waitDone.C:
			waited = true
		case <-expiry.C:
			m.log.Info("voice VLAN: LLDP information expired")
			nb.policy = nil
		case d := <-lldps:
			nb.seen = true
			expiry.Stop()
			nb.policy = nil
			if d.TTL == 0 {
				m.log.Info("voice VLAN: LLDP neighbour shut down", "from", d.Source)
				break
			}
			if p, ok := d.Voice(); ok && !p.Unknown {
				nb.policy = &p
			}
			expiry.Reset(d.TTL)
		}
	}
}

// decide picks the VLAN; ok is false while undecided (not authorized yet,
// or waiting for LLDP). LLDP-MED comes before the setting: the network
// knows its voice VLAN better than a value typed once.
func (m *Manager) decide(nb neighbour, manual int, authorized, waited bool) (Choice, bool) {
	if !authorized || !nb.seen && !waited {
		return Choice{}, false
	}
	untagged := Choice{Iface: m.cfg.LAN}
	if p := nb.policy; p != nil {
		if p.Tagged && p.VLAN >= 1 && p.VLAN <= 4094 {
			return Choice{VLAN: int(p.VLAN), Priority: int(p.Priority), Source: SourceLLDPMED, Iface: VLANName(m.cfg.LAN, int(p.VLAN))}, true
		}
		untagged.Source = SourceLLDPMED // the network says: voice untagged
		return untagged, true
	}
	if manual >= 1 && manual <= 4094 {
		return Choice{VLAN: manual, Priority: ManualPriority, Source: SourceSetting, Iface: VLANName(m.cfg.LAN, manual)}, true
	}
	return untagged, true
}

// apply moves from the applied choice (nil: none yet) to want.
func (m *Manager) apply(applied *Choice, want Choice) error {
	same := applied != nil && applied.Iface == want.Iface && applied.Priority == want.Priority
	if applied != nil && applied.VLAN > 0 && !same {
		if err := m.cfg.Links.Remove(applied.Iface); err != nil {
			return fmt.Errorf("voice VLAN: %w", err)
		}
	}
	if want.VLAN > 0 && !same {
		if err := m.cfg.Links.AddVLAN(m.cfg.LAN, want.Iface, want.VLAN, want.Priority); err != nil {
			return fmt.Errorf("voice VLAN: %w", err)
		}
	}
	m.log.Info("voice VLAN", "vlan", want.VLAN, "priority", want.Priority, "source", want.Source, "iface", want.Iface)
	if m.cfg.Publish != nil {
		m.cfg.Publish(want)
	}
	return nil
}

// read parses the LAN port's LLDP frames and hands the valid ones to run;
// a malformed frame is logged and skipped.
func (m *Manager) read(ctx context.Context, out chan<- *LLDPDU) error {
	buf := make([]byte, 1600)
	for {
		n, err := m.cfg.Frames.ReadFrame(ctx, buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("voice VLAN: %w", err)
		}
		d, err := ParseFrame(buf[:n])
		if err != nil {
			m.log.Warn("voice VLAN: LLDP frame ignored", "err", err)
			continue
		}
		select {
		case out <- d:
		case <-ctx.Done():
			return nil
		}
	}
}

func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}
