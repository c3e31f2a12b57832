package rootfs

import (
	"slices"
	"strings"
	"testing"
)

// A slice of Debian 6.1's modules.dep for arm64 (depmod's output).
const sampleDep = `kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
kernel/fs/mbcache.ko:
kernel/fs/jbd2/jbd2.ko:
kernel/lib/crc16.ko:
kernel/drivers/gpu/drm/virtio/virtio-gpu.ko: kernel/drivers/virtio/virtio_dma_buf.ko kernel/drivers/gpu/drm/drm_shmem_helper.ko kernel/drivers/gpu/drm/drm_kms_helper.ko kernel/drivers/gpu/drm/drm.ko
kernel/drivers/virtio/virtio_dma_buf.ko:
kernel/drivers/gpu/drm/drm_shmem_helper.ko: kernel/drivers/gpu/drm/drm.ko
kernel/drivers/gpu/drm/drm_kms_helper.ko: kernel/drivers/gpu/drm/drm.ko
kernel/drivers/gpu/drm/drm.ko:
kernel/drivers/input/evdev.ko:
`

func TestLoadOrder(t *testing.T) {
	ix, err := ParseModuleIndex([]byte(sampleDep), []byte("kernel/drivers/virtio/virtio.ko\nkernel/net/packet/af_packet.ko\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ix.LoadOrder([]string{"ext4", "virtio-gpu", "evdev", "virtio", "af_packet", "drm"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"kernel/fs/jbd2/jbd2.ko", "kernel/fs/mbcache.ko", "kernel/lib/crc16.ko", "kernel/fs/ext4/ext4.ko",
		"kernel/drivers/gpu/drm/drm.ko", "kernel/drivers/gpu/drm/drm_kms_helper.ko",
		"kernel/drivers/gpu/drm/drm_shmem_helper.ko", "kernel/drivers/virtio/virtio_dma_buf.ko",
		"kernel/drivers/gpu/drm/virtio/virtio-gpu.ko", "kernel/drivers/input/evdev.ko",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("load order\n got %v\nwant %v", got, want)
	}
	// Every module comes after all it depends on.
	pos := map[string]int{}
	for i, f := range got {
		pos[moduleName(f)] = i
	}
	for name, deps := range ix.deps {
		for _, d := range deps {
			if pi, ok := pos[name]; ok && pos[d] > pi {
				t.Errorf("%s loaded before its dependency %s", name, d)
			}
		}
	}
}

func TestLoadOrderErrors(t *testing.T) {
	ix, err := ParseModuleIndex([]byte("a.ko: b.ko\nb.ko: a.ko\nc.ko: gone.ko\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ want, err string }{
		{"snd_nothing", "module snd_nothing: neither in modules.dep nor built in"},
		{"a", "dependency cycle"},
		{"c", "module gone (needed by c): not in modules.dep"},
	} {
		if _, err := ix.LoadOrder([]string{c.want}); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("LoadOrder(%s) = %v, want %q", c.want, err, c.err)
		}
	}
	for _, bad := range []string{"no colon here\n", "/abs/x.ko:\n", "kernel/../../x.ko:\n", "notamodule: x\n"} {
		if _, err := ParseModuleIndex([]byte(bad), nil); err == nil || !strings.Contains(err.Error(), "modules.dep line 1") {
			t.Errorf("ParseModuleIndex(%q) = %v", bad, err)
		}
	}
}

func FuzzParseModuleIndex(f *testing.F) {
	f.Add([]byte(sampleDep), []byte("kernel/drivers/virtio/virtio.ko\n"), "ext4")
	f.Add([]byte("a.ko: b.ko\nb.ko: a.ko\n"), []byte(""), "a")
	f.Fuzz(func(t *testing.T, dep, builtin []byte, want string) {
		ix, err := ParseModuleIndex(dep, builtin)
		if err != nil {
			return
		}
		order, err := ix.LoadOrder([]string{want})
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, f := range order {
			if seen[f] {
				t.Fatalf("%s loaded twice: %v", f, order)
			}
			seen[f] = true
		}
	})
}
