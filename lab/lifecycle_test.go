package lab_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"deskphone/lab"
)

// needLab skips (fails in CI) where no lab can run.
func needLab(t *testing.T) {
	t.Helper()
	if err := lab.Check(lab.Options{}); err != nil {
		if lab.InCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// labPids lists the processes inside a lab's namespaces.
func labPids(t *testing.T, id string) []int {
	t.Helper()
	var pids []int
	for _, role := range []string{"phone", "pc", "sw", "srv"} {
		out, err := exec.Command("ip", "netns", "pids", id+"-"+role).Output()
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// remains lists what of a lab still exists: namespaces, its temp dir, live
// processes among pids.
func remains(id string, pids []int) []string {
	var out []string
	nss, _ := filepath.Glob("/run/netns/" + id + "-*")
	out = append(out, nss...)
	if _, err := os.Stat(filepath.Join(os.TempDir(), id)); err == nil {
		out = append(out, filepath.Join(os.TempDir(), id))
	}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err == nil && !strings.Contains(string(b), ") Z ") {
			out = append(out, fmt.Sprintf("pid %d: %s", pid, strings.Fields(string(b))[1]))
		}
	}
	return out
}

// TestFullLab starts every service, logs how long that took (a measurement,
// not an assertion), and checks that Close leaves no process, namespace or
// directory behind.
func TestFullLab(t *testing.T) {
	needLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now()
	l, err := lab.Up(ctx, lab.All(lab.FreeRADIUS))
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	t.Logf("full lab (FreeRADIUS, hostapd, Kamailio, baresip, nginx, tftpd, vsftpd, dnsmasq) up in %v", took.Round(time.Millisecond))
	running := l.Running()
	want := []lab.Service{lab.SvcRADIUS, lab.SvcHostapd, lab.SvcKamailio, lab.SvcNginx, lab.SvcTFTP, lab.SvcFTP, lab.SvcDHCP, lab.SvcRemote}
	for _, s := range want {
		if !slices.Contains(running, s) {
			t.Errorf("service %s not running (running: %v)", s, running)
		}
	}
	pids := labPids(t, l.ID)
	if len(pids) < len(want) {
		t.Errorf("only %d processes in the lab's namespaces", len(pids))
	}
	if t.Failed() {
		l.DumpLogs(t.Logf, 30)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if r := remains(l.ID, pids); len(r) > 0 {
		t.Fatalf("after Close: %v", r)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestServiceRestart: stopping a service really stops it, starting it again
// brings it back.
func TestServiceRestart(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{DHCP: true, Web: true, PhoneAddress: true})
	fetch := func() error {
		_, err := l.Exec(l.PhoneNS, "curl", "-sSf", "--max-time", "2", fmt.Sprintf("http://%s:%d/%s", l.Prov.Addr, l.Prov.HTTPPort, lab.ProvFile))
		return err
	}
	if err := fetch(); err != nil {
		t.Fatal(err)
	}
	if err := l.StopService(lab.SvcNginx); err != nil {
		t.Fatal(err)
	}
	if err := fetch(); err == nil {
		t.Fatal("nginx answered after StopService")
	}
	if slices.Contains(l.Running(), lab.SvcNginx) {
		t.Error("Running lists a stopped nginx")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.RestartService(ctx, lab.SvcDHCP); err != nil {
		t.Fatal(err)
	}
	if err := l.StartService(ctx, lab.SvcNginx); err != nil {
		t.Fatal(err)
	}
	if err := fetch(); err != nil {
		t.Fatal(err)
	}
	if err := l.StartService(ctx, lab.SvcRADIUS); err == nil {
		t.Error("started FreeRADIUS, which these options do not include")
	}
}

// startOwner runs TestHelperLabOwner in a child test process and returns
// it with the id of the lab it started and the lab's processes.
func startOwner(t *testing.T) (*exec.Cmd, string, []int) {
	t.Helper()
	needLab(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLabOwner$", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), "LAB_HELPER=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var id string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "LAB-ID "); ok {
			id = v
			break
		}
	}
	if id == "" {
		t.Fatal("helper did not start a lab")
	}
	go func() { // drain, so the helper never blocks on a full pipe
		for sc.Scan() {
		}
	}()
	pids := labPids(t, id)
	if len(pids) == 0 {
		t.Fatal("no processes in the helper's lab")
	}
	return cmd, id, pids
}

// TestKilledOwner: a test process killed with SIGKILL mid-run (as go test's
// timeout can) leaves its lab behind; Pdeathsig ends its daemons, and Sweep
// removes the rest.
func TestKilledOwner(t *testing.T) {
	cmd, id, pids := startOwner(t)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	time.Sleep(500 * time.Millisecond) // Pdeathsig's kills land
	t.Logf("after SIGKILL of the owner, before Sweep: %v", remains(id, pids))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := lab.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if r := remains(id, pids); len(r) > 0 {
		t.Fatalf("after Sweep: %v", r)
	}
}

// TestInterruptedOwner: a test process interrupted (Ctrl-C) closes its labs
// before it dies: nothing remains, with no sweep.
func TestInterruptedOwner(t *testing.T) {
	cmd, id, pids := startOwner(t)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if r := remains(id, pids); len(r) > 0 {
		t.Fatalf("after SIGINT of the owner: %v", r)
	}
}

// TestHelperLabOwner is the process TestKilledOwner and TestInterruptedOwner
// stop.
func TestHelperLabOwner(t *testing.T) {
	if os.Getenv("LAB_HELPER") != "1" {
		t.Skip("only run by TestKilledOwner and TestInterruptedOwner")
	}
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS, SIP: true, Remote: true, Web: true, FTP: true, DHCP: true})
	fmt.Printf("LAB-ID %s\n", l.ID)
	time.Sleep(time.Minute) // stopped before this ends
}

// BenchmarkUp measures starting and closing the full lab.
func BenchmarkUp(b *testing.B) {
	if err := lab.Check(lab.Options{}); err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		l, err := lab.Up(context.Background(), lab.All(lab.FreeRADIUS))
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
