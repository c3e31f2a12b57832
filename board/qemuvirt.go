package board

import (
	"fmt"
	"log/slog"

	"deskphone/hal/evdev"
	"deskphone/hal/fbdev"
)

func init() { register("qemu-virt", openQEMUVirt) }

// The QEMU virt machine's devices, as the image's boot runs it:
//
//	-device virtio-gpu-pci,xres=320,yres=240   /dev/fb0, 320x240 XRGB8888
//	-device virtio-keyboard-pci                /dev/input/eventN (key map: package evdev)
//	-netdev ... -device virtio-net-pci         the LAN port: the first Ethernet interface
//	a second virtio-net-pci, if any            the PC port
//
// It has no LEDs (changes are logged). Audio is miniaudio on the default ALSA
// device (-device qemu-xhci -device usb-audio) in cgo builds, none otherwise.
const (
	qemuFramebuffer = "/dev/fb0"
	qemuInputDir    = "/dev/input"
)

func openQEMUVirt(opts Options) (_ *Board, err error) {
	var d devices
	defer func() {
		if err != nil {
			d.close()
		}
	}()

	fb, err := fbdev.Open(qemuFramebuffer)
	if err != nil {
		return nil, fmt.Errorf("display: %w", err)
	}
	d.onClose(fb.Close)

	keys, err := evdev.Find(qemuInputDir)
	if err != nil {
		return nil, fmt.Errorf("keypad: %w", err)
	}
	d.onClose(keys.Close)

	lan, pc, err := d.openPorts(" (is virtio-net-pci on the QEMU command line and its module loaded?)")
	if err != nil {
		return nil, err
	}
	b := &Board{
		Name:    "qemu-virt",
		Display: fb,
		Keypad:  keys,
		Audio:   boardAudio("qemu-virt"),
		LEDs:    newLogLEDs(slog.Default().With("board", "qemu-virt")),
		LAN:     lan,
		Run:     d.run,
	}
	if pc != nil {
		b.PC = pc
	}
	slog.Info("board qemu-virt", "display", qemuFramebuffer, "keypad", keys.Name(), "lan", lan.Interface())
	return b, nil
}
