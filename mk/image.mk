# The bootable image (rootfs/): the firmware as the phone in QEMU's virt
# machine, arm64 and armv7.
#
#   make image-deps   install what building and booting the image needs (root)
#   make image        build build/image/{arm64,armv7}: vmlinuz, initrd.cpio.gz
#                     (the read-only root), flash.img (the flash), firmware
#   make qemu         boot it: ARCH=arm64|armv7, TAP=tap0 for a tap instead of
#                     user-mode networking, LCD=vnc=:1 (or gtk, sdl) to see the
#                     panel and type on the keypad (key map: rootfs/keys.go)
#   make test-qemu    the boot tests alone (root; `make test` runs them too)

IMAGE_DIR   ?= build/image
IMAGE_CACHE ?= build/debs
IMAGE_ARCHS ?= arm64,armv7
ARCH        ?= arm64

# Host packages: QEMU, Debian's cross compilers for the cgo (malgo)
# firmware, mke2fs, depmod, dpkg-deb, and the foreign architectures whose
# kernels and libraries the image takes.
IMAGE_PACKAGES := qemu-system-arm gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf \
	libc6-dev-arm64-cross libc6-dev-armhf-cross e2fsprogs kmod dpkg-dev iproute2
IMAGE_FOREIGN_ARCHS := arm64 armhf

.PHONY: image-deps image qemu test-qemu

deps: image-deps

# Idempotent: adds an architecture or installs a package only when missing.
# apt-get update may report a mirror mid-sync for one index; the install
# then says whether what it needs is there.
image-deps:
	@added=; for a in $(IMAGE_FOREIGN_ARCHS); do \
		dpkg --print-foreign-architectures | grep -qx $$a || { \
			[ "$$(id -u)" = 0 ] || { echo "image-deps: run as root: dpkg --add-architecture $$a" >&2; exit 1; }; \
			dpkg --add-architecture $$a && added=1; }; done; \
	missing=$$(for p in $(IMAGE_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Status}\n' $$p 2>/dev/null | grep -qx installed || echo $$p; done); \
	probe=$$(apt-cache policy linux-image-arm64:arm64 linux-image-armmp:armhf 2>/dev/null | grep -c 'Candidate: [0-9]'); \
	if [ -z "$$missing" ] && [ -z "$$added" ] && [ "$$probe" = 2 ]; then \
		echo "image-deps: all present"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then echo "image-deps: missing $$missing; run as root" >&2; exit 1; fi; \
	apt-get update -qq || echo "image-deps: apt-get update reported errors; trying the install anyway" >&2; \
	if [ -n "$$missing" ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing || exit 1; fi; \
	echo "image-deps: done"

image:
	$(GO) run ./rootfs/cmd/mkimage build -arch $(IMAGE_ARCHS) -out $(IMAGE_DIR) -cache $(IMAGE_CACHE) \
		-version $(VERSION) -buildtime $(BUILDTIME)

qemu:
	$(GO) run ./rootfs/cmd/mkimage qemu -arch $(ARCH) -out $(IMAGE_DIR) \
		$(if $(TAP),-tap $(TAP)) $(if $(LCD),-display $(LCD))

test-qemu: image-deps lab-deps
	$(GO) test -count=1 -p 1 -timeout 30m -v -run 'QEMU' ./rootfs/
