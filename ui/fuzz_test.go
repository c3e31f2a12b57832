package ui

import (
	"testing"

	"deskphone/hal"
	"deskphone/status"
)

// FuzzRender draws every screen from status text that arrives from the
// network and from files (labels, reasons, the inoperable cause, a call's
// peer and state): no
// panic, only black and white, at both panel sizes.
func FuzzRender(f *testing.F) {
	f.Add("1001", "403 Forbidden", "802.1X authentication failed: wrong credentials", "Reception")
	f.Add("", "", "", "")
	f.Add("a very long line label that cannot fit anywhere at all", "\xff\xfe", "x\ny\n\nz", "Réception")
	f.Fuzz(func(t *testing.T, label, reason, inoperable, name string) {
		p := phone()
		p.Lines[0].Label, p.Lines[1].Reason, p.Lines[1].State = label, reason, status.LineFailed
		p.Dot1X.Reason, p.Inoperable = reason, inoperable
		st := State{Phone: p, PhoneName: name, Now: fixedNow}
		inCall := st
		inCall.Phone.Inoperable = ""
		inCall.Phone.Call = &status.Call{Line: 2, State: reason, Peer: label, Encrypted: len(label)%2 == 0}
		for _, size := range sizes {
			info := hal.DisplayInfo{Width: size.X, Height: size.Y}
			for _, s := range []Screen{idleScreen{}, statusPage(), mainMenu(), &dialScreen{number: label}, NotYet(label, reason),
				&dot1xProgress{}, dot1xForm(), securityForm(), NewTextEntry(label, reason, name, 0, nil)} {
				checkMono(t, Render(info, s, st))
			}
			checkMono(t, Render(info, idleScreen{}, inCall))
		}
	})
}
