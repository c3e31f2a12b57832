package board

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"

	"deskphone/hal"
)

// Here there is no /dev/fb0: opening the QEMU board must say so, not panic.
func TestOpenQEMUVirtWithoutDevices(t *testing.T) {
	if _, err := os.Stat(qemuFramebuffer); err == nil {
		t.Skip("this machine has a framebuffer; the QEMU boot test covers the board")
	}
	_, err := Open("qemu-virt", Options{})
	if err == nil || !strings.Contains(err.Error(), "open board qemu-virt: display: open framebuffer") {
		t.Fatalf("Open(qemu-virt) = %v", err)
	}
}

func TestEthernetInterfaces(t *testing.T) {
	names, err := ethernetInterfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n == "lo" {
			t.Fatalf("loopback listed: %v", names)
		}
	}
}

func TestLogLEDs(t *testing.T) {
	var buf bytes.Buffer
	l := newLogLEDs(slog.New(slog.NewTextHandler(&buf, nil)))
	l.SetLED(hal.LEDMessage, hal.LEDBlink)
	l.SetLED(hal.LEDMessage, hal.LEDBlink) // no change: not logged again
	l.SetLED(hal.LEDMute, hal.LEDOff)      // already off: not logged
	if got := strings.Count(buf.String(), "led=message state=blink"); got != 1 || strings.Contains(buf.String(), "mute") {
		t.Fatalf("log:\n%s", buf.String())
	}
}

func TestNoAudio(t *testing.T) {
	_, err := noAudio{why: "none here"}.Open(hal.Handset, hal.AudioFormat{SampleRate: 8000})
	if err == nil || err.Error() != "open audio handset: none here" {
		t.Fatalf("Open = %v", err)
	}
}
