package lab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// RelayConfig sets how a Relay damages traffic. The lab's kernel has no
// netem, so loss and jitter are made in user space.
type RelayConfig struct {
	Listen   string        // host the relay's two sockets bind (default 127.0.0.1)
	Loss     float64       // probability each datagram is dropped, 0..1
	MaxDelay time.Duration // each kept datagram waits uniformly 0..MaxDelay (so may overtake others)
	Seed     uint64        // the same seed drops and delays the same way
}

// Dropped is one datagram the relay lost on purpose.
type Dropped struct {
	ToB  bool   // it was going from A to B
	Head []byte // its first 12 bytes (an RTP header, say)
}

// RelayStats counts one direction.
type RelayStats struct {
	Forwarded, Dropped int
	MaxDelay           time.Duration // the longest delay applied
}

// Relay forwards UDP datagrams between two parties: what party A sends to
// AddrA() goes to B, what B sends to AddrB() goes to A.
type Relay struct {
	cfg    RelayConfig
	sideA  *net.UDPConn // A talks to this
	sideB  *net.UDPConn // B talks to this
	a, b   *net.UDPAddr
	mu     sync.Mutex
	toB    RelayStats
	toA    RelayStats
	drops  []Dropped
	closed bool
}

// NewRelay opens the relay's sockets for parties at a and b.
func NewRelay(cfg RelayConfig, a, b *net.UDPAddr) (*Relay, error) {
	if cfg.Loss < 0 || cfg.Loss > 1 || cfg.MaxDelay < 0 {
		return nil, fmt.Errorf("relay: loss %v or delay %v out of range", cfg.Loss, cfg.MaxDelay)
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1"
	}
	ip := net.ParseIP(cfg.Listen)
	if ip == nil {
		return nil, fmt.Errorf("relay: listen address %q is not an IP", cfg.Listen)
	}
	sa, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		return nil, fmt.Errorf("relay: listen: %w", err)
	}
	sb, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		sa.Close()
		return nil, fmt.Errorf("relay: listen: %w", err)
	}
	return &Relay{cfg: cfg, sideA: sa, sideB: sb, a: a, b: b}, nil
}

// AddrA is where party A sends.
func (r *Relay) AddrA() *net.UDPAddr { return r.sideA.LocalAddr().(*net.UDPAddr) }

// AddrB is where party B sends.
func (r *Relay) AddrB() *net.UDPAddr { return r.sideB.LocalAddr().(*net.UDPAddr) }

// Run relays until ctx ends, then closes the sockets. Datagrams still
// waiting out their delay are delivered or dropped before it returns.
func (r *Relay) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() { defer wg.Done(); errs <- r.forward(r.sideA, r.sideB, r.b, true, r.cfg.Seed) }()
	go func() { defer wg.Done(); errs <- r.forward(r.sideB, r.sideA, r.a, false, r.cfg.Seed+1) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.sideA.Close()
	r.sideB.Close()
	wg.Wait()
	return err
}

// forward reads from in and sends to dst out of out, dropping and delaying.
func (r *Relay) forward(in, out *net.UDPConn, dst *net.UDPAddr, toB bool, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var pending sync.WaitGroup // delayed datagrams of this direction
	defer pending.Wait()
	buf := make([]byte, 65536)
	for {
		n, _, err := in.ReadFromUDP(buf)
		if err != nil {
			r.mu.Lock()
			closed := r.closed
			r.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("relay read: %w", err)
		}
		lose := rng.Float64() < r.cfg.Loss
		delay := time.Duration(rng.Int64N(int64(r.cfg.MaxDelay) + 1))
		r.mu.Lock()
		st := &r.toA
		if toB {
			st = &r.toB
		}
		if lose {
			st.Dropped++
			r.drops = append(r.drops, Dropped{ToB: toB, Head: append([]byte(nil), buf[:min(n, 12)]...)})
			r.mu.Unlock()
			continue
		}
		st.Forwarded++
		st.MaxDelay = max(st.MaxDelay, delay)
		r.mu.Unlock()
		p := append([]byte(nil), buf[:n]...)
		pending.Add(1)
		time.AfterFunc(delay, func() {
			defer pending.Done()
			_, _ = out.WriteToUDP(p, dst) // after Run closed the socket this fails: fine
		})
	}
}

// Stats returns the counts towards B and towards A.
func (r *Relay) Stats() (toB, toA RelayStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.toB, r.toA
}

// Drops lists the datagrams lost so far, in order.
func (r *Relay) Drops() []Dropped {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Dropped(nil), r.drops...)
}
