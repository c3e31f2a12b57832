package lab

import (
	"context"
	"fmt"
)

// VoicePriority is the 802.1p priority lldpd's "priority voice" advertises.
const VoicePriority = 5

// AdvertiseVoiceVLAN runs lldpd advertising vid as the voice VLAN
// (StartVoiceVLAN) and captures the frames tagged vid with the voice
// priority that arrive at the services: what a phone sends on the VLAN it
// chose. The caller closes the capture.
func (l *Lab) AdvertiseVoiceVLAN(ctx context.Context, vid int) (*VLANCapture, error) {
	if _, err := l.StartVoiceVLAN(ctx, vid); err != nil {
		return nil, err
	}
	capture, err := l.CaptureVLAN(vid, VoicePriority)
	if err != nil {
		return nil, fmt.Errorf("capture voice VLAN %d: %w", vid, err)
	}
	return capture, nil
}
