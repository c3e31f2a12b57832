package rootfs

import (
	"fmt"
	"net"
	"strings"
)

// The phone's QEMU machine: the panel, keypad, handset and LAN port the
// qemu-virt board expects (board/qemuvirt.go).
const (
	PanelWidth  = 320
	PanelHeight = 240
)

// MachineConfig is how one boot of an image is run.
type MachineConfig struct {
	Image *Image
	// Tap is a tap interface for the LAN port ("" = QEMU's user-mode network).
	Tap string
	// MAC of the LAN port (nil = QEMU's default).
	MAC net.HardwareAddr
	// QMP is the path of the QMP control socket ("" = none).
	QMP string
	// Audio is a WAV file the handset plays into ("" = no host audio).
	Audio string
	// Display is QEMU's -display for the panel ("gtk", "sdl", "vnc=:1");
	// "" runs headless (QMP screendump still sees the panel).
	Display string
	// MemoryMiB defaults to 256.
	MemoryMiB int
	// Append is added to the kernel command line (e.g. deskphone.addr=...).
	Append []string
}

// Args is the QEMU command line (the program is Image.Arch.QEMU).
func (m MachineConfig) Args() []string {
	a := m.Image.Arch
	mem := m.MemoryMiB
	if mem == 0 {
		mem = 256
	}
	cmdline := append([]string{"console=ttyAMA0", "quiet", "loglevel=3", "panic=-1",
		"vt.global_cursor_default=0"}, m.Append...)
	args := []string{
		"-M", a.Machine, "-cpu", a.CPU, "-smp", "1", "-m", fmt.Sprint(mem), "-accel", "tcg",
		"-no-reboot", "-nodefaults", "-no-user-config",
		"-kernel", m.Image.Kernel, "-initrd", m.Image.Initrd,
		"-append", strings.Join(cmdline, " "),
		"-serial", "stdio", "-monitor", "none",
		// The flash.
		"-drive", "if=none,id=flash,format=raw,file=" + m.Image.Data,
		"-device", "virtio-blk-pci,drive=flash",
		// The LCD and the keypad.
		"-device", fmt.Sprintf("virtio-gpu-pci,xres=%d,yres=%d", PanelWidth, PanelHeight),
		"-device", "virtio-keyboard-pci",
		// The handset: a USB sound card.
		"-device", "qemu-xhci",
	}
	if m.Audio != "" {
		args = append(args, "-audiodev", "wav,id=handset,path="+m.Audio)
	} else {
		args = append(args, "-audiodev", "none,id=handset")
	}
	args = append(args, "-device", "usb-audio,audiodev=handset")
	nic := "virtio-net-pci,netdev=lan,romfile=" // no PXE ROM: the kernel boots directly
	if m.MAC != nil {
		nic += ",mac=" + m.MAC.String()
	}
	if m.Tap != "" {
		args = append(args, "-netdev", "tap,id=lan,ifname="+m.Tap+",script=no,downscript=no")
	} else {
		args = append(args, "-netdev", "user,id=lan")
	}
	args = append(args, "-device", nic)
	if m.QMP != "" {
		args = append(args, "-qmp", "unix:"+m.QMP+",server=on,wait=off")
	}
	display := m.Display
	if display == "" {
		display = "none"
	}
	args = append(args, "-display", display)
	return args
}
