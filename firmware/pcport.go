package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"deskphone/board"
	"deskphone/pcport"
	"deskphone/provision/settings"
	"deskphone/status"
)

// runPCPort is the PC port component: pass-through between the PC and LAN
// ports with proxy EAPOL-Logoff, forwarding while net.pc_port is on. On a
// board whose ports have no interfaces (the plain simulator) it only
// publishes the setting.
func runPCPort(ctx context.Context, store *settings.Store, hub *status.Hub, b *board.Board, log *slog.Logger) error {
	changed, cancel := store.Watch("net.pc_port")
	defer cancel()
	publish := func(s status.PCPort) { hub.Update(func(p *status.Phone) { p.PCPort = s }) }
	if b.PC == nil || b.PC.Interface() == "" || b.LAN.Interface() == "" {
		for {
			publish(status.PCPort{Enabled: store.Bool("net.pc_port"), LinkUp: b.PC != nil && b.PC.Up()})
			select {
			case <-ctx.Done():
				return nil
			case <-changed:
			}
		}
	}
	lan, err := pcport.Listen(b.LAN.Interface())
	if err != nil {
		return fmt.Errorf("pc port: %w", err)
	}
	defer lan.Close()
	pc, err := pcport.Listen(b.PC.Interface())
	if err != nil {
		return fmt.Errorf("pc port: %w", err)
	}
	defer pc.Close()
	port := pcport.New(pcport.Config{
		LAN: lan, PC: pc, PCLink: b.PC,
		Own:     []net.HardwareAddr{b.LAN.MAC(), b.PC.MAC()},
		Enabled: store.Bool("net.pc_port"),
		Publish: publish,
		Logger:  log.With("component", "pcport"),
	})
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- port.Run(ctx) }()
	for {
		select {
		case <-changed:
			port.SetEnabled(store.Bool("net.pc_port"))
		case err := <-done:
			return err
		}
	}
}
