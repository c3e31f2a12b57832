package rootfs

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// sharedLibs is what a dynamically linked binary needs at run time, found
// in the unpacked Debian tree sysroot: its interpreter (PT_INTERP) and the
// closure of its DT_NEEDED libraries, plus the extra libraries it dlopens.
// Paths are relative to sysroot, symlinks included, so the image keeps
// Debian's layout (/lib/ld-linux-aarch64.so.1 -> aarch64-linux-gnu/...).
func sharedLibs(sysroot, triplet, binary string, dlopened []string) ([]string, error) {
	dirs := []string{"lib/" + triplet, "usr/lib/" + triplet, "lib", "usr/lib"}
	need := map[string]bool{}
	var queue []string
	add := func(rel string) error {
		for rel != "" && !need[rel] {
			need[rel] = true
			fi, err := os.Lstat(filepath.Join(sysroot, rel))
			if err != nil {
				return err
			}
			if fi.Mode()&os.ModeSymlink == 0 {
				queue = append(queue, rel)
				return nil
			}
			t, err := os.Readlink(filepath.Join(sysroot, rel))
			if err != nil {
				return err
			}
			if !filepath.IsAbs(t) {
				t = filepath.Join(filepath.Dir(rel), t)
			}
			rel = filepath.Clean(t)
			if filepath.IsAbs(rel) {
				rel = rel[1:]
			}
		}
		return nil
	}
	find := func(lib string) (string, error) {
		for _, d := range dirs {
			if _, err := os.Lstat(filepath.Join(sysroot, d, lib)); err == nil {
				return filepath.Join(d, lib), nil
			}
		}
		return "", fmt.Errorf("library %s not found in the %s packages", lib, triplet)
	}
	f, err := elf.Open(binary)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", binary, err)
	}
	var interp string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err == nil && len(b) > 1 {
				interp = string(b[:len(b)-1])
			}
		}
	}
	roots, err := f.ImportedLibraries()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", binary, err)
	}
	if interp == "" {
		return nil, nil // static: nothing to carry
	}
	if err := add(interp[1:]); err != nil {
		return nil, fmt.Errorf("interpreter %s: %w", interp, err)
	}
	for _, lib := range append(roots, dlopened...) {
		rel, err := find(lib)
		if err != nil {
			return nil, err
		}
		if err := add(rel); err != nil {
			return nil, err
		}
	}
	for len(queue) > 0 {
		rel := queue[0]
		queue = queue[1:]
		lf, err := elf.Open(filepath.Join(sysroot, rel))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		libs, err := lf.ImportedLibraries()
		lf.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		for _, lib := range libs {
			r, err := find(lib)
			if err != nil {
				return nil, fmt.Errorf("%s needs %w", rel, err)
			}
			if err := add(r); err != nil {
				return nil, err
			}
		}
	}
	out := make([]string, 0, len(need))
	for r := range need {
		out = append(out, r)
	}
	sort.Strings(out)
	return out, nil
}
