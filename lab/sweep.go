package lab

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Sweep removes what labs of dead processes left behind (a test binary
// killed by a timeout or SIGKILL): their processes, namespaces and temp
// dirs. Labs of live processes are never touched.
func Sweep(ctx context.Context) error {
	return sweep(ctx, func(owner int) bool { return !processExists(owner) })
}

// SweepAll removes every lab, live or not (make lab-down --all).
func SweepAll(ctx context.Context) error {
	return sweep(ctx, func(int) bool { return true })
}

// Leftovers lists the ids of labs that have namespaces or temp dirs.
func Leftovers() []string {
	ids := map[string]bool{}
	ents, _ := os.ReadDir(netnsDir)
	for _, e := range ents {
		if id, _, ok := strings.Cut(e.Name(), "-"); ok && idPattern.MatchString(id) {
			ids[id] = true
		}
	}
	dirs, _ := os.ReadDir(os.TempDir())
	for _, e := range dirs {
		if idPattern.MatchString(e.Name()) {
			ids[e.Name()] = true
		}
	}
	var out []string
	for id := range ids {
		out = append(out, id)
	}
	return out
}

func sweep(ctx context.Context, remove func(owner int) bool) error {
	var errs []error
	for _, id := range Leftovers() {
		owner, ok := ownerPid(id)
		if !ok || !remove(owner) {
			continue
		}
		for _, role := range []string{rolePhone, rolePC, roleSwitch, roleServices} {
			errs = append(errs, killNetns(ctx, nsName(id, role)))
		}
		dir := filepath.Join(os.TempDir(), id)
		errs = append(errs, killByDir(dir), os.RemoveAll(dir))
	}
	return errors.Join(errs...)
}

// processExists reports whether pid is a live process.
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
