package rootfs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// debian fetches the target's Debian packages with apt-get into a cache
// directory of its own (apt's archive directory may be busy with other
// installs on the machine) and unpacks them with dpkg-deb.
type debian struct {
	cache string
	arch  Arch
}

// kernelPackage is the versioned kernel the flavour's meta package depends
// on (linux-image-arm64 -> linux-image-6.1.0-NN-arm64): the ABI is looked
// up, never assumed, since old ABIs leave the archive.
func (d debian) kernelPackage(ctx context.Context) (string, error) {
	meta := "linux-image-" + d.arch.Flavour + ":" + d.arch.DebArch
	out, err := output(ctx, "", "apt-cache", "depends", meta)
	if err != nil {
		return "", fmt.Errorf("look up the kernel ABI (did `make image-deps` add the %s architecture?): %w", d.arch.DebArch, err)
	}
	pkg, err := parseKernelDepends(out, d.arch.Flavour)
	if err != nil {
		return "", fmt.Errorf("apt-cache depends %s: %w", meta, err)
	}
	return pkg, nil
}

// parseKernelDepends finds linux-image-<abi>-<flavour> among the Depends of
// apt-cache depends' output.
func parseKernelDepends(out []byte, flavour string) (string, error) {
	for _, l := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok || strings.TrimLeft(k, "|") != "Depends" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSpace(v), ":")
		if strings.HasPrefix(name, "linux-image-") && strings.HasSuffix(name, "-"+flavour) {
			return name, nil
		}
	}
	return "", fmt.Errorf("no linux-image-*-%s dependency", flavour)
}

// fetch downloads pkg (name, or name:arch) unless the cache has it, and
// returns the .deb's path.
func (d debian) fetch(ctx context.Context, pkg string) (string, error) {
	name, _, _ := strings.Cut(pkg, ":")
	find := func() string {
		m, _ := filepath.Glob(filepath.Join(d.cache, name+"_*.deb"))
		for _, f := range m {
			// name_version_arch.deb: the arch must be the target's (or all).
			if strings.HasSuffix(f, "_"+d.arch.DebArch+".deb") || strings.HasSuffix(f, "_all.deb") {
				return f
			}
		}
		return ""
	}
	if f := find(); f != "" {
		return f, nil
	}
	if err := os.MkdirAll(d.cache, 0o755); err != nil {
		return "", fmt.Errorf("fetch %s: %w", pkg, err)
	}
	if _, err := output(ctx, d.cache, "apt-get", "download", "-q", pkg); err != nil {
		return "", fmt.Errorf("fetch %s: %w", pkg, err)
	}
	if f := find(); f != "" {
		return f, nil
	}
	return "", fmt.Errorf("fetch %s: apt-get download left no %s_*.deb in %s", pkg, name, d.cache)
}

// unpack extracts a .deb into dir.
func unpack(ctx context.Context, deb, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("unpack %s: %w", filepath.Base(deb), err)
	}
	if _, err := output(ctx, "", "dpkg-deb", "-x", deb, dir); err != nil {
		return fmt.Errorf("unpack %s: %w", filepath.Base(deb), err)
	}
	return nil
}

// output runs a command, returning its standard output; a failure carries
// the command's last words.
func output(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	return outputEnv(ctx, dir, nil, name, args...)
}

func outputEnv(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = "..." + msg[len(msg)-2000:]
		}
		return out, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, msg)
	}
	return out, nil
}
