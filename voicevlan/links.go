package voicevlan

import "fmt"

// Links makes and removes VLAN interfaces (rtnetlink on Linux).
type Links interface {
	// AddVLAN creates name as VLAN vid on parent, every frame sent on it
	// with 802.1p priority (0-7), and brings it up; an interface of that
	// name left by an earlier run is replaced.
	AddVLAN(parent, name string, vid, priority int) error
	// Remove deletes the interface; one already gone is not an error.
	Remove(name string) error
}

// VLANName is the VLAN interface's name: parent.VID, the parent shortened
// to fit Linux's 15-character limit.
func VLANName(parent string, vid int) string {
	suffix := fmt.Sprintf(".%d", vid)
	if max := 15 - len(suffix); len(parent) > max {
		parent = parent[:max]
	}
	return parent + suffix
}
