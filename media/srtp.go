package media

import (
	"fmt"

	"github.com/pion/srtp/v3"
)

// ReplayWindow is the SRTP/SRTCP replay window (RFC 3711 asks for >= 64).
const ReplayWindow = 64

// newSRTPContext makes a pion/srtp context from an SDES key with replay
// protection on: pion leaves it off by default.
func newSRTPContext(c Crypto) (*srtp.Context, error) {
	p, err := c.Suite.Profile()
	if err != nil {
		return nil, fmt.Errorf("srtp context: %w", err)
	}
	opts := []srtp.ContextOption{srtp.SRTPReplayProtection(ReplayWindow), srtp.SRTCPReplayProtection(ReplayWindow)}
	if c.MKILen > 0 {
		opts = append(opts, srtp.MasterKeyIndicator(c.MKIBytes()))
	}
	ctx, err := srtp.CreateContext(c.Key, c.Salt, p, opts...)
	if err != nil {
		return nil, fmt.Errorf("srtp context %s: %w", c.Suite, err)
	}
	return ctx, nil
}
