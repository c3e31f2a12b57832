package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

func mountKernelFS() error {
	var errs []error
	for _, m := range []struct{ src, dst, fs, opts string }{
		{"proc", "/proc", "proc", ""},
		{"sysfs", "/sys", "sysfs", ""},
		{"devtmpfs", "/dev", "devtmpfs", ""},
		{"tmpfs", "/tmp", "tmpfs", "mode=1777,size=16m"},
		{"tmpfs", "/run", "tmpfs", "mode=755,size=4m"},
	} {
		if err := unix.Mount(m.src, m.dst, m.fs, unix.MS_NOSUID, m.opts); err != nil && !errors.Is(err, unix.EBUSY) {
			errs = append(errs, fmt.Errorf("mount %s: %w", m.dst, err))
		}
	}
	return errors.Join(errs...)
}

// mountFlash mounts the ext4 flash at dir, waiting for the disk's driver to
// create the device node.
func mountFlash(dev, dir string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		_, err := os.Stat(dev)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("flash %s: %w", dev, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := unix.Mount(dev, dir, "ext4", unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return fmt.Errorf("mount flash %s on %s: %w", dev, dir, err)
	}
	return nil
}
