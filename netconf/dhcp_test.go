package netconf

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"

	"deskphone/provision"
)

// memServer is an in-memory DHCP server: nclient4 talks to it through
// memConn, so the client's state machine runs on real DHCP messages
// without a socket.
type memServer struct {
	mu       sync.Mutex
	silent   bool // answers nothing
	nakRenew bool // refuses renewals
	leaseSec uint32
	next     byte // last octet of the next address offered
	got      []dhcpv4.MessageType
	conns    int // client sockets open now
}

// sockets is how many client sockets are open.
func (s *memServer) sockets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

var (
	srvIP = net.IPv4(10, 99, 0, 1)
	mac   = net.HardwareAddr{2, 0, 0, 0, 1, 1}
)

func (s *memServer) handle(m *dhcpv4.DHCPv4) *dhcpv4.DHCPv4 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, m.MessageType())
	if s.silent {
		return nil
	}
	var typ dhcpv4.MessageType
	switch m.MessageType() {
	case dhcpv4.MessageTypeDiscover:
		typ = dhcpv4.MessageTypeOffer
	case dhcpv4.MessageTypeRequest:
		typ = dhcpv4.MessageTypeAck
		if s.nakRenew && !m.ClientIPAddr.IsUnspecified() {
			typ = dhcpv4.MessageTypeNak
			s.nakRenew = false
			s.next++ // the next lease is another address
		}
	default:
		return nil
	}
	yi := net.IPv4(10, 99, 0, 150+s.next)
	r, err := dhcpv4.NewReplyFromRequest(m,
		dhcpv4.WithMessageType(typ), dhcpv4.WithYourIP(yi), dhcpv4.WithServerIP(srvIP),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(srvIP)),
		dhcpv4.WithOption(dhcpv4.OptSubnetMask(net.CIDRMask(24, 32))),
		dhcpv4.WithOption(dhcpv4.OptRouter(srvIP)),
		dhcpv4.WithOption(dhcpv4.OptDNS(srvIP)),
		dhcpv4.WithOption(dhcpv4.OptNTPServers(net.IPv4(10, 99, 0, 2))),
		dhcpv4.WithOption(dhcpv4.OptDomainName("lab.test")),
		dhcpv4.WithLeaseTime(s.leaseSec),
		dhcpv4.WithGeneric(dhcpv4.GenericOptionCode(160), []byte("https://prov.lab.test/")),
	)
	if err != nil {
		panic(err)
	}
	if typ == dhcpv4.MessageTypeNak {
		r.YourIPAddr = net.IPv4zero
	}
	return r
}

func (s *memServer) received() []dhcpv4.MessageType {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

type memConn struct {
	srv    *memServer
	in     chan []byte
	closed chan struct{}
	once   sync.Once
}

func (s *memServer) open(string) (Exchanger, error) {
	c := &memConn{srv: s, in: make(chan []byte, 16), closed: make(chan struct{})}
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
	return nclient4.NewWithConn(c, mac, nclient4.WithTimeout(100*time.Millisecond), nclient4.WithRetry(2))
}

func (c *memConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	m, err := dhcpv4.FromBytes(b)
	if err != nil {
		return 0, err
	}
	if r := c.srv.handle(m); r != nil {
		select {
		case c.in <- r.ToBytes():
		default:
		}
	}
	return len(b), nil
}

func (c *memConn) ReadFrom(b []byte) (int, net.Addr, error) {
	select {
	case p := <-c.in:
		return copy(b, p), &net.UDPAddr{IP: srvIP, Port: 67}, nil
	case <-c.closed:
		return 0, nil, net.ErrClosed
	}
}

func (c *memConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		c.srv.mu.Lock()
		c.srv.conns--
		c.srv.mu.Unlock()
	})
	return nil
}

func (c *memConn) LocalAddr() net.Addr              { return &net.UDPAddr{Port: 68} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// fakeApplier records what is in effect on each interface.
type fakeApplier struct {
	mu      sync.Mutex
	applied map[string]*Address
	ops     []string
}

func (f *fakeApplier) Apply(iface string, a *Address) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.applied == nil {
		f.applied = map[string]*Address{}
	}
	f.applied[iface] = a
	f.ops = append(f.ops, "apply "+a.String())
	return nil
}

func (f *fakeApplier) Remove(iface string, a *Address) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.applied, iface)
	f.ops = append(f.ops, "remove "+a.String())
	return nil
}

func (f *fakeApplier) current(iface string) *Address {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied[iface]
}

// runClient runs a client against srv and hands its events to the test.
func runClient(t *testing.T, srv *memServer, ap Applier) (events <-chan DHCPEvent, stop func()) {
	t.Helper()
	ch := make(chan DHCPEvent, 64)
	c := &DHCPClient{Iface: "lan0", Open: srv.open, Apply: ap, Report: func(e DHCPEvent) { ch <- e },
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Vendor: "deskphone"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	return ch, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func next(t *testing.T, ch <-chan DHCPEvent) DHCPEvent {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no DHCP event")
		return DHCPEvent{}
	}
}

// TestDHCPBindRenewRelease: DORA binds the offered address with every
// option the phone uses, a renewal at T1 keeps it, and stopping releases
// the lease and removes the address.
func TestDHCPBindRenewRelease(t *testing.T) {
	srv := &memServer{leaseSec: 2}
	ap := &fakeApplier{}
	ch, stop := runClient(t, srv, ap)
	e := next(t, ch)
	if e.Address == nil {
		t.Fatalf("first event: %+v", e)
	}
	a := e.Address
	if a.Prefix != netip.MustParsePrefix("10.99.0.150/24") || a.Gateway != netip.MustParseAddr("10.99.0.1") ||
		!slices.Equal(a.DNS, []netip.Addr{netip.MustParseAddr("10.99.0.1")}) ||
		!slices.Equal(a.NTP, []netip.Addr{netip.MustParseAddr("10.99.0.2")}) || a.Domain != "lab.test" ||
		a.Lease != 2*time.Second || a.T1 != time.Second || a.T2 != 1750*time.Millisecond {
		t.Errorf("lease: %+v", a)
	}
	urls, err := provision.DiscoverServers(a.Options)
	if err != nil || !slices.Equal(urls, []string{"https://prov.lab.test/"}) {
		t.Errorf("discovery from the lease options: %v %v", urls, err)
	}
	if got := ap.current("lan0"); got != a {
		t.Errorf("applied %v, want %v", got, a)
	}
	// Bound, the client holds no socket: a raw one would see every packet.
	if n := srv.sockets(); n != 0 {
		t.Errorf("%d client sockets open while bound, want 0", n)
	}
	e = next(t, ch)
	if e.Address == nil || !e.Renewed || e.Address.Prefix != a.Prefix {
		t.Fatalf("second event is not a renewal: %+v", e)
	}
	if n := srv.sockets(); n != 0 {
		t.Errorf("%d client sockets open after the renewal, want 0", n)
	}
	stop()
	if got := ap.current("lan0"); got != nil {
		t.Errorf("address still applied after stop: %v", got)
	}
	if n := srv.sockets(); n != 0 {
		t.Errorf("%d client sockets open after stop, want 0", n)
	}
	msgs := srv.received()
	want := []dhcpv4.MessageType{dhcpv4.MessageTypeDiscover, dhcpv4.MessageTypeRequest, dhcpv4.MessageTypeRequest, dhcpv4.MessageTypeRelease}
	if len(msgs) < 4 || !slices.Equal(msgs[:3], want[:3]) || msgs[len(msgs)-1] != dhcpv4.MessageTypeRelease {
		t.Errorf("server saw %v, want %v (renewals may repeat)", msgs, want)
	}
}

// TestDHCPNoAnswer: with no server the client says so at each attempt and
// keeps trying; once the server answers it binds.
func TestDHCPNoAnswer(t *testing.T) {
	srv := &memServer{leaseSec: 3600, silent: true}
	ap := &fakeApplier{}
	ch, stop := runClient(t, srv, ap)
	defer stop()
	for n := 1; n <= 2; n++ {
		e := next(t, ch)
		if e.Address != nil || e.Err == nil || e.Err.Error() != "no DHCP answer" || e.Attempt != n {
			t.Fatalf("attempt %d: %+v", n, e)
		}
	}
	srv.mu.Lock()
	srv.silent = false
	srv.mu.Unlock()
	for {
		e := next(t, ch)
		if e.Address != nil {
			break
		}
	}
	if ap.current("lan0") == nil {
		t.Error("bound but nothing applied")
	}
}

// TestDHCPNakOnRenew: a refused renewal removes the address and the client
// starts over, binding the new address the server gives.
func TestDHCPNakOnRenew(t *testing.T) {
	srv := &memServer{leaseSec: 2, nakRenew: true}
	ap := &fakeApplier{}
	ch, stop := runClient(t, srv, ap)
	defer stop()
	if e := next(t, ch); e.Address == nil || e.Address.Prefix.Addr() != netip.MustParseAddr("10.99.0.150") {
		t.Fatalf("first: %+v", e)
	}
	if e := next(t, ch); e.Address != nil || e.Err == nil {
		t.Fatalf("after NAK: %+v", e)
	}
	if e := next(t, ch); e.Address == nil || e.Address.Prefix.Addr() != netip.MustParseAddr("10.99.0.151") {
		t.Fatalf("rebound: %+v", e)
	}
	ap.mu.Lock()
	ops := slices.Clone(ap.ops)
	ap.mu.Unlock()
	if !slices.Equal(ops[:3], []string{"apply 10.99.0.150/24", "remove 10.99.0.150/24", "apply 10.99.0.151/24"}) {
		t.Errorf("applier: %v", ops)
	}
}
