package main

import (
	"context"
	"fmt"
	"log/slog"

	"deskphone/board"
	"deskphone/provision"
	"deskphone/provision/settings"
	"deskphone/status"
)

// publishSettings puts the security mode the settings give into the
// status. The lines are the SIP engine's to publish.
func publishSettings(hub *status.Hub, store *settings.Store) {
	hub.Update(func(p *status.Phone) {
		p.Security.Mode = store.String(settings.LineName(1, "security"))
	})
}

// followSettings republishes when the security mode changes.
func followSettings(ctx context.Context, hub *status.Hub, store *settings.Store) error {
	changed, cancel := store.Watch(settings.LineName(1, "security"))
	defer cancel()
	for {
		select {
		case <-changed:
			publishSettings(hub, store)
		case <-ctx.Done():
			return nil
		}
	}
}

// followLink publishes the LAN port's link and address.
func followLink(ctx context.Context, hub *status.Hub, b *board.Board) error {
	up := b.LAN.Up()
	for {
		hub.Update(func(p *status.Phone) {
			p.Network.LinkUp = up
			p.Network.MAC = b.LAN.MAC().String()
		})
		var err error
		if up, err = b.LAN.WaitLink(ctx, up); err != nil {
			return nil
		}
	}
}

// markGoodWhenRegistered marks the running firmware slot good once line 1
// registers: a new image has then reached service and is kept.
func markGoodWhenRegistered(ctx context.Context, hub *status.Hub, slots *provision.Slots, log *slog.Logger) error {
	var seq uint64
	for {
		p, next, err := hub.Wait(ctx, seq)
		if err != nil {
			return nil
		}
		seq = next
		if len(p.Lines) > 0 && p.Lines[0].Index == 1 && p.Lines[0].State == status.LineRegistered {
			if err := slots.MarkGood(); err != nil {
				return fmt.Errorf("mark firmware slot good: %w", err)
			}
			log.Info("line 1 registered: firmware slot marked good")
			<-ctx.Done()
			return nil
		}
	}
}
