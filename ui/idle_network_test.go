package ui

import (
	"testing"

	"deskphone/status"
	"deskphone/ui/internal/golden"
)

// TestGoldenIdleNetwork draws the idle screen at each boot stage that has
// something to say: waiting for DHCP, registering with the registrar's
// failure, and in service on the last good configuration.
func TestGoldenIdleNetwork(t *testing.T) {
	noDHCP := phone()
	noDHCP.Network = status.Network{LinkUp: true, Stage: "address", Error: "no DHCP answer (attempt 3, still trying)"}
	noDHCP.Lines = []status.Line{{Index: 1, Label: "1001", State: status.LineUnregistered}}
	registering := phone()
	registering.Network.Stage = "registering"
	registering.Network.Error = "1001: no answer"
	registering.Lines = []status.Line{{Index: 1, Label: "1001", State: status.LineFailed, Reason: "no answer"}}
	lastGood := phone()
	lastGood.Network.Error = "provisioning failed (connection refused); running on the last good configuration"
	noLink := phone()
	noLink.Network = status.Network{Stage: "link", Error: "no link on the LAN port"}
	noLink.Lines = []status.Line{{Index: 1, Label: "1001", State: status.LineUnregistered}}
	for _, tc := range []struct {
		name  string
		phone status.Phone
	}{
		{"idle_net_no_dhcp", noDHCP},
		{"idle_net_registering", registering},
		{"idle_net_last_good", lastGood},
		{"idle_net_no_link", noLink},
	} {
		for _, size := range sizes {
			name := tc.name + "_" + sizeName(size)
			t.Run(name, func(t *testing.T) {
				u, _ := newUI(size.X, size.Y, tc.phone)
				img := u.Frame()
				checkMono(t, img)
				golden.Check(t, name, img)
			})
		}
	}
}
