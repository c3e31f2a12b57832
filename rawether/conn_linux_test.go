//go:build linux

package rawether_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"deskphone/rawether"
)

// testEtherType is the IEEE local experimental EtherType: nothing else on
// the loopback interface speaks it.
const testEtherType = 0x88b5

// needRaw skips without CAP_NET_RAW, except in CI where it fails.
func needRaw(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("raw sockets need root")
	}
	t.Skip("raw sockets need root")
}

func TestLoopbackRoundTrip(t *testing.T) {
	needRaw(t)
	c, err := rawether.Listen("lo", testEtherType, &rawether.Config{Group: net.HardwareAddr{0x01, 0x80, 0xc2, 0, 0, 0x0e}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// A marker unique to this run, so that another test's frames (or a
	// concurrent run of this one) are not taken for ours.
	marker := []byte(time.Now().Format(time.RFC3339Nano))
	frame := append([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0xb5}, marker...)
	if err := c.WriteFrame(frame); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	buf := make([]byte, 2048)
	for {
		n, err := c.ReadFrame(ctx, buf)
		if err != nil {
			t.Fatalf("frame not read back: %v", err)
		}
		if bytes.Equal(buf[:n], frame) {
			return
		}
	}
}

func TestReadEndsWithContext(t *testing.T) {
	needRaw(t)
	c, err := rawether.Listen("lo", testEtherType, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, err := c.ReadFrame(ctx, buf); err != nil {
				done <- err
				return
			}
		}
	}()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("ReadFrame after cancel = %v, want context.Canceled unwrapped", err)
	}
	// The socket reads again under a new context: the deadline was reset.
	frame := append([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0xb5}, "again"...)
	if err := c.WriteFrame(frame); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if _, err := c.ReadFrame(ctx2, make([]byte, 2048)); err != nil {
		t.Fatalf("read after a cancelled read: %v", err)
	}
}

func TestErrorsNameInterface(t *testing.T) {
	_, err := rawether.Listen("nosuchif0", testEtherType, nil)
	if err == nil || !strings.Contains(err.Error(), "nosuchif0") {
		t.Fatalf("Listen(nosuchif0) = %v, want an error naming the interface", err)
	}
	needRaw(t)
	c, err := rawether.Listen("lo", testEtherType, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.WriteFrame(make([]byte, 13))
	if err == nil || !strings.Contains(err.Error(), "on lo") || !strings.Contains(err.Error(), "13 bytes") {
		t.Fatalf("WriteFrame(13 bytes) = %v, want an error naming lo and the length", err)
	}
}
