package fbdev

import (
	"os"
	"strings"
	"testing"
	"unsafe"
)

// The kernel's struct sizes: a wrong layout would make the ioctls write
// past the Go structs.
func TestScreeninfoLayout(t *testing.T) {
	if n := unsafe.Sizeof(fbVarScreeninfo{}); n != 160 {
		t.Errorf("fb_var_screeninfo is %d bytes, want 160", n)
	}
	want := uintptr(68)
	if unsafe.Sizeof(uintptr(0)) == 8 {
		want = 80
	}
	if n := unsafe.Sizeof(fbFixScreeninfo{}); n != want {
		t.Errorf("fb_fix_screeninfo is %d bytes, want %d", n, want)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open("/nonexistent/fb0")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/fb0") {
		t.Fatalf("Open of a missing device: %v", err)
	}
	// A file that is no framebuffer fails at the ioctl, naming it.
	f, err := os.CreateTemp(t.TempDir(), "fb")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Open(f.Name())
	if err == nil || !strings.Contains(err.Error(), "FBIOGET_VSCREENINFO") {
		t.Fatalf("Open of a plain file: %v", err)
	}
}

// TestOpenDevice draws on a real framebuffer when the machine has one.
func TestOpenDevice(t *testing.T) {
	if _, err := os.Stat("/dev/fb0"); err != nil {
		t.Skip("no /dev/fb0 here; the conversion is tested on memory, the device in the QEMU image")
	}
	d, err := Open("/dev/fb0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Show(testFrame()); err != nil {
		t.Fatal(err)
	}
}
