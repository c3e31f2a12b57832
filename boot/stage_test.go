package boot

import (
	"testing"

	"deskphone/status"
)

// TestPortOpen: the LAN port forwards while 802.1X is off or authenticated,
// and stays open through a re-authentication of an authorized port.
func TestPortOpen(t *testing.T) {
	authed := false
	for i, c := range []struct {
		state      string
		open, auth bool
	}{
		{status.Dot1XDisabled, true, false},
		{status.Dot1XConnecting, false, false},
		{status.Dot1XAuthenticating, false, false},
		{status.Dot1XAuthenticated, true, true},
		{status.Dot1XAuthenticating, true, true}, // re-authentication
		{status.Dot1XConnecting, true, true},
		{status.Dot1XHeld, false, false},
		{status.Dot1XAuthenticating, false, false},
		{status.Dot1XAuthenticated, true, true},
		{status.Dot1XFailed, false, false},
	} {
		var open bool
		open, authed = portOpen(c.state, authed)
		if open != c.open || authed != c.auth {
			t.Errorf("step %d %s: open %v authed %v, want %v %v", i, c.state, open, authed, c.open, c.auth)
		}
	}
}
