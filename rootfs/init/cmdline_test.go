package main

import "testing"

func TestParseCmdline(t *testing.T) {
	got := parseCmdline("console=ttyAMA0 quiet deskphone.board=rpi-st7567 deskphone.flash=/dev/mmcblk0p3 deskphone.flash= x\n")
	if got != (cmdline{board: "rpi-st7567", flash: "/dev/mmcblk0p3"}) {
		t.Fatalf("parseCmdline = %+v", got)
	}
	if got := parseCmdline(""); got != (cmdline{board: "qemu-virt", flash: "/dev/vda"}) {
		t.Fatalf("defaults = %+v", got)
	}
}

func FuzzParseCmdline(f *testing.F) {
	f.Add("console=ttyAMA0 quiet deskphone.board=qemu-virt")
	f.Add("deskphone.flash=/dev/vdb deskphone.board= ==")
	f.Fuzz(func(t *testing.T, s string) {
		c := parseCmdline(s)
		if c.board == "" || c.flash == "" {
			t.Fatalf("parseCmdline(%q) left a default empty: %+v", s, c)
		}
	})
}
