package rootfs

import (
	"fmt"
	"sort"
)

// Arch is one target of the image: how Go builds for it, which Debian
// packages it takes, and how QEMU runs it.
type Arch struct {
	Name    string // "arm64" or "armv7"
	GOARCH  string
	GOARM   string
	DebArch string // Debian's architecture name
	Flavour string // the Debian kernel flavour for QEMU's virt machine
	Triplet string // the multiarch directory of its libraries
	CC      string // Debian's cross compiler, for the cgo (malgo) firmware
	QEMU    string // the QEMU system emulator
	Machine string
	CPU     string
}

// Arches are the image's targets. The 32-bit kernel sees no PCI devices
// unless the virt machine keeps its memory below 4 GiB (highmem=off).
var Arches = map[string]Arch{
	"arm64": {Name: "arm64", GOARCH: "arm64", DebArch: "arm64", Flavour: "arm64", Triplet: "aarch64-linux-gnu",
		CC: "aarch64-linux-gnu-gcc", QEMU: "qemu-system-aarch64", Machine: "virt", CPU: "cortex-a53"},
	"armv7": {Name: "armv7", GOARCH: "arm", GOARM: "7", DebArch: "armhf", Flavour: "armmp", Triplet: "arm-linux-gnueabihf",
		CC: "arm-linux-gnueabihf-gcc", QEMU: "qemu-system-arm", Machine: "virt,highmem=off", CPU: "cortex-a15"},
}

// LookupArch is the named target.
func LookupArch(name string) (Arch, error) {
	a, ok := Arches[name]
	if !ok {
		var names []string
		for n := range Arches {
			names = append(names, n)
		}
		sort.Strings(names)
		return a, fmt.Errorf("unknown architecture %q (known: %v)", name, names)
	}
	return a, nil
}

// goEnv is the environment of a Go build for the target.
func (a Arch) goEnv(cgo bool) []string {
	env := []string{"GOOS=linux", "GOARCH=" + a.GOARCH}
	if a.GOARM != "" {
		env = append(env, "GOARM="+a.GOARM)
	}
	if cgo {
		return append(env, "CGO_ENABLED=1", "CC="+a.CC)
	}
	return append(env, "CGO_ENABLED=0")
}
