package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// Process is a program the lab runs inside one of its namespaces, with its
// output in a log file. The lab kills it on Close if it still runs.
type Process struct {
	Name string // short name, also the log's name
	NS   string // namespace it runs in
	Log  string // path of its combined stdout and stderr

	cmd    *exec.Cmd
	grace  time.Duration // SIGTERM to SIGKILL when the lab stops it (0: the caller's)
	offset int64         // log size before this run: a restart appends to the log
	done   chan struct{}
	err    error // exit status, valid once done is closed
}

// command builds a command that runs args inside namespace ns. Setpgid puts
// it and the children it forks into one group to kill; Pdeathsig kills it
// when the lab's process dies, even by SIGKILL.
func command(ctx context.Context, ns string, args ...string) *exec.Cmd {
	full := append([]string{"netns", "exec", ns}, args...)
	var cmd *exec.Cmd
	if ctx != nil {
		cmd = exec.CommandContext(ctx, "ip", full...)
		cmd.Cancel = func() error { return killGroup(cmd.Process.Pid, syscall.SIGKILL) }
	} else {
		cmd = exec.Command("ip", full...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	return cmd
}

// startProcess starts args in ns with output to logPath.
func startProcess(name, ns, logPath string, env []string, args ...string) (*Process, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: open log: %w", name, err)
	}
	defer f.Close()
	var offset int64
	if st, err := f.Stat(); err == nil {
		offset = st.Size()
	}
	cmd := command(nil, ns, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s in %s: %w", name, ns, err)
	}
	p := &Process{Name: name, NS: ns, Log: logPath, cmd: cmd, offset: offset, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process id (the program's own: `ip netns exec` execs it).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Running reports whether the process has not exited yet.
func (p *Process) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Wait waits for the process to exit and returns its exit error.
func (p *Process) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL after grace, and
// waits for the exit.
func (p *Process) Stop(grace time.Duration) error {
	if !p.Running() {
		return nil
	}
	if p.grace > 0 && p.grace < grace {
		grace = p.grace
	}
	_ = killGroup(p.Pid(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = killGroup(p.Pid(), syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			return fmt.Errorf("stop %s: pid %d survives SIGKILL", p.Name, p.Pid())
		}
	}
	// Children that left the group die with the namespace in Close.
	_ = killGroup(p.Pid(), syscall.SIGKILL)
	return nil
}

// Output returns what this run of the process logged so far (a restarted
// service or a rerun supplicant appends to the same log file).
func (p *Process) Output() string { return string(p.output()) }

// output returns what this run of the process logged.
func (p *Process) output() []byte {
	b, _ := os.ReadFile(p.Log)
	if int64(len(b)) >= p.offset {
		b = b[p.offset:]
	}
	return b
}

// WaitOutput waits until what this run of the process logged matches re,
// and fails early when the process exits first.
func (p *Process) WaitOutput(ctx context.Context, re *regexp.Regexp) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if re.Match(p.output()) {
			return nil
		}
		select {
		case <-p.done:
			b := p.output()
			if re.Match(b) {
				return nil
			}
			return fmt.Errorf("%s exited (%v) before logging %q: %s", p.Name, p.err, re, tail(b, 15))
		case <-ctx.Done():
			return fmt.Errorf("%s: waiting for %q: %w", p.Name, re, ctx.Err())
		case <-t.C:
		}
	}
}

// killGroup signals the process group led by pid.
func killGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	b = bytes.TrimRight(b, "\n")
	i := len(b)
	for ; n > 0 && i > 0; n-- {
		j := bytes.LastIndexByte(b[:i], '\n')
		if j < 0 {
			i = 0
			break
		}
		i = j
	}
	return string(bytes.TrimLeft(b[i:], "\n"))
}

func sleepShort() { time.Sleep(10 * time.Millisecond) }

// processes is the set of processes a lab manages, by name.
type processes struct {
	mu sync.Mutex
	m  map[string]*Process
}
