package lab

import (
	"context"
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"
)

func TestRelayLosesAndDelays(t *testing.T) {
	a, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r, err := NewRelay(RelayConfig{Loss: 0.05, MaxDelay: 40 * time.Millisecond, Seed: 7},
		a.LocalAddr().(*net.UDPAddr), b.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	const n = 1000
	got := map[uint32]bool{}
	var mu sync.Mutex
	reordered := 0
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		buf := make([]byte, 64)
		var last uint32
		for {
			m, _, err := b.ReadFromUDP(buf)
			if err != nil {
				return
			}
			v := binary.BigEndian.Uint32(buf[:m])
			mu.Lock()
			got[v] = true
			if v < last {
				reordered++
			}
			last = max(last, v)
			mu.Unlock()
		}
	}()
	for i := range uint32(n) {
		var p [4]byte
		binary.BigEndian.PutUint32(p[:], i)
		if _, err := a.WriteToUDP(p[:], r.AddrA()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // keep loopback's socket buffers from being the loss
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		toB, _ := r.Stats()
		mu.Lock()
		all := len(got) == toB.Forwarded && toB.Forwarded+toB.Dropped == n
		mu.Unlock()
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("relay stats %+v, received %d", toB, len(got))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b.Close()
	<-recvDone
	toB, toA := r.Stats()
	t.Logf("to B %+v, to A %+v, %d arrived out of order", toB, toA, reordered)
	if toB.Dropped < 25 || toB.Dropped > 80 {
		t.Errorf("dropped %d of %d, want about 5%%", toB.Dropped, n)
	}
	if reordered == 0 || toB.MaxDelay > 40*time.Millisecond {
		t.Errorf("no reordering or delay over the bound: %d, %v", reordered, toB.MaxDelay)
	}
	// The drop log names exactly what never arrived.
	drops := r.Drops()
	if len(drops) != toB.Dropped {
		t.Fatalf("%d drops logged, %d counted", len(drops), toB.Dropped)
	}
	for _, d := range drops {
		v := binary.BigEndian.Uint32(d.Head)
		if !d.ToB || got[v] {
			t.Errorf("drop %d logged but it arrived (or wrong direction %v)", v, d.ToB)
		}
		got[v] = true
	}
	if len(got) != n {
		t.Errorf("%d datagrams neither arrived nor were logged dropped", n-len(got))
	}
}

func TestRelayRejectsBadConfig(t *testing.T) {
	u := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
	for _, c := range []RelayConfig{{Loss: 1.5}, {MaxDelay: -1}, {Listen: "localhost"}} {
		if _, err := NewRelay(c, u, u); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
