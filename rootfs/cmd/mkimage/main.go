// Command mkimage builds the phone's QEMU images and boots them:
//
//	mkimage build [-arch arm64,armv7] [-out build/image] [-cache build/debs] [-version V] [-buildtime T] [-nocgo]
//	mkimage qemu  [-arch arm64] [-out build/image] [-tap TAP] [-qmp SOCK] [-display gtk|sdl|vnc=:N]
//
// `make image` and `make qemu` run it. The images land in OUT/ARCH:
// vmlinuz, initrd.cpio.gz (the read-only root), flash.img (the flash),
// firmware (the binary in slot a).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"deskphone/rootfs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: mkimage build|qemu [flags]")
	}
	fs := flag.NewFlagSet("mkimage "+args[0], flag.ContinueOnError)
	arch := fs.String("arch", "arm64", "architectures (build: comma-separated): arm64, armv7")
	out := fs.String("out", "build/image", "output directory (one sub-directory per architecture)")
	switch args[0] {
	case "build":
		cache := fs.String("cache", "build/debs", "downloaded Debian packages")
		version := fs.String("version", "0.0.0", "firmware version")
		buildTime := fs.String("buildtime", "", "build time (RFC 3339), the phone clock's floor")
		nocgo := fs.Bool("nocgo", false, "build the firmware without cgo (no audio)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		for _, name := range strings.Split(*arch, ",") {
			a, err := rootfs.LookupArch(name)
			if err != nil {
				return err
			}
			img, err := rootfs.Build(ctx, rootfs.Config{Arch: a, Out: filepath.Join(*out, a.Name), Cache: *cache,
				Module: ".", Version: *version, BuildTime: *buildTime, NoCgo: *nocgo})
			if err != nil {
				return err
			}
			for _, f := range []string{img.Kernel, img.Initrd, img.Data, img.Firmware} {
				fi, err := os.Stat(f)
				if err != nil {
					return err
				}
				fmt.Printf("%-40s %7.2f MiB\n", f, float64(fi.Size())/(1<<20))
			}
		}
		return nil
	case "qemu":
		tap := fs.String("tap", "", "tap interface for the LAN port (default: user-mode network)")
		qmp := fs.String("qmp", "", "QMP socket path")
		display := fs.String("display", "", `QEMU -display for the LCD: "gtk", "sdl", "vnc=:1" ("" = headless)`)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		a, err := rootfs.LookupArch(*arch)
		if err != nil {
			return err
		}
		img := rootfs.ImageIn(filepath.Join(*out, a.Name), a, "")
		if _, err := os.Stat(img.Data); err != nil {
			return fmt.Errorf("no image in %s (make image first): %w", filepath.Dir(img.Data), err)
		}
		m := rootfs.MachineConfig{Image: img, Tap: *tap, QMP: *qmp, Display: *display}
		cmd := exec.CommandContext(ctx, a.QEMU, m.Args()...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		slog.Info("qemu", "cmd", a.QEMU+" "+strings.Join(m.Args(), " "))
		return cmd.Run()
	}
	return fmt.Errorf("unknown command %q: build or qemu", args[0])
}
