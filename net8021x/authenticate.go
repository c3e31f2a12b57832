package net8021x

import (
	"context"
	"errors"
	"net"
)

// Authenticate runs one authentication from EAPOL-Start to EAP-Success or
// the first failure, for the CLI: it does not log off afterwards, so the
// port stays authorized. mac is the source address of our frames. ctx's
// deadline bounds it; its expiry is reported as ReasonTimeout.
func Authenticate(ctx context.Context, frames Frames, mac net.HardwareAddr, cfg Config) (Result, error) {
	if cfg.Mode == ModeDisabled {
		return Result{}, newError(ReasonConfig, nil, "802.1X mode 0 (disabled): nothing to authenticate")
	}
	s := New(fixedPort{mac: mac}, frames, cfg, nil)
	s.oneShot = true
	if err := s.Run(ctx); err != nil {
		return Result{}, err
	}
	if !s.finished {
		err := ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			return Result{}, newError(ReasonTimeout, nil, "no 802.1X outcome before the deadline")
		}
		return Result{}, err
	}
	if s.resultErr != nil {
		return Result{}, s.resultErr
	}
	return s.result, nil
}
