package sipcore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// stack is one sipgo user agent with the phone's UDP and TCP listeners.
type stack struct {
	ua   *sipgo.UserAgent
	txl  *sip.TransactionLayer
	tp   *sip.TransportLayer
	udp  net.PacketConn
	tcp  net.Listener
	ip   net.IP // listen IP, maybe unspecified
	port int
	wg   sync.WaitGroup
}

// newStack listens on cfg.Listen (UDP and TCP on the same port) and hands
// requests to the handlers.
func newStack(cfg Config, log *slog.Logger, handlers map[sip.RequestMethod]sipgo.RequestHandler) (*stack, error) {
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(cfg.UserAgent),
		sipgo.WithUserAgenTLSConfig(cfg.TLS.clientTLS()),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(log),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {})),
	)
	if err != nil {
		return nil, fmt.Errorf("sip user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sip server: %w", err)
	}
	for m, h := range handlers {
		srv.OnRequest(m, h)
	}
	s := &stack{ua: ua, txl: ua.TransactionLayer(), tp: ua.TransportLayer()}
	if err := s.listen(cfg.Listen); err != nil {
		ua.Close()
		return nil, err
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); _ = srv.ServeUDP(s.udp) }()
	go func() { defer s.wg.Done(); _ = srv.ServeTCP(s.tcp) }()
	// ServeUDP puts the socket into sipgo's pool from its goroutine; until
	// then a request sent "from" it would try to bind the port again.
	key := s.udpAddr()
	for i := 0; ; i++ {
		if c, err := s.tp.GetConnection("udp", key.String()); err == nil && c != nil {
			c.TryClose() // GetConnection took a reference
			break
		}
		if i == 1000 {
			s.close()
			return nil, fmt.Errorf("sip listen udp %s: socket not served", key.String())
		}
		time.Sleep(time.Millisecond)
	}
	return s, nil
}

func (s *stack) listen(addr string) error {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sip listen %q: %w", addr, err)
	}
	for try := 0; ; try++ {
		udp, err := net.ListenPacket("udp", addr)
		if err != nil {
			return fmt.Errorf("sip listen udp %s: %w", addr, err)
		}
		ua := udp.LocalAddr().(*net.UDPAddr)
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(ua.Port)))
		if err != nil {
			udp.Close()
			// Port 0 picked a UDP port whose TCP twin is taken: pick again.
			if portStr == "0" && errors.Is(err, syscall.EADDRINUSE) && try < 5 {
				continue
			}
			return fmt.Errorf("sip listen tcp %s: %w", addr, err)
		}
		s.udp, s.tcp, s.ip, s.port = udp, tcp, ua.IP, ua.Port
		return nil
	}
}

// close stops the listeners and the user agent and waits for the servers.
func (s *stack) close() {
	s.udp.Close()
	s.tcp.Close()
	s.ua.Close()
	s.wg.Wait()
}

// udpAddr is the listener's address in the form sipgo's pool keys it.
func (s *stack) udpAddr() sip.Addr {
	return sip.Addr{IP: s.ip, Port: s.port, Hostname: s.ip.String()}
}

// contactHost is the address peers reach the phone at: the listen IP, or
// when listening on all addresses, the local IP routed toward dest.
func (s *stack) contactHost(dest string) string {
	if !s.ip.IsUnspecified() {
		return s.ip.String()
	}
	c, err := net.Dial("udp", dest) // no packet is sent
	if err != nil {
		return "127.0.0.1"
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String()
}

// do runs one client transaction and returns its final response.
func (s *stack) do(ctx context.Context, req *sip.Request, timeout time.Duration) (*sip.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tx, err := s.txl.Request(ctx, req)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			return nil, tx.Err()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
