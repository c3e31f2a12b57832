//go:build linux && !386

package media

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// rawSocket is a call's RTP socket taken out of the Go runtime's network
// poller, so that a packet's arrival wakes no thread at all: the audio path
// reads whatever is queued once per frame, with the kernel's receive time of
// each packet (SO_TIMESTAMPNS), so jitter is still measured at arrival.
//
// Its calls never block (the socket is non-blocking, reads MSG_DONTWAIT), so
// they are made as raw system calls: syscall.Syscall tells the scheduler,
// and entering a system call wakes the runtime's monitor thread (sysmon)
// from its idle sleep, which then polls every 20 µs for a while: measured,
// that was half of all thread switches in a call.
type rawSocket struct {
	mu     sync.Mutex // guards fd against close while in use
	fd     int        // -1 once closed
	remote rawAddr

	// recvmsg's arguments, built once: no allocation per packet.
	buf []byte
	oob []byte
	iov syscall.Iovec
	msg syscall.Msghdr
}

type syscallConn interface {
	SyscallConn() (syscall.RawConn, error)
}

// takeRawSocket duplicates conn's descriptor, closes conn (which removes it
// from the runtime's epoll set) and keeps the duplicate, non-blocking, with
// receive timestamps on. remote is where send writes.
func takeRawSocket(conn PacketConn, remote net.Addr) (*rawSocket, error) {
	sc, ok := conn.(syscallConn)
	if !ok {
		return nil, errors.New("take socket: not a kernel socket")
	}
	ra, err := toRawAddr(remote)
	if err != nil {
		return nil, fmt.Errorf("take socket: %w", err)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("take socket: %w", err)
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(f uintptr) {
		fd, dupErr = syscall.Dup(int(f))
	}); err != nil {
		return nil, fmt.Errorf("take socket: %w", err)
	}
	if dupErr != nil {
		return nil, fmt.Errorf("take socket: dup: %w", dupErr)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("take socket: nonblock: %w", err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("take socket: SO_TIMESTAMPNS: %w", os.NewSyscallError("setsockopt", err))
	}
	conn.Close()
	r := &rawSocket{fd: fd, remote: ra, buf: make([]byte, 1500), oob: make([]byte, syscall.CmsgSpace(int(unsafe.Sizeof(syscall.Timespec{}))))}
	r.iov.Base = &r.buf[0]
	r.iov.SetLen(len(r.buf))
	r.msg.Iov = &r.iov
	r.msg.Iovlen = 1
	return r, nil
}

// rawAddr is a socket address in the kernel's layout, for sendto.
type rawAddr struct {
	v4   syscall.RawSockaddrInet4
	v6   syscall.RawSockaddrInet6
	ipv6 bool
}

func (a *rawAddr) ptr() (unsafe.Pointer, uintptr) {
	if a.ipv6 {
		return unsafe.Pointer(&a.v6), unsafe.Sizeof(a.v6)
	}
	return unsafe.Pointer(&a.v4), unsafe.Sizeof(a.v4)
}

// toRawAddr converts a UDP address.
func toRawAddr(a net.Addr) (rawAddr, error) {
	var r rawAddr
	u, ok := a.(*net.UDPAddr)
	if !ok {
		return r, fmt.Errorf("address %v is not UDP", a)
	}
	port := [2]byte{byte(u.Port >> 8), byte(u.Port)}
	if ip4 := u.IP.To4(); ip4 != nil {
		r.v4.Family = syscall.AF_INET
		r.v4.Port = *(*uint16)(unsafe.Pointer(&port[0])) // network byte order in memory
		copy(r.v4.Addr[:], ip4)
		return r, nil
	}
	if ip6 := u.IP.To16(); ip6 != nil {
		r.ipv6 = true
		r.v6.Family = syscall.AF_INET6
		r.v6.Port = *(*uint16)(unsafe.Pointer(&port[0]))
		copy(r.v6.Addr[:], ip6)
		if u.Zone != "" {
			if ifi, err := net.InterfaceByName(u.Zone); err == nil {
				r.v6.Scope_id = uint32(ifi.Index)
			}
		}
		return r, nil
	}
	return r, fmt.Errorf("address %v has no IP", a)
}

// maxDrain bounds the packets read at one tick: more than a few means a
// burst, and the rest waits for the next tick rather than stall the audio.
const maxDrain = 32

// drain hands each queued datagram to handle with its arrival time and
// returns how many it read. It never blocks.
func (r *rawSocket) drain(handle func(b []byte, arrival time.Time)) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd < 0 {
		return 0, net.ErrClosed
	}
	for n := range maxDrain {
		r.msg.Control = &r.oob[0]
		r.msg.SetControllen(len(r.oob))
		r.msg.Flags = 0
		got, _, errno := syscall.RawSyscall(syscall.SYS_RECVMSG, uintptr(r.fd), uintptr(unsafe.Pointer(&r.msg)), syscall.MSG_DONTWAIT)
		switch errno {
		case 0:
		case syscall.EAGAIN, syscall.EINTR:
			return n, nil
		default:
			// An ICMP error queued on the socket (port unreachable) is
			// reported once; the next read goes on.
			if errno == syscall.ECONNREFUSED {
				continue
			}
			return n, fmt.Errorf("recvmsg: %w", errno)
		}
		handle(r.buf[:got], r.arrival())
	}
	return maxDrain, nil
}

// arrival is the kernel's receive time of the last packet, or now.
func (r *rawSocket) arrival() time.Time {
	ctl := int(r.msg.Controllen)
	if ctl >= syscall.CmsgLen(int(unsafe.Sizeof(syscall.Timespec{}))) {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&r.oob[0]))
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_TIMESTAMPNS {
			ts := (*syscall.Timespec)(unsafe.Pointer(&r.oob[syscall.CmsgLen(0)]))
			return time.Unix(int64(ts.Sec), int64(ts.Nsec))
		}
	}
	return time.Now()
}

// send writes b to the session's remote, or to another address (RTCP). A
// full send buffer drops the packet (EAGAIN), as a late one would be.
func (r *rawSocket) send(b []byte, to net.Addr) error {
	if len(b) == 0 {
		return nil
	}
	ra := &r.remote
	if to != nil {
		a, err := toRawAddr(to)
		if err != nil {
			return err
		}
		ra = &a
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd < 0 {
		return net.ErrClosed
	}
	sa, salen := ra.ptr()
	_, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(r.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, uintptr(sa), salen)
	if errno != 0 {
		return os.NewSyscallError("sendto", errno)
	}
	return nil
}

func (r *rawSocket) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd < 0 {
		return nil
	}
	err := syscall.Close(r.fd)
	r.fd = -1
	return err
}
