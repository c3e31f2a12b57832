package rootfs

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Modules are the kernel modules the image loads, by name (their
// dependencies come along): the virtio PCI transport, the LAN NIC, the
// flash disk and its file system, the LCD (virtio-gpu's fbdev emulation),
// the keypad (virtio-input, evdev), and USB audio as the handset.
var Modules = []string{
	"virtio_pci", "virtio_net", "virtio_blk", "crc32c_generic", "ext4",
	"virtio_gpu", "virtio_input", "evdev",
	"xhci_pci", "snd_usb_audio",
}

// Config says what to build.
type Config struct {
	Arch      Arch
	Out       string // output directory of this architecture's image
	Cache     string // downloaded .deb files (shared by the architectures)
	Module    string // the Go module's root directory (the firmware's source)
	Version   string // the firmware's version, also slot a's in the boot state
	BuildTime string // RFC 3339, the firmware's clock floor ("" = none)
	// Firmware is a prebuilt firmware binary for slot a ("" builds ./firmware).
	Firmware string
	// NoCgo builds the firmware without malgo (no audio, no libraries).
	NoCgo bool
	// DataSize is the flash disk's size in bytes (default 64 MiB).
	DataSize int64
	// Data, if set, is a directory copied onto the factory flash (settings,
	// certificates) beside the firmware slots.
	Data string
	Log  *slog.Logger
}

// Image is a built image's files.
type Image struct {
	Arch     Arch
	Kernel   string // vmlinuz
	Initrd   string // the root: initramfs, gzip'd newc cpio
	Data     string // the flash disk: raw ext4
	Firmware string // the firmware binary in slot a
	Version  string
}

// Files are the build's outputs inside an output directory.
const (
	KernelFile   = "vmlinuz"
	InitrdFile   = "initrd.cpio.gz"
	DataFile     = "flash.img"
	FirmwareFile = "firmware"
	InitFile     = "init"
)

// ImageIn is the image previously built into dir.
func ImageIn(dir string, a Arch, version string) *Image {
	return &Image{Arch: a, Kernel: filepath.Join(dir, KernelFile), Initrd: filepath.Join(dir, InitrdFile),
		Data: filepath.Join(dir, DataFile), Firmware: filepath.Join(dir, FirmwareFile), Version: version}
}

// Build builds the image: fetches the kernel and libraries, builds the init
// and the firmware, writes the initramfs and the flash disk.
func Build(ctx context.Context, c Config) (*Image, error) {
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	if c.DataSize == 0 {
		c.DataSize = 64 << 20
	}
	if c.Version == "" {
		c.Version = "0.0.0"
	}
	start := time.Now()
	a := c.Arch
	for _, d := range []string{c.Out, c.Cache} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("build image %s: %w", a.Name, err)
		}
	}
	img := ImageIn(c.Out, a, c.Version)
	deb := debian{cache: c.Cache, arch: a}

	// Kernel and modules.
	kpkg, err := deb.kernelPackage(ctx)
	if err != nil {
		return nil, err
	}
	kdeb, err := deb.fetch(ctx, kpkg+":"+a.DebArch)
	if err != nil {
		return nil, err
	}
	kver := strings.TrimPrefix(kpkg, "linux-image-")
	ktree := filepath.Join(c.Cache, "x", kpkg)
	if _, err := os.Stat(filepath.Join(ktree, "lib/modules", kver, "modules.dep")); err != nil {
		os.RemoveAll(ktree)
		if err := unpack(ctx, kdeb, ktree); err != nil {
			return nil, err
		}
		if _, err := output(ctx, "", "depmod", "-b", ktree, kver); err != nil {
			return nil, fmt.Errorf("module index of %s: %w", kver, err)
		}
	}
	log.Info("kernel", "arch", a.Name, "package", kpkg)

	// The init (static) and the firmware (cgo: dynamic, for malgo).
	if err := goBuild(ctx, c.Module, a.goEnv(false), filepath.Join(c.Out, InitFile), "-s -w", "./rootfs/init"); err != nil {
		return nil, err
	}
	if c.Firmware != "" {
		if err := copyFile(c.Firmware, img.Firmware, 0o755); err != nil {
			return nil, err
		}
	} else {
		if err := buildFirmware(ctx, c.Module, a, c.Version, c.BuildTime, c.NoCgo, img.Firmware); err != nil {
			return nil, err
		}
	}

	// The root.
	root := filepath.Join(c.Out, "root")
	os.RemoveAll(root)
	if err := stageRoot(ctx, c, deb, ktree, kver, root, img.Firmware); err != nil {
		return nil, err
	}
	if err := writeInitrd(root, img.Initrd); err != nil {
		return nil, err
	}
	if err := copyFile(filepath.Join(ktree, "boot", "vmlinuz-"+kver), img.Kernel, 0o644); err != nil {
		return nil, err
	}

	// The flash.
	if err := MakeFlash(ctx, FlashConfig{Out: img.Data, Size: c.DataSize, Firmware: img.Firmware,
		Version: c.Version, Extra: c.Data, Work: filepath.Join(c.Out, "flash")}); err != nil {
		return nil, err
	}
	log.Info("image built", "arch", a.Name, "dir", c.Out, "took", time.Since(start).Round(time.Millisecond))
	return img, nil
}

// stageRoot lays out the initramfs tree.
func stageRoot(ctx context.Context, c Config, deb debian, ktree, kver, root, firmware string) error {
	for _, d := range []string{"dev", "proc", "sys", "tmp", "run", "data", "etc", "lib/modules/" + kver} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return fmt.Errorf("stage root: %w", err)
		}
	}
	if err := copyFile(filepath.Join(c.Out, InitFile), filepath.Join(root, "init"), 0o755); err != nil {
		return err
	}

	// Modules, and the order the init loads them in.
	mdir := filepath.Join(ktree, "lib/modules", kver)
	dep, err := os.ReadFile(filepath.Join(mdir, "modules.dep"))
	if err != nil {
		return fmt.Errorf("stage modules: %w", err)
	}
	builtin, err := os.ReadFile(filepath.Join(mdir, "modules.builtin"))
	if err != nil {
		return fmt.Errorf("stage modules: %w", err)
	}
	ix, err := ParseModuleIndex(dep, builtin)
	if err != nil {
		return fmt.Errorf("stage modules of %s: %w", kver, err)
	}
	order, err := ix.LoadOrder(Modules)
	if err != nil {
		return fmt.Errorf("stage modules of %s: %w", kver, err)
	}
	var list strings.Builder
	for _, rel := range order {
		dst := filepath.Join("/lib/modules", kver, rel)
		if err := copyFile(filepath.Join(mdir, rel), filepath.Join(root, dst), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(&list, dst)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/modules"), []byte(list.String()), 0o644); err != nil {
		return fmt.Errorf("stage modules: %w", err)
	}

	// What the firmware links and dlopens (malgo: libasound.so.2 and ALSA's
	// configuration), from the target's own Debian packages.
	sysroot := filepath.Join(c.Cache, "x", "sysroot-"+c.Arch.DebArch)
	if _, err := os.Stat(filepath.Join(sysroot, "usr/share/alsa/alsa.conf")); err != nil {
		for _, p := range []string{"libc6:" + c.Arch.DebArch, "libasound2:" + c.Arch.DebArch, "libasound2-data"} {
			f, err := deb.fetch(ctx, p)
			if err != nil {
				return err
			}
			if err := unpack(ctx, f, sysroot); err != nil {
				return err
			}
		}
	}
	libs, err := sharedLibs(sysroot, c.Arch.Triplet, firmware, []string{"libasound.so.2"})
	if err != nil {
		return fmt.Errorf("stage libraries: %w", err)
	}
	if len(libs) > 0 {
		libs = append(libs, "usr/share/alsa")
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	for _, rel := range libs {
		// cp -a --parents keeps the symlinks and the relative layout.
		if _, err := output(ctx, sysroot, "cp", "-a", "--parents", rel, absRoot); err != nil {
			return fmt.Errorf("stage libraries: %w", err)
		}
	}
	return nil
}

// goBuild builds pkg in the module at dir for the target environment env.
func goBuild(ctx context.Context, dir string, env []string, out, ldflags, pkg string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if _, err := outputEnv(ctx, dir, env, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", abs, pkg); err != nil {
		return fmt.Errorf("build %s (%s): %w", pkg, strings.Join(env, " "), err)
	}
	return nil
}

func writeInitrd(root, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("write initramfs: %w", err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	err = writeCPIO(zw, root)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write initramfs %s: %w", out, err)
	}
	return nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, mode)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

// BuildFirmware builds the firmware of the Go module at module for the
// target, as the image carries it (cgo with the cross compiler unless
// noCgo): an image for provisioning's firmware update.
func BuildFirmware(ctx context.Context, module string, a Arch, version string, noCgo bool, out string) error {
	return buildFirmware(ctx, module, a, version, "", noCgo, out)
}

func buildFirmware(ctx context.Context, module string, a Arch, version, buildTime string, noCgo bool, out string) error {
	ld := "-s -w -X main.version=" + version
	if buildTime != "" {
		ld += " -X main.buildTime=" + buildTime
	}
	return goBuild(ctx, module, a.goEnv(!noCgo), out, ld, "./firmware")
}
