package rootfs

import (
	"net"
	"strings"
	"testing"
)

func TestMachineArgs(t *testing.T) {
	img := &Image{Arch: Arches["armv7"], Kernel: "k", Initrd: "i", Data: "d"}
	mac := net.HardwareAddr{2, 0, 0, 0, 1, 1}
	args := strings.Join(MachineConfig{Image: img, Tap: "tap0", MAC: mac, QMP: "/q.sock"}.Args(), " ")
	for _, want := range []string{
		"-M virt,highmem=off -cpu cortex-a15",
		"-kernel k -initrd i",
		"file=d",
		"virtio-gpu-pci,xres=320,yres=240",
		"virtio-keyboard-pci",
		"usb-audio,audiodev=handset",
		"-netdev tap,id=lan,ifname=tap0,script=no,downscript=no",
		"mac=02:00:00:00:01:01",
		"-qmp unix:/q.sock,server=on,wait=off",
		"-display none",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("args lack %q:\n%s", want, args)
		}
	}
	user := strings.Join(MachineConfig{Image: img}.Args(), " ")
	if !strings.Contains(user, "-netdev user,id=lan") || strings.Contains(user, "-qmp") {
		t.Errorf("user-mode args:\n%s", user)
	}
}
