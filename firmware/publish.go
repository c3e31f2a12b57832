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

// publishSettings puts what the settings say about the lines and the
// security mode into the status. Registration state itself is the SIP
// engine's to publish; until it runs, an enabled line is "unregistered".
func publishSettings(hub *status.Hub, store *settings.Store) {
	hub.Update(func(p *status.Phone) {
		var ls []status.Line
		for i := 1; i <= settings.Lines; i++ {
			key := func(field string) string { return settings.LineName(i, field) }
			if !store.Bool(key("enabled")) {
				continue
			}
			l := status.Line{Index: i, State: status.LineUnregistered}
			for _, old := range p.Lines {
				if old.Index == i {
					l = old
				}
			}
			l.Label = store.String(key("label"))
			if l.Label == "" {
				l.Label = store.String(key("user"))
			}
			l.Registrar = store.String(key("registrar"))
			l.Transport = store.String(key("transport"))
			l.Security = store.String(key("security"))
			ls = append(ls, l)
		}
		p.Lines = ls
		p.Security.Mode = store.String("sip.line1.security")
	})
}

// followSettings republishes when a setting the status shows changes.
func followSettings(ctx context.Context, hub *status.Hub, store *settings.Store) error {
	changed, cancel := store.Watch("sip.", "phone.")
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
