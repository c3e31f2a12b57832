// Command init is the image's PID 1: it mounts the kernel's file systems,
// loads the kernel modules the image lists, makes the root read-only,
// mounts the flash, brings the network interfaces up, then plays the boot
// loader's part for the A/B firmware slots (provision.Slots: pick the slot,
// count the attempt, roll back a trial that never reaches service) and
// runs the firmware from its slot, starting it again whenever it exits.
// Each start is one boot attempt of the slot.
package main

import (
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stdout, nil)).With("prog", "init")
	slog.SetDefault(log)
	start := time.Now()
	log.Info("init: starting", "pid", os.Getpid())

	if err := mountKernelFS(); err != nil {
		log.Error("init: kernel file systems", "err", err)
	}
	cmd := parseCmdline(readFile("/proc/cmdline"))
	loaded, errs := loadModules("/etc/modules")
	for _, err := range errs {
		log.Error("init: module", "err", err)
	}
	log.Info("init: modules loaded", "count", loaded)

	if err := unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		log.Error("init: read-only root", "err", err)
	} else if err := os.WriteFile("/.rw", nil, 0o600); err == nil {
		os.Remove("/.rw")
		log.Error("init: read-only root: the root still takes writes")
	}
	if err := mountFlash(cmd.flash, dataDir, 10*time.Second); err != nil {
		// The phone still runs, from a RAM flash that forgets everything:
		// better a working phone that says so than a dead one.
		log.Error("init: no flash; running on a volatile RAM disk", "err", err)
		if err := unix.Mount("tmpfs", dataDir, "tmpfs", 0, "size=64m"); err != nil {
			log.Error("init: RAM flash", "err", err)
		}
	}
	ifaces, err := linksUp()
	if err != nil {
		log.Error("init: network interfaces", "err", err)
	}
	log.Info("init: network interfaces up", "ifaces", ifaces)
	log.Info("init: ready", "took", time.Since(start).Round(time.Millisecond))
	go logSoundCards(log, 20*time.Second)
	supervise(log, cmd.board, dataDir)
}

const dataDir = "/data"

// logSoundCards reports the handset's sound card once USB has enumerated
// it, or that none came within wait.
func logSoundCards(log *slog.Logger, wait time.Duration) {
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if cards := soundCards(); len(cards) > 0 {
			log.Info("init: sound cards", "cards", cards)
			return
		}
	}
	log.Warn("init: no sound card (is -device usb-audio on the QEMU command line?)", "waited", wait)
}

// soundCards names the ALSA cards the kernel has found so far.
func soundCards() []string {
	var cards []string
	for _, l := range strings.Split(readFile("/proc/asound/cards"), "\n") {
		if _, name, ok := strings.Cut(l, "]: "); ok {
			cards = append(cards, strings.TrimSpace(name))
		}
	}
	return cards
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}
