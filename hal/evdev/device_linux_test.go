package evdev

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHasDigitKeys(t *testing.T) {
	bits := make([]byte, keyBitsLen)
	for c := key1; c <= key0; c++ {
		bits[c/8] |= 1 << (c % 8)
	}
	if !HasDigitKeys(bits) {
		t.Fatal("a keyboard's bitmap was refused")
	}
	bits[key0/8] &^= 1 << (key0 % 8)
	if HasDigitKeys(bits) {
		t.Fatal("a bitmap without KEY_0 was accepted")
	}
	if HasDigitKeys(nil) {
		t.Fatal("an empty bitmap was accepted")
	}
}

func TestFindNoDevice(t *testing.T) {
	dir := t.TempDir()
	if _, err := Find(dir); err == nil || !strings.Contains(err.Error(), "no input devices") {
		t.Fatalf("empty dir: %v", err)
	}
	// A plain file named like a device is no keypad.
	os.WriteFile(filepath.Join(dir, "event0"), nil, 0o600)
	if _, err := Find(dir); err == nil || !strings.Contains(err.Error(), "event0") {
		t.Fatalf("plain file: %v", err)
	}
}

// TestFindDevice runs where the machine has a keyboard (the QEMU image).
func TestFindDevice(t *testing.T) {
	k, err := Find("/dev/input")
	if err != nil {
		t.Skipf("no keypad here (%v); the QEMU boot test covers the device", err)
	}
	k.Close()
}
