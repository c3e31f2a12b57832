package main

import "strings"

// cmdline is what init reads from the kernel command line:
//
//	deskphone.board=NAME   the firmware's board profile (default qemu-virt)
//	deskphone.flash=DEV    the flash disk (default /dev/vda)
type cmdline struct {
	board string
	flash string
}

func parseCmdline(s string) cmdline {
	c := cmdline{board: "qemu-virt", flash: "/dev/vda"}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || v == "" {
			continue
		}
		switch k {
		case "deskphone.board":
			c.board = v
		case "deskphone.flash":
			c.flash = v
		}
	}
	return c
}
