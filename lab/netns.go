package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// netnsDir is where iproute2 keeps named namespaces.
const netnsDir = "/run/netns"

// Namespace roles: every lab instance has one namespace of each.
const (
	rolePhone    = "phone"
	rolePC       = "pc"
	roleSwitch   = "sw"
	roleServices = "srv"
)

// namePrefix starts every namespace and temp dir of a lab instance. The owner
// pid in the id lets Sweep tell leftovers of dead runs from live labs.
const namePrefix = "dpl"

// idPattern matches a lab id: the owner pid, "x", a random suffix.
var idPattern = regexp.MustCompile(`^` + namePrefix + `([0-9]+)x([0-9a-f]{4})$`)

// idSeq makes ids unique among the labs of one process: a random start,
// then a counter.
var idSeq = func() *atomic.Uint32 {
	var b [2]byte
	_, _ = rand.Read(b[:])
	var n atomic.Uint32
	n.Store(uint32(b[0])<<8 | uint32(b[1]))
	return &n
}()

// newID returns a fresh lab id owned by this process, e.g. "dpl4242xa1b2".
func newID() string {
	n := uint16(idSeq.Add(1))
	return fmt.Sprintf("%s%dx%s", namePrefix, os.Getpid(), hex.EncodeToString([]byte{byte(n >> 8), byte(n)}))
}

// ownerPid returns the pid encoded in a lab id.
func ownerPid(id string) (int, bool) {
	m := idPattern.FindStringSubmatch(id)
	if m == nil {
		return 0, false
	}
	pid, err := strconv.Atoi(m[1])
	return pid, err == nil
}

// nsName is the namespace of a role in lab id.
func nsName(id, role string) string { return id + "-" + role }

// run runs a helper command (ip, nft, ...) to completion and returns an error
// that carries its output.
func run(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// addNetns creates a named namespace with its loopback up.
func addNetns(ctx context.Context, ns string) error {
	if err := run(ctx, "ip", "netns", "add", ns); err != nil {
		return err
	}
	return run(ctx, "ip", "-n", ns, "link", "set", "lo", "up")
}

// netnsInode identifies a named namespace, to find the processes inside it.
func netnsInode(ns string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(netnsDir, ns), &st); err != nil {
		return 0, fmt.Errorf("stat netns %s: %w", ns, err)
	}
	return st.Ino, nil
}

// pidsInNetns lists the processes whose network namespace is ns, as
// `ip netns pids` does.
func pidsInNetns(ns string) ([]int, error) {
	ino, err := netnsInode(ns)
	if err != nil {
		return nil, err
	}
	want := fmt.Sprintf("net:[%d]", ino)
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
		if err == nil && link == want {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// killNetns SIGKILLs every process in ns and deletes it. `ip netns del` kills
// nothing by itself: a namespace with processes would live on unnamed.
func killNetns(ctx context.Context, ns string) error {
	if _, err := os.Stat(filepath.Join(netnsDir, ns)); os.IsNotExist(err) {
		return nil
	}
	for range 20 {
		pids, err := pidsInNetns(ns)
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			break
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		reap(pids)
	}
	return run(ctx, "ip", "netns", "del", ns)
}

// reap waits briefly for killed processes to disappear from /proc.
func reap(pids []int) {
	for _, pid := range pids {
		for range 100 {
			if !alive(pid) {
				break
			}
			sleepShort()
		}
	}
}

// alive reports whether a process exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// state is the field after the ")" that closes the command name
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// InNetns runs fn on an OS thread that is inside namespace ns. Sockets fn
// opens stay in ns after it returns; goroutines fn starts do not run in ns.
func InNetns(ns string, fn func() error) error {
	target, err := os.Open(filepath.Join(netnsDir, ns))
	if err != nil {
		return fmt.Errorf("open netns %s: %w", ns, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open own netns: %w", err)
			return
		}
		defer self.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter netns %s: %w", ns, err)
			return
		}
		ferr := fn()
		// A thread that cannot go back stays locked: the runtime then ends it
		// with this goroutine instead of reusing it in the wrong namespace.
		if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err == nil {
			runtime.UnlockOSThread()
		}
		errc <- ferr
	}()
	return <-errc
}

// DialContext opens a connection from inside namespace ns (for example a
// test's probe from the phone to the PBX).
func DialContext(ctx context.Context, ns, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := InNetns(ns, func() error {
		var err error
		c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dial %s %s from %s: %w", network, addr, ns, err)
	}
	return c, nil
}

// ListenPacket opens a packet socket inside namespace ns.
func ListenPacket(ns, network, addr string) (net.PacketConn, error) {
	var c net.PacketConn
	err := InNetns(ns, func() error {
		var err error
		c, err = net.ListenPacket(network, addr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listen %s %s in %s: %w", network, addr, ns, err)
	}
	return c, nil
}
