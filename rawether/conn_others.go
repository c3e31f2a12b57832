//go:build !linux

package rawether

import (
	"context"
	"errors"
	"net"
	"syscall"

	"golang.org/x/net/bpf"
)

// Config is what a socket needs beyond its interface and EtherType.
type Config struct {
	Group  net.HardwareAddr
	Filter []bpf.RawInstruction
}

// Conn is the raw socket; it exists on Linux only.
type Conn struct{}

var errNoRaw = errors.New("raw Ethernet sockets need Linux")

// Listen fails outside Linux.
func Listen(ifname string, etherType uint16, cfg *Config) (*Conn, error) { return nil, errNoRaw }

func (r *Conn) ReadFrame(ctx context.Context, b []byte) (int, error) { return 0, errNoRaw }
func (r *Conn) WriteFrame(b []byte) error                            { return errNoRaw }
func (r *Conn) SetPromiscuous(on bool) error                         { return errNoRaw }
func (r *Conn) SyscallConn() (syscall.RawConn, error)                { return nil, errNoRaw }
func (r *Conn) Close() error                                         { return nil }
