package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"deskphone/netconf"
)

// recordApplier is a fake netlink: it records what is applied and removed.
type recordApplier struct {
	mu  sync.Mutex
	ops []string
}

func (r *recordApplier) Apply(iface string, a *netconf.Address) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, "apply "+iface+" "+a.String()+" via "+a.Gateway.String())
	return nil
}

func (r *recordApplier) Remove(iface string, a *netconf.Address) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, "remove "+iface+" "+a.String())
	return nil
}

func (r *recordApplier) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ops)
}

// TestAddressStageStatic: with net.dhcp off the static settings are
// applied and their name servers used; a changed address replaces the old
// one; a bad setting is reported by name; stopping removes the address.
func TestAddressStageStatic(t *testing.T) {
	store := newTestStore(t, t.TempDir(), map[string]string{"net.dhcp": "off", "net.ip": "10.99.0.100",
		"net.mask": "255.255.255.0", "net.gateway": "10.99.0.1", "net.dns1": "10.99.0.1"})
	ns := &netState{}
	ap := &recordApplier{}
	type ev struct {
		a   *netconf.Address
		err error
	}
	events := make(chan ev, 16)
	stage := addressStage(store, ns, ap, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- stage(ctx, "lan0", func(a *netconf.Address, err error) { events <- ev{a, err} }) }()
	next := func() ev {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(20 * time.Second):
			t.Fatal("no address event")
			return ev{}
		}
	}
	e := next()
	if e.a == nil || e.a.String() != "10.99.0.100/24" || e.a.Source != netconf.SourceStatic {
		t.Fatalf("first: %+v", e)
	}
	if got := ns.dns.Servers(); !slices.Equal(got, []string{"10.99.0.1:53"}) {
		t.Errorf("name servers %v", got)
	}
	if err := store.Apply(map[string]string{"net.ip": "10.99.0.101"}); err != nil {
		t.Fatal(err)
	}
	if e := next(); e.a != nil {
		t.Fatalf("the old address was not withdrawn first: %+v", e)
	}
	if e := next(); e.a == nil || e.a.String() != "10.99.0.101/24" {
		t.Fatalf("after the change: %+v", e)
	}
	if err := store.Apply(map[string]string{"net.gateway": "10.98.0.1"}); err != nil {
		t.Fatal(err)
	}
	next() // withdrawn
	if e := next(); e.a != nil || e.err == nil || !strings.Contains(e.err.Error(), "net.gateway") {
		t.Fatalf("a gateway outside the subnet: %+v", e)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"apply lan0 10.99.0.100/24 via 10.99.0.1", "remove lan0 10.99.0.100/24",
		"apply lan0 10.99.0.101/24 via 10.99.0.1", "remove lan0 10.99.0.101/24"}
	if got := ap.list(); !slices.Equal(got, want) {
		t.Errorf("applier:\n got %q\nwant %q", got, want)
	}
	if ns.cur.Load() != nil || len(ns.dns.Servers()) != 0 {
		t.Error("the address or its name servers outlived the stage")
	}
}
