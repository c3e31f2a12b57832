package voicevlan

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// memFrames is an in-memory LLDP port.
type memFrames chan []byte

func (m memFrames) ReadFrame(ctx context.Context, b []byte) (int, error) {
	select {
	case f := <-m:
		return copy(b, f), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// memLinks records what the manager does to interfaces.
type memLinks struct {
	mu  sync.Mutex
	ops []string
	up  map[string]int
}

func (l *memLinks) AddVLAN(parent, name string, vid, priority int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, fmt.Sprintf("add %s %s %d p%d", parent, name, vid, priority))
	l.up[name] = vid
	return nil
}

func (l *memLinks) Remove(name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, "remove "+name)
	delete(l.up, name)
	return nil
}

func (l *memLinks) snapshot() ([]string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ops), len(l.up)
}

type mgrRig struct {
	frames memFrames
	links  *memLinks
	m      *Manager
	choice chan Choice
	stop   func()
}

func startManager(t *testing.T, cfg Config) *mgrRig {
	t.Helper()
	r := &mgrRig{frames: make(memFrames), links: &memLinks{up: map[string]int{}}, choice: make(chan Choice, 16)}
	cfg.LAN, cfg.Frames, cfg.Links = "lan0", r.frames, r.links
	cfg.Publish = func(c Choice) { r.choice <- c }
	r.m = New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.m.Run(ctx) }()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(r.stop)
	return r
}

func (r *mgrRig) next(t *testing.T) Choice {
	t.Helper()
	select {
	case c := <-r.choice:
		return c
	case <-time.After(30 * time.Second):
		t.Fatal("no choice published")
	}
	return Choice{}
}

// lldpFrame is a minimal LLDP frame from the switch with a voice policy
// word (nil for none) and a TTL in seconds.
func lldpFrame(ttl uint16, policy []byte) []byte {
	f := []byte{0x01, 0x80, 0xc2, 0, 0, 0x0e, 2, 0, 0, 0, 0x0a, 1, 0x88, 0xcc,
		0x02, 0x07, 0x04, 2, 0, 0, 0, 0x0a, 1, 0x04, 0x02, 0x07, 'p', 0x06, 0x02, 0, 0}
	binary.BigEndian.PutUint16(f[len(f)-2:], ttl)
	if policy != nil {
		f = append(f, 0xfe, 0x08, 0x00, 0x12, 0xbb, 0x02, AppVoice)
		f = append(f, policy...)
	}
	return append(f, 0, 0)
}

var (
	tagged100  = []byte{0x40, 0xc9, 0x6e} // tagged, VLAN 100, priority 5, DSCP 46
	tagged200  = []byte{0x41, 0x91, 0x6e} // tagged, VLAN 200
	untaggedPo = []byte{0x00, 0xc9, 0x6e}
)

func TestLLDPMEDAfterAuthorization(t *testing.T) {
	r := startManager(t, Config{Manual: 300, LLDPWait: time.Hour})
	r.frames <- lldpFrame(120, tagged100)
	r.m.SetAuthorized(true)
	if c := r.next(t); c != (Choice{VLAN: 100, Priority: 5, Source: SourceLLDPMED, Iface: "lan0.100"}) {
		t.Fatalf("choice %+v, want LLDP-MED's VLAN 100 over the setting", c)
	}
	r.frames <- lldpFrame(120, tagged200)
	if c := r.next(t); c != (Choice{VLAN: 200, Priority: 5, Source: SourceLLDPMED, Iface: "lan0.200"}) {
		t.Fatalf("choice %+v after the policy changed", c)
	}
	r.stop()
	if c := r.next(t); c != (Choice{}) {
		t.Errorf("on stop published %+v, want the empty choice", c)
	}
	ops, left := r.links.snapshot()
	want := []string{"add lan0 lan0.100 100 p5", "remove lan0.100", "add lan0 lan0.200 200 p5", "remove lan0.200"}
	if !slices.Equal(ops, want) || left != 0 {
		t.Errorf("links %q (%d left), want %q", ops, left, want)
	}
}

func TestNothingBeforeAuthorization(t *testing.T) {
	r := startManager(t, Config{LLDPWait: time.Hour})
	r.m.SetAuthorized(false)
	// Unbuffered frames: the third is taken only once the manager has
	// handled the first, decided, and waits again.
	r.frames <- lldpFrame(120, tagged100)
	r.frames <- lldpFrame(120, tagged100)
	r.frames <- lldpFrame(120, tagged100)
	select {
	case c := <-r.choice:
		t.Fatalf("published %+v before 802.1X authorized", c)
	default:
	}
	r.m.SetAuthorized(true)
	if c := r.next(t); c.VLAN != 100 {
		t.Fatalf("choice %+v", c)
	}
}

func TestSettingWithoutLLDP(t *testing.T) {
	r := startManager(t, Config{Manual: 42, Authorized: true, LLDPWait: time.Nanosecond})
	if c := r.next(t); c != (Choice{VLAN: 42, Priority: ManualPriority, Source: SourceSetting, Iface: "lan0.42"}) {
		t.Fatalf("choice %+v, want the setting's VLAN 42", c)
	}
	r.m.SetManual(0)
	if c := r.next(t); c != (Choice{Iface: "lan0"}) {
		t.Fatalf("choice %+v, want untagged on lan0", c)
	}
	ops, _ := r.links.snapshot()
	if want := []string{"add lan0 lan0.42 42 p5", "remove lan0.42"}; !slices.Equal(ops, want) {
		t.Errorf("links %q, want %q", ops, want)
	}
}

func TestUntaggedPolicyAndShutdown(t *testing.T) {
	r := startManager(t, Config{Manual: 42, Authorized: true, LLDPWait: time.Hour})
	r.frames <- lldpFrame(120, untaggedPo)
	if c := r.next(t); c != (Choice{Source: SourceLLDPMED, Iface: "lan0"}) {
		t.Fatalf("choice %+v, want untagged by LLDP-MED", c)
	}
	r.frames <- lldpFrame(0, nil) // the switch's shutdown LLDPDU
	if c := r.next(t); c != (Choice{VLAN: 42, Priority: ManualPriority, Source: SourceSetting, Iface: "lan0.42"}) {
		t.Fatalf("choice %+v, want the setting once LLDP is gone", c)
	}
}

func TestPolicyExpires(t *testing.T) {
	r := startManager(t, Config{Authorized: true, LLDPWait: time.Hour})
	r.frames <- lldpFrame(1, tagged100)
	if c := r.next(t); c.VLAN != 100 {
		t.Fatalf("choice %+v", c)
	}
	if c := r.next(t); c != (Choice{Iface: "lan0"}) {
		t.Fatalf("after the TTL: %+v, want untagged", c)
	}
}

func TestMalformedLLDPSkipped(t *testing.T) {
	r := startManager(t, Config{Authorized: true, LLDPWait: time.Hour})
	bad := lldpFrame(120, tagged100)
	r.frames <- bad[:20]
	r.frames <- lldpFrame(120, tagged200)
	if c := r.next(t); c.VLAN != 200 {
		t.Fatalf("choice %+v, want the valid frame's VLAN 200", c)
	}
}

// TestPriorityChangeRemakes: the same VLAN with another priority makes the
// interface again, as its egress priority is set when it is made.
func TestPriorityChangeRemakes(t *testing.T) {
	r := startManager(t, Config{Authorized: true, LLDPWait: time.Hour})
	r.frames <- lldpFrame(120, tagged100)
	if c := r.next(t); c.Priority != 5 {
		t.Fatalf("choice %+v", c)
	}
	r.frames <- lldpFrame(120, []byte{0x40, 0xc8, 0x2e}) // VLAN 100, priority 0, DSCP 46
	if c := r.next(t); c != (Choice{VLAN: 100, Source: SourceLLDPMED, Iface: "lan0.100"}) {
		t.Fatalf("choice %+v, want VLAN 100 priority 0", c)
	}
	ops, _ := r.links.snapshot()
	if want := []string{"add lan0 lan0.100 100 p5", "remove lan0.100", "add lan0 lan0.100 100 p0"}; !slices.Equal(ops, want) {
		t.Errorf("links %q, want %q", ops, want)
	}
}
