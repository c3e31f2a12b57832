package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"deskphone/provision"
)

// The firmware learns from SlotEnv that init has already picked and
// counted its slot (firmware/slots.go), and which slot it runs from.
const SlotEnv = "DESKPHONE_SLOT"

// Restart pacing: a firmware that keeps dying is started again, slower and
// slower, but a trial image is counted out quickly enough to roll back.
const (
	minRestart = time.Second
	maxRestart = 30 * time.Second
	healthyRun = time.Minute
)

// supervise runs the firmware for ever: each start is a boot of the slot
// provision.Slots picks, counted while the slot is on trial, so an image
// that never reaches service (the firmware marks it good once line 1
// registers) is rolled back after provision.MaxBootAttempts starts.
func supervise(log *slog.Logger, board, data string) {
	slots := provision.OpenSlots(data)
	delay := minRestart
	for boot := 1; ; boot++ {
		slot, rolledBack, err := slots.Boot()
		if err != nil {
			// An unreadable boot state must not brick the phone: the
			// factory slot runs.
			log.Error("init: boot state; booting slot a", "err", err)
			slot = "a"
		}
		if rolledBack {
			log.Warn("init: the new firmware never reached service: rolled back", "slot", slot)
		}
		st, _ := slots.State()
		log.Info("init: booting firmware", "boot", boot, "slot", slot, "version", st.Versions[slot],
			"trial", st.Trying == slot, "attempt", st.Attempts)
		began := time.Now()
		err = runFirmware(slots.SlotPath(slot), slot, board, data)
		ran := time.Since(began)
		log.Warn("init: firmware exited", "slot", slot, "ran", ran.Round(time.Millisecond), "err", err)
		if ran > healthyRun {
			delay = minRestart
		}
		time.Sleep(delay)
		delay = min(delay*2, maxRestart)
	}
}

func runFirmware(path, slot, board, data string) error {
	// Provisioning writes slots as plain files: make this one executable.
	if err := os.Chmod(path, 0o755); err != nil {
		return fmt.Errorf("firmware slot %s: %w", slot, err)
	}
	cmd := exec.Command(path, "run", "-board", board, "-data", data, "-http", "")
	cmd.Dir = data
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + data, SlotEnv + "=" + slot}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("firmware slot %s: %w", slot, err)
	}
	return nil
}
