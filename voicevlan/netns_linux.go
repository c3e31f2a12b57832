//go:build linux

package voicevlan

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// netns is the network namespace a NetlinkLinks was dialed in. Sockets
// and TAP interfaces are made in the namespace of the thread that makes
// them, so the user-space VLAN makes its own there too: a test may dial
// from inside a lab namespace and run the rest from any thread.
type netns struct {
	f   *os.File
	ino uint64
}

func currentNetns() (*netns, error) {
	f, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
	if err != nil {
		return nil, fmt.Errorf("open own network namespace: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("stat own network namespace: %w", err)
	}
	return &netns{f: f, ino: st.Ino}, nil
}

// do runs fn on a thread inside ns; when the caller's thread is in it
// already (the firmware's case) it just calls fn, needing no privilege.
func (ns *netns) do(fn func() error) error {
	runtime.LockOSThread()
	here, err := currentNetns()
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer here.close()
	if here.ino == ns.ino {
		runtime.UnlockOSThread()
		return fn()
	}
	if err := unix.Setns(int(ns.f.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter network namespace: %w", err)
	}
	ferr := fn()
	// A thread that cannot go back stays locked, so the runtime retires it.
	if err := unix.Setns(int(here.f.Fd()), unix.CLONE_NEWNET); err == nil {
		runtime.UnlockOSThread()
	}
	return ferr
}

func (ns *netns) close() error { return ns.f.Close() }
