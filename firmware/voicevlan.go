package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"deskphone/board"
	"deskphone/net8021x"
	"deskphone/provision/settings"
	"deskphone/status"
	"deskphone/voicevlan"
)

// runVoiceVLAN is the voice VLAN component: LLDP-MED on the LAN port, else
// net.voice_vlan, applied once 802.1X has authorized the port (at once
// with 802.1X off). It publishes Network.VLAN, VLANSource and Iface, the
// interface the phone's own IP traffic (DHCP, SIP, RTP) must use. On a LAN
// port without an interface (the plain simulator) it publishes nothing.
func runVoiceVLAN(ctx context.Context, store *settings.Store, hub *status.Hub, b *board.Board, log *slog.Logger) error {
	lanIf := b.LAN.Interface()
	if lanIf == "" {
		<-ctx.Done()
		return nil
	}
	changed, cancel := store.Watch("net.voice_vlan", "dot1x.mode")
	defer cancel()
	frames, err := voicevlan.ListenLLDP(lanIf)
	if err != nil {
		return fmt.Errorf("voice VLAN: %w", err)
	}
	defer frames.Close()
	log = log.With("component", "voicevlan")
	links, err := voicevlan.DialLinks(log)
	if err != nil {
		return fmt.Errorf("voice VLAN: %w", err)
	}
	defer links.Close()
	snap, seq := hub.Snapshot()
	m := voicevlan.New(voicevlan.Config{
		LAN: lanIf, Frames: frames, Links: links,
		Manual:     store.Int("net.voice_vlan"),
		Authorized: portAuthorized(store, snap),
		Logger:     log,
		Publish: func(c voicevlan.Choice) {
			hub.Update(func(p *status.Phone) {
				p.Network.VLAN, p.Network.VLANSource, p.Network.Iface = c.VLAN, c.Source, c.Iface
			})
		},
	})
	ctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	snaps := make(chan status.Phone)
	watched := make(chan struct{})
	defer func() {
		stop()
		<-watched
	}()
	go func() {
		defer close(watched)
		for {
			var err error
			if snap, seq, err = hub.Wait(ctx, seq); err != nil {
				return
			}
			select {
			case snaps <- snap:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-changed:
			m.SetManual(store.Int("net.voice_vlan"))
			snap, _ := hub.Snapshot()
			m.SetAuthorized(portAuthorized(store, snap))
		case p := <-snaps:
			m.SetAuthorized(portAuthorized(store, p))
		case err := <-done:
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
	}
}

// portAuthorized: 802.1X is off (by the setting, not by the published
// state, which reads "disabled" until the supplicant has started) or has
// authenticated.
func portAuthorized(store *settings.Store, p status.Phone) bool {
	return net8021x.Mode(store.Int("dot1x.mode")) == net8021x.ModeDisabled || p.Dot1X.State == status.Dot1XAuthenticated
}
