//go:build !linux || 386

package media

import (
	"errors"
	"net"
	"time"
)

// rawSocket exists on Linux only (not 386, whose socket calls go through
// socketcall); elsewhere the session reads its socket
// with its own goroutine.
type rawSocket struct{}

func takeRawSocket(PacketConn, net.Addr) (*rawSocket, error) {
	return nil, errors.New("take socket: not supported on this system")
}

func (*rawSocket) drain(func([]byte, time.Time)) (int, error) { return 0, net.ErrClosed }
func (*rawSocket) send([]byte, net.Addr) error                { return net.ErrClosed }
func (*rawSocket) close() error                               { return nil }
