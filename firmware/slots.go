package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"deskphone/provision"
	"deskphone/status"
)

// slotEnv names the firmware slot the image's init booted (rootfs/init):
// when it is set, init has already picked the slot and counted the
// attempt, and restarts the firmware when it exits.
const slotEnv = "DESKPHONE_SLOT"

// firmwareSlots is the firmware's side of the A/B slots: which slot runs,
// and whether a boot loader (the image's init) stands behind the firmware.
type firmwareSlots struct {
	*provision.Slots
	running string // the slot this firmware runs from ("" when unknown)
	byInit  bool
}

// openSlots opens the slots in the data directory at firmware start. Under
// the image's init the slot is the one init booted; elsewhere (the
// simulator) the firmware plays the boot loader's part itself: it picks
// the slot and counts the attempt.
func openSlots(dataDir string, log *slog.Logger) *firmwareSlots {
	fs := &firmwareSlots{Slots: provision.OpenSlots(dataDir)}
	if slot := os.Getenv(slotEnv); slot == "a" || slot == "b" {
		fs.running, fs.byInit = slot, true
		log.Info("firmware slot booted by init", "slot", slot)
		return fs
	}
	slot, rolledBack, err := fs.Boot()
	if err != nil {
		log.Error("firmware slots", "err", err)
		return fs
	}
	fs.running = slot
	if rolledBack {
		log.Warn("the new firmware never reached service: rolled back", "slot", slot)
	}
	return fs
}

// health marks the slot good once line 1 registers and, under init,
// restarts the phone into a new image as soon as provisioning has
// installed one: restart is called, the firmware exits, and init boots the
// slot on trial. Only the slot on trial is marked good from inside it, so
// an image installed while this one was still registering is not promoted
// before it ever ran.
func (fs *firmwareSlots) health(ctx context.Context, hub *status.Hub, restart func(), log *slog.Logger) error {
	if !fs.byInit {
		return markGoodWhenRegistered(ctx, hub, fs.Slots, log)
	}
	var seq uint64
	for {
		p, next, err := hub.Wait(ctx, seq)
		if err != nil {
			return nil
		}
		seq = next
		st, err := fs.State()
		if err != nil {
			log.Error("firmware slots", "err", err)
			continue
		}
		switch {
		case st.Trying != "" && st.Trying != fs.running:
			log.Warn("new firmware installed: restarting into it", "slot", st.Trying, "version", st.Versions[st.Trying])
			restart()
			<-ctx.Done()
			return nil
		case st.Trying == fs.running && line1Registered(p):
			if err := fs.MarkGood(); err != nil {
				return fmt.Errorf("mark firmware slot good: %w", err)
			}
			log.Info("line 1 registered: firmware slot marked good", "slot", fs.running)
		}
	}
}

func line1Registered(p status.Phone) bool {
	return len(p.Lines) > 0 && p.Lines[0].Index == 1 && p.Lines[0].State == status.LineRegistered
}
