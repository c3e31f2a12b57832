package boot

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/netconf"
	"deskphone/status"
)

// fakePhone wires a Flow to fakes: the address stage is driven by the test,
// provisioning publishes one pass, the lines register at once.
type fakePhone struct {
	hub      *status.Hub
	link     *hal.Link
	set      chan func(*netconf.Address, error) // the address stage's reporter, while it runs
	ifaces   chan string                        // the interface of each address stage started
	addrRuns atomic.Int32                       // address stages running
	lines    atomic.Int32                       // line runners running
	passes   atomic.Int32
	provFail atomic.Bool
}

func newFakePhone(t *testing.T) (*fakePhone, *Flow) {
	fp := &fakePhone{hub: status.NewHub(status.Phone{Dot1X: status.Dot1X{State: status.Dot1XDisabled}}), link: &hal.Link{},
		set: make(chan func(*netconf.Address, error), 1), ifaces: make(chan string, 16)}
	f := &Flow{
		Hub: fp.hub, Link: fp.link, LANIface: "lan0", Log: slog.New(slog.DiscardHandler),
		Address: func(ctx context.Context, iface string, set func(*netconf.Address, error)) error {
			fp.ifaces <- iface
			fp.addrRuns.Add(1)
			defer fp.addrRuns.Add(-1)
			fp.set <- set
			<-ctx.Done()
			return nil
		},
		HasServer: func(a *netconf.Address) bool { return a != nil },
		Provision: func(ctx context.Context) error {
			n := fp.passes.Add(1)
			res := "ok"
			if fp.provFail.Load() {
				res = "failed"
			}
			fp.hub.Update(func(p *status.Phone) {
				p.Provision = status.Provision{Result: res, At: time.Unix(int64(n), 0),
					Files: []status.FileResult{{Name: "1230SIP.cfg", Outcome: "skipped", Reason: "connection refused"}}}
			})
			<-ctx.Done()
			return nil
		},
		Lines: func(ctx context.Context) error {
			fp.lines.Add(1)
			defer fp.lines.Add(-1)
			fp.hub.Update(func(p *status.Phone) {
				p.SetLine(status.Line{Index: 1, Label: "1001", State: status.LineRegistered})
			})
			<-ctx.Done()
			fp.hub.Update(func(p *status.Phone) {
				p.SetLine(status.Line{Index: 1, Label: "1001", State: status.LineUnregistered})
			})
			return nil
		},
	}
	return fp, f
}

func (fp *fakePhone) waitStage(t *testing.T, stage, errPart string) status.Network {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p, seq := fp.hub.Snapshot()
	for {
		if p.Network.Stage == stage && strings.Contains(p.Network.Error, errPart) {
			return p.Network
		}
		var err error
		if p, seq, err = fp.hub.Wait(ctx, seq); err != nil {
			t.Fatalf("never reached stage %q with error containing %q: now %+v", stage, errPart, p.Network)
		}
	}
}

func (fp *fakePhone) reporter(t *testing.T) func(*netconf.Address, error) {
	t.Helper()
	select {
	case set := <-fp.set:
		return set
	case <-time.After(20 * time.Second):
		t.Fatal("the address stage never started")
		return nil
	}
}

var lease = &netconf.Address{Source: netconf.SourceDHCP, Prefix: netip.MustParsePrefix("10.99.0.150/24")}

// TestFlowStages walks the flow from no link to ready, then takes the
// link away and gives it back: every stage after the link stops (address
// stage ended, lines unregistered) and the flow starts again.
func TestFlowStages(t *testing.T) {
	fp, f := newFakePhone(t)
	fp.hub.Update(func(p *status.Phone) { p.Dot1X.State = status.Dot1XConnecting })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	fp.waitStage(t, StageLink, "no link")
	fp.link.SetUp(true)
	fp.waitStage(t, Stage8021X, "")
	if fp.addrRuns.Load() != 0 {
		t.Fatal("address stage started before 802.1X opened the port")
	}
	fp.hub.Update(func(p *status.Phone) { p.Dot1X.State = status.Dot1XAuthenticated })
	set := fp.reporter(t)
	fp.waitStage(t, StageAddress, "")
	if fp.passes.Load() != 0 || fp.lines.Load() != 0 {
		t.Fatal("provisioning or lines started before the address")
	}
	set(nil, errors.New("no DHCP answer"))
	fp.waitStage(t, StageAddress, "no DHCP answer")
	set(lease, nil)
	n := fp.waitStage(t, StageReady, "")
	if n.IP != "10.99.0.150" || fp.passes.Load() != 1 || fp.lines.Load() != 1 {
		t.Errorf("ready: %+v, passes %d, lines %d", n, fp.passes.Load(), fp.lines.Load())
	}
	// A renewal of the same address changes nothing.
	set(lease, nil)

	fp.link.SetUp(false)
	fp.waitStage(t, StageLink, "no link")
	if p, _ := fp.hub.Snapshot(); p.Network.IP != "" || p.Lines[0].State != status.LineUnregistered {
		t.Errorf("after link down: %+v lines %+v", p.Network, p.Lines)
	}
	if fp.addrRuns.Load() != 0 || fp.lines.Load() != 0 {
		t.Errorf("still running after link down: address %d lines %d", fp.addrRuns.Load(), fp.lines.Load())
	}
	fp.link.SetUp(true)
	fp.reporter(t)(lease, nil)
	fp.waitStage(t, StageReady, "")
	if fp.passes.Load() != 2 {
		t.Errorf("provisioning passes %d, want 2 (one per session)", fp.passes.Load())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fp.addrRuns.Load() != 0 || fp.lines.Load() != 0 {
		t.Error("parts left running after Run returned")
	}
}

// TestFlow8021XFailure: a refused authentication stops the flow at 802.1X
// with the reason; a failure mid-service takes the address and lines down,
// and authentication again brings them back.
func TestFlow8021XFailure(t *testing.T) {
	fp, f := newFakePhone(t)
	fp.link.SetUp(true)
	fp.hub.Update(func(p *status.Phone) {
		p.Dot1X = status.Dot1X{State: status.Dot1XFailed, Reason: "wrong credentials"}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	fp.waitStage(t, Stage8021X, "802.1X: wrong credentials")
	fp.hub.Update(func(p *status.Phone) { p.Dot1X = status.Dot1X{State: status.Dot1XAuthenticated} })
	fp.reporter(t)(lease, nil)
	fp.waitStage(t, StageReady, "")
	// A re-authentication keeps the port open.
	fp.hub.Update(func(p *status.Phone) { p.Dot1X = status.Dot1X{State: status.Dot1XAuthenticating} })
	fp.hub.Update(func(p *status.Phone) { p.Dot1X = status.Dot1X{State: status.Dot1XAuthenticated} })
	if fp.lines.Load() != 1 {
		t.Error("a re-authentication stopped the lines")
	}
	fp.hub.Update(func(p *status.Phone) {
		p.Dot1X = status.Dot1X{State: status.Dot1XFailed, Reason: "no answer from the authentication server"}
	})
	fp.waitStage(t, Stage8021X, "no answer from the authentication server")
	fp.hub.Update(func(p *status.Phone) { p.Dot1X = status.Dot1X{State: status.Dot1XAuthenticated} })
	fp.reporter(t)(lease, nil)
	fp.waitStage(t, StageReady, "")
}

// TestFlowProvisioningFailed: a failed pass still lets the lines register,
// and the phone says it runs on its last good configuration.
func TestFlowProvisioningFailed(t *testing.T) {
	fp, f := newFakePhone(t)
	fp.provFail.Store(true)
	fp.link.SetUp(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	fp.reporter(t)(lease, nil)
	n := fp.waitStage(t, StageReady, "last good configuration")
	if !strings.Contains(n.Error, "connection refused") {
		t.Errorf("error does not say why: %q", n.Error)
	}
}

// TestFlowVoiceVLAN: when the voice VLAN interface appears in the status,
// the address stage moves to it (and the lines start over on it).
func TestFlowVoiceVLAN(t *testing.T) {
	fp, f := newFakePhone(t)
	fp.link.SetUp(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	fp.reporter(t)(lease, nil)
	fp.waitStage(t, StageReady, "")
	if got := <-fp.ifaces; got != "lan0" {
		t.Fatalf("first address stage on %q", got)
	}
	fp.hub.Update(func(p *status.Phone) { p.Network.Iface, p.Network.VLAN = "lan0.100", 100 })
	fp.reporter(t)(lease, nil)
	select {
	case got := <-fp.ifaces:
		if got != "lan0.100" {
			t.Fatalf("address stage on %q, want the VLAN interface", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the address stage did not move to the VLAN interface")
	}
	fp.waitStage(t, StageReady, "")
	if fp.addrRuns.Load() != 1 {
		t.Errorf("%d address stages running, want 1", fp.addrRuns.Load())
	}
}

// When the phone stops, the lines have unregistered before the address
// stage ends (DHCP releases the lease): unregistering needs the address.
func TestFlowLinesStopBeforeAddress(t *testing.T) {
	fp, f := newFakePhone(t)
	var linesUp atomic.Bool
	var addressEndedWithLines atomic.Bool
	addr := f.Address
	f.Address = func(ctx context.Context, iface string, set func(*netconf.Address, error)) error {
		err := addr(ctx, iface, set)
		if linesUp.Load() {
			addressEndedWithLines.Store(true)
		}
		return err
	}
	lines := f.Lines
	f.Lines = func(ctx context.Context) error {
		linesUp.Store(true)
		err := lines(ctx)
		time.Sleep(10 * time.Millisecond) // the REGISTER with Expires: 0
		linesUp.Store(false)
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	fp.link.SetUp(true)
	fp.reporter(t)(lease, nil)
	fp.waitStage(t, StageReady, "")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if addressEndedWithLines.Load() {
		t.Error("the address stage ended while the lines were still unregistering")
	}
	if fp.addrRuns.Load() != 0 || fp.lines.Load() != 0 {
		t.Errorf("still running: address %d, lines %d", fp.addrRuns.Load(), fp.lines.Load())
	}
}
