package rootfs

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// readNewc is the kernel's reading of a newc archive, for the test: each
// member's name, mode and content, up to TRAILER!!!.
func readNewc(t *testing.T, b []byte) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	off := 0
	align := func(n int) int { return (n + 3) &^ 3 }
	for {
		if off+110 > len(b) || string(b[off:off+6]) != "070701" {
			t.Fatalf("bad header at %d", off)
		}
		field := func(i int) int {
			v, err := strconv.ParseUint(string(b[off+6+8*i:off+14+8*i]), 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			return int(v)
		}
		mode, size, nameLen := field(1), field(6), field(11)
		name := string(b[off+110 : off+110+nameLen-1])
		data := align(off + 110 + nameLen)
		if name == "TRAILER!!!" {
			return out
		}
		out[name] = [2]string{strconv.FormatInt(int64(mode), 8), string(b[data : data+size])}
		off = align(data + size)
	}
}

func TestWriteCPIO(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "lib/aarch64-linux-gnu"), 0o755)
	os.WriteFile(filepath.Join(root, "init"), []byte("#!init"), 0o755)
	os.WriteFile(filepath.Join(root, "lib/aarch64-linux-gnu/libc.so.6"), []byte("libc"), 0o644)
	os.Symlink("aarch64-linux-gnu/libc.so.6", filepath.Join(root, "lib/libc.so.6"))
	var b bytes.Buffer
	if err := writeCPIO(&b, root); err != nil {
		t.Fatal(err)
	}
	if b.Len()%4 != 0 {
		t.Errorf("archive of %d bytes is not 4-byte aligned", b.Len())
	}
	got := readNewc(t, b.Bytes())
	want := map[string][2]string{
		"init":                            {"100755", "#!init"},
		"lib":                             {"40755", ""},
		"lib/aarch64-linux-gnu":           {"40755", ""},
		"lib/aarch64-linux-gnu/libc.so.6": {"100644", "libc"},
		"lib/libc.so.6":                   {"120777", "aarch64-linux-gnu/libc.so.6"},
	}
	if len(got) != len(want) {
		t.Fatalf("members %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
