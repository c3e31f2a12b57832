package netlink

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"deskphone/hal"

	mdnetlink "github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// needRoot skips a test that creates namespaces unless root, and fails it in CI.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("ip"); err != nil {
			t.Fatalf("this test needs iproute2's ip: %v", err)
		}
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this test creates a network namespace and veth pair: CI must run it as root")
	}
	t.Skip("not root: run as root to test link state on a veth pair in a throwaway network namespace")
}

func ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// labNetNS makes a network namespace for this test and deletes it (and the
// interfaces in it) at cleanup.
func labNetNS(t *testing.T) string {
	t.Helper()
	ns := fmt.Sprintf("dp-nl-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))
	ip(t, "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	return ns
}

// inNetNS runs fn on an OS thread moved into the namespace, so the sockets
// fn opens belong to it; the thread is moved back before it is released.
func inNetNS(t *testing.T, ns string, fn func()) {
	t.Helper()
	target, err := os.Open("/var/run/netns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		t.Fatalf("setns %s: %v", ns, err)
	}
	defer func() {
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			panic(fmt.Sprintf("cannot move the test thread back to its namespace: %v", err))
		}
	}()
	fn()
}

func TestLinkStateOnVeth(t *testing.T) {
	needRoot(t)
	ns := labNetNS(t)
	mac := net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x53, 0x01}
	ip(t, "-n", ns, "link", "add", "phone0", "address", mac.String(), "type", "veth", "peer", "name", "switch0")

	var p *Port
	var err error
	inNetNS(t, ns, func() { p, err = Open(hal.LAN, "phone0") })
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.MAC(), mac) || p.Interface() != "phone0" || p.Role() != hal.LAN {
		t.Fatalf("port %s %s %s", p.Role(), p.Interface(), p.MAC())
	}
	if p.Up() {
		t.Fatal("link up while the peer is down")
	}
	// Open brought the phone's end up, which carrier detection needs.
	out, err := exec.Command("ip", "-n", ns, "-o", "link", "show", "phone0").CombinedOutput()
	if err != nil || !strings.Contains(string(out), ",UP") {
		t.Fatalf("phone0 not brought up: %v %s", err, out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	steps := []struct {
		args []string
		want bool
	}{
		{[]string{"link", "set", "switch0", "up"}, true},    // the switch's end comes up: carrier
		{[]string{"link", "set", "switch0", "down"}, false}, // cable pulled
		{[]string{"link", "set", "switch0", "up"}, true},
		{[]string{"link", "set", "phone0", "down"}, false}, // the phone's own end down
		{[]string{"link", "set", "phone0", "up"}, true},
		{[]string{"link", "del", "switch0"}, false}, // the pair goes with it
	}
	for _, s := range steps {
		ip(t, append([]string{"-n", ns}, s.args...)...)
		up, err := p.WaitLink(ctx, !s.want)
		if err != nil || up != s.want {
			t.Fatalf("after ip %s: WaitLink = %v, %v; want %v", strings.Join(s.args, " "), up, err, s.want)
		}
	}
}

func TestOpenMissingInterface(t *testing.T) {
	_, err := Open(hal.LAN, "nosuchif0")
	if err == nil || !strings.Contains(err.Error(), `no interface "nosuchif0"`) {
		t.Fatalf("Open of a missing interface: %v", err)
	}
}

func TestDecodeLink(t *testing.T) {
	for _, m := range []mdnetlink.Message{
		{Header: mdnetlink.Header{Type: unix.RTM_NEWADDR}, Data: make([]byte, 16)},
		{Header: mdnetlink.Header{Type: unix.RTM_NEWLINK}, Data: []byte{1, 2}},
	} {
		if st, ok := decodeLink(m); ok {
			t.Errorf("decoded %+v from %+v", st, m)
		}
	}
	// struct ifinfomsg: family, pad, type, index 7, flags UP|RUNNING, change.
	data := []byte{0, 0, 1, 0, 7, 0, 0, 0, 0x41, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}
	st, ok := decodeLink(mdnetlink.Message{Header: mdnetlink.Header{Type: unix.RTM_NEWLINK}, Data: data})
	if !ok || st != (linkState{index: 7, up: true}) {
		t.Fatalf("NEWLINK: %+v %v", st, ok)
	}
	st, ok = decodeLink(mdnetlink.Message{Header: mdnetlink.Header{Type: unix.RTM_DELLINK}, Data: data})
	if !ok || !st.deleted {
		t.Fatalf("DELLINK: %+v %v", st, ok)
	}
	data[8] = 0x01 // UP without RUNNING: no carrier
	if st, _ := decodeLink(mdnetlink.Message{Header: mdnetlink.Header{Type: unix.RTM_NEWLINK}, Data: data}); st.up {
		t.Fatal("IFF_UP alone read as link up")
	}
}

func FuzzDecodeLink(f *testing.F) {
	f.Add(uint16(unix.RTM_NEWLINK), []byte{0, 0, 1, 0, 7, 0, 0, 0, 0x41, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Add(uint16(unix.RTM_DELLINK), []byte{0, 0, 1, 0, 2, 0, 0, 0, 0x43, 0x10, 1, 0, 0, 0, 0, 0,
		8, 0, 3, 0, 'e', 't', 'h', 0, 10, 0, 1, 0, 2, 0, 0x5e, 0, 0x53, 1, 0, 0})
	f.Fuzz(func(t *testing.T, typ uint16, data []byte) {
		st, ok := decodeLink(mdnetlink.Message{Header: mdnetlink.Header{Type: mdnetlink.HeaderType(typ)}, Data: data})
		if ok && typ != unix.RTM_NEWLINK && typ != unix.RTM_DELLINK {
			t.Fatalf("type %d decoded as a link: %+v", typ, st)
		}
	})
}
