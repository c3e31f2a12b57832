// Package rootfs builds the phone's bootable images for QEMU's virt machine
// (linux/arm64 and linux/arm GOARM=7): a Debian kernel, an initramfs that is
// the read-only root (the Go init of rootfs/init, the kernel modules, the
// target's glibc and libasound for the cgo firmware), and a writable ext4
// data disk, the phone's flash, holding the A and B firmware slots in
// provision.Slots' format. It also starts QEMU on an image and drives it
// over QMP, for `make qemu` and the boot tests.
package rootfs
