package boot

import "deskphone/status"

// Stages, in order, as status.Network.Stage shows them.
const (
	StageLink         = "link"
	Stage8021X        = "802.1x"
	StageAddress      = "address"
	StageTime         = "time"
	StageProvisioning = "provisioning"
	StageRegistering  = "registering"
	StageReady        = "ready"
)

// portOpen says whether the LAN port forwards in 802.1X state st; authed is
// whether it was authenticated before (a re-authentication keeps an
// authorized port open).
func portOpen(st string, authed bool) (open, nowAuthed bool) {
	switch st {
	case status.Dot1XAuthenticated:
		return true, true
	case "", status.Dot1XDisabled:
		return true, false
	case status.Dot1XConnecting, status.Dot1XAuthenticating:
		return authed, authed
	}
	return false, false // failed, held
}

// linesState sums the lines up: whether one is registered, and the reason
// of the first enabled line that failed.
func linesState(lines []status.Line) (registered, enabled bool, problem string) {
	for _, l := range lines {
		if l.State == status.LineDisabled {
			continue
		}
		enabled = true
		switch l.State {
		case status.LineRegistered:
			registered = true
		case status.LineFailed:
			if problem == "" && l.Reason != "" {
				problem = l.Label + ": " + l.Reason
				if l.Label == "" {
					problem = "line: " + l.Reason
				}
			}
		}
	}
	return registered, enabled, problem
}
