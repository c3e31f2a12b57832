package board

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDevicesRunAndClose(t *testing.T) {
	var d devices
	var order []string
	d.onClose(func() error { order = append(order, "first"); return nil })
	d.onClose(func() error { order = append(order, "second"); return errors.New("second failed") })
	d.onRun("stops with ctx", func(ctx context.Context) error { <-ctx.Done(); return nil })
	d.onRun("breaks", func(ctx context.Context) error { return errors.New("wire cut") })

	// The failing component ends the other and the devices are closed in
	// reverse order; both errors are reported.
	err := d.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "breaks: wire cut") || !strings.Contains(err.Error(), "second failed") {
		t.Fatalf("run = %v", err)
	}
	if strings.Join(order, ",") != "second,first" {
		t.Fatalf("closed in order %v", order)
	}
	if err := d.close(); err != nil || len(order) != 2 {
		t.Fatalf("second close: %v, %v", err, order)
	}
}

func TestDevicesRunStopsWithContext(t *testing.T) {
	var d devices
	closed := false
	d.onClose(func() error { closed = true; return nil })
	d.onRun("waits", func(ctx context.Context) error { <-ctx.Done(); return nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.run(ctx); err != nil || !closed {
		t.Fatalf("run = %v, closed %v", err, closed)
	}
}
