package ui

import (
	"bytes"
	"testing"
	"time"

	"deskphone/hal"
	"deskphone/status"
)

// TestIdleHidesDisabledLines: a disabled line has no row on the idle
// screen; a failed one does.
func TestIdleHidesDisabledLines(t *testing.T) {
	info := hal.DisplayInfo{Width: 320, Height: 240}
	now := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	l1 := status.Line{Index: 1, Label: "1001", State: status.LineRegistered}
	off := status.Line{Index: 2, Label: "1002", State: status.LineDisabled}
	bad := status.Line{Index: 2, Label: "1002", State: status.LineFailed, Reason: "registrar: empty"}
	render := func(ls ...status.Line) []byte {
		return Render(info, idleScreen{}, State{Phone: status.Phone{Lines: ls}, PhoneName: "Desk", Now: now}).Pix
	}
	if !bytes.Equal(render(l1, off), render(l1)) {
		t.Error("a disabled line was drawn")
	}
	if bytes.Equal(render(l1, bad), render(l1)) {
		t.Error("a failed line was not drawn")
	}
}
