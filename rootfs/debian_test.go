package rootfs

import "testing"

func TestParseKernelDepends(t *testing.T) {
	out := []byte("linux-image-arm64:arm64\n  Depends: linux-image-6.1.0-50-arm64:arm64\n")
	if got, err := parseKernelDepends(out, "arm64"); err != nil || got != "linux-image-6.1.0-50-arm64" {
		t.Fatalf("parseKernelDepends = %q, %v", got, err)
	}
	out = []byte("linux-image-armmp:armhf\n  Depends: linux-image-6.1.0-50-armmp\n  Recommends: firmware\n")
	if got, err := parseKernelDepends(out, "armmp"); err != nil || got != "linux-image-6.1.0-50-armmp" {
		t.Fatalf("parseKernelDepends = %q, %v", got, err)
	}
	if _, err := parseKernelDepends([]byte("N: Unable to locate package\n"), "arm64"); err == nil {
		t.Fatal("no dependency: want an error")
	}
}
