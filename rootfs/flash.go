package rootfs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"deskphone/provision"
)

// FlashConfig describes a factory flash disk.
type FlashConfig struct {
	Out      string // the disk image to write (replaced)
	Size     int64  // bytes
	Firmware string // the binary for slot a
	Version  string // slot a's version
	Extra    string // a directory copied onto the flash first ("" = none)
	Work     string // a scratch directory for the tree (replaced)
}

// MakeFlash writes the phone's flash as an ext4 image made by mke2fs -d
// (no loop mount, no root needed beyond writing the file): the firmware
// store of provision.Slots with slot a holding the firmware and the boot
// state naming it active, plus Extra's files.
func MakeFlash(ctx context.Context, c FlashConfig) error {
	os.RemoveAll(c.Work)
	if err := os.MkdirAll(c.Work, 0o755); err != nil {
		return fmt.Errorf("make flash: %w", err)
	}
	defer os.RemoveAll(c.Work)
	if c.Extra != "" {
		if _, err := output(ctx, "", "cp", "-a", c.Extra+"/.", c.Work+"/"); err != nil {
			return fmt.Errorf("make flash: %w", err)
		}
	}
	slots := provision.OpenSlots(c.Work)
	if err := copyFile(c.Firmware, slots.SlotPath("a"), 0o755); err != nil {
		return fmt.Errorf("make flash: %w", err)
	}
	boot := fmt.Sprintf("active a\ntrying -\nattempts 0\nversion.a %s\n", c.Version)
	bootPath := filepath.Join(filepath.Dir(slots.SlotPath("a")), "boot")
	if err := os.WriteFile(bootPath, []byte(boot), 0o600); err != nil {
		return fmt.Errorf("make flash: %w", err)
	}
	// The boot state is provision's: read it back through provision.
	if st, err := slots.State(); err != nil || st.Active != "a" || st.Versions["a"] != c.Version {
		return fmt.Errorf("make flash: boot state not understood by provision.Slots: %+v, %v", st, err)
	}
	os.Remove(c.Out)
	if _, err := output(ctx, "", "mke2fs", "-q", "-F", "-t", "ext4", "-L", "phoneflash",
		"-E", "root_owner=0:0", "-d", c.Work, c.Out, strconv.FormatInt(c.Size/1024, 10)+"k"); err != nil {
		return fmt.Errorf("make flash %s: %w", c.Out, err)
	}
	return nil
}
