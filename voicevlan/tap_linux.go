//go:build linux

package voicevlan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/jsimonetti/rtnetlink"
	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// tapVLAN is a VLAN interface done in user space, for kernels built
// without 802.1Q (CONFIG_VLAN_8021Q), as the lab's is: a TAP interface named
// like the VLAN interface, with the parent's MAC, whose frames are tagged
// on the way out of the parent and untagged on the way in. The kernel
// still strips received tags into the packet's metadata without 802.1Q, so
// a socket filter picks the VLAN's frames.
type tapVLAN struct {
	name string
	tap  *os.File
	lan  *packet.Conn
	tci  uint16
	log  *slog.Logger

	wg sync.WaitGroup
}

// vlanOnly accepts frames whose (stripped) tag carries vid.
func vlanOnly(vid int) ([]bpf.RawInstruction, error) {
	return bpf.Assemble([]bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtVLANTagPresent},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipFalse: 3},
		bpf.LoadExtension{Num: bpf.ExtVLANTag},
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x0fff},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(vid), SkipTrue: 1},
		bpf.RetConstant{Val: 0},
		bpf.RetConstant{Val: 0xffff},
	})
}

// openTapVLAN makes the TAP interface name for VLAN vid on parent and
// starts moving frames, tagging them with priority; close stops it and removes the interface.
func openTapVLAN(rt *rtnetlink.Conn, parent *net.Interface, name string, vid, priority int, log *slog.Logger) (*tapVLAN, error) {
	filter, err := vlanOnly(vid)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("make TAP %s: %w", name, err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	tap := os.NewFile(uintptr(fd), "/dev/net/tun") // non-blocking: served by the poller
	ifi, err := net.InterfaceByName(name)
	if err == nil {
		// The parent's MAC, so that the switch sees the phone on both.
		err = rt.Link.Set(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Index: uint32(ifi.Index),
			Attributes: &rtnetlink.LinkAttributes{Address: parent.HardwareAddr}})
	}
	if err == nil {
		err = rt.Link.Set(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Index: uint32(ifi.Index),
			Flags: unix.IFF_UP, Change: unix.IFF_UP})
	}
	if err != nil {
		tap.Close()
		return nil, fmt.Errorf("set up TAP %s: %w", name, err)
	}
	lan, err := packet.Listen(parent, packet.Raw, unix.ETH_P_ALL, &packet.Config{Filter: filter})
	if err != nil {
		tap.Close()
		return nil, fmt.Errorf("open %s for VLAN %d: %w", parent.Name, vid, err)
	}
	t := &tapVLAN{name: name, tap: tap, lan: lan, tci: uint16(priority&7)<<13 | uint16(vid&0xfff), log: log}
	t.wg.Add(2)
	go t.out()
	go t.in()
	return t, nil
}

// out tags what the phone's stack sends on the VLAN interface.
func (t *tapVLAN) out() {
	defer t.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, err := t.tap.Read(buf)
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				t.log.Warn("voice VLAN: TAP read", "iface", t.name, "err", err)
			}
			return
		}
		if n < 14 {
			continue
		}
		f := make([]byte, n+4)
		copy(f, buf[:12])
		binary.BigEndian.PutUint16(f[12:], 0x8100)
		binary.BigEndian.PutUint16(f[14:], t.tci)
		copy(f[16:], buf[12:n])
		if _, err := t.lan.WriteTo(f, &packet.Addr{HardwareAddr: net.HardwareAddr(f[0:6])}); err != nil {
			t.log.Debug("voice VLAN: frame dropped", "iface", t.name, "err", err)
		}
	}
}

// in hands the VLAN's frames, already untagged by the kernel, to the
// phone's stack.
func (t *tapVLAN) in() {
	defer t.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, _, err := t.lan.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, unix.ENETDOWN) {
				continue
			}
			if !errors.Is(err, net.ErrClosed) && !errors.Is(err, os.ErrClosed) {
				t.log.Warn("voice VLAN: parent read", "iface", t.name, "err", err)
			}
			return
		}
		if _, err := t.tap.Write(buf[:n]); err != nil {
			t.log.Debug("voice VLAN: frame dropped", "iface", t.name, "err", err)
		}
	}
}

// close stops both directions and removes the TAP interface (it lives
// only as long as its file).
func (t *tapVLAN) close() error {
	t.lan.SetReadDeadline(time.Now())
	err := errors.Join(t.tap.Close(), t.lan.Close())
	t.wg.Wait()
	return err
}
