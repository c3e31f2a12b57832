package settings

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperDirEnv makes the test binary, re-executed, the writer of
// TestKillWriter.
const helperDirEnv = "SETTINGS_KILL_TEST_DIR"

// killValues is what the writer applies for counter n: several settings in
// one change, all derived from n, so a copy that mixed two changes shows.
func killValues(n int) map[string]string {
	return map[string]string{
		"sip.line1.user":      strconv.Itoa(n),
		"sip.line1.auth_user": "auth-" + strconv.Itoa(n),
		"sip.line1.password":  "pw-" + strconv.Itoa(n),
		"phone.name":          "kill " + strconv.Itoa(n),
		"dot1x.reauth_period": strconv.Itoa(10 + n%1000),
	}
}

// TestHelperWriter is the child of TestKillWriter: it loops writes of a
// counter as fast as it can, printing each counter once its write has
// returned (is on flash), until it is killed.
func TestHelperWriter(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("the writer process of TestKillWriter")
	}
	s, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	n, _ := strconv.Atoi(s.String("sip.line1.user"))
	fmt.Printf("ready %d\n", n)
	for {
		n++
		if err := s.Apply(killValues(n)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("%d\n", n)
	}
}

// TestKillWriter kills a writer with SIGKILL at random points, many times,
// and checks after each kill that the store loads a valid copy that is not
// older than any write the writer saw complete, with consistent values.
func TestKillWriter(t *testing.T) {
	kills := 200
	if testing.Short() {
		kills = 30
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	last, midWrite, tmpLeft := 0, 0, 0
	for i := range kills {
		acked, sawReady := killOnce(t, dir, i%4 != 0, time.Duration(rng.IntN(15001))*time.Microsecond)
		for _, n := range slotNames {
			if _, err := os.Stat(filepath.Join(dir, n+".tmp")); err == nil {
				tmpLeft++ // killed between creating the temporary file and its rename
				break
			}
		}
		s, err := Open(dir)
		if err != nil {
			t.Fatalf("kill %d: open: %v", i, err)
		}
		// Slots are only ever replaced by a rename: a kill must never leave
		// a bad one.
		if r := s.Recovery(); r != "" {
			t.Fatalf("kill %d: recovery after a kill: %s", i, r)
		}
		n, _ := strconv.Atoi(s.String("sip.line1.user"))
		if n < last || n < acked {
			t.Fatalf("kill %d: counter %d went back (last loaded %d, last write completed %d)", i, n, last, acked)
		}
		if n > 0 {
			for name, want := range killValues(n) {
				if got := s.String(name); got != want {
					t.Fatalf("kill %d: counter %d but %s = %q, want %q", i, n, name, got, want)
				}
			}
			if s.Generation() != uint64(n) {
				t.Fatalf("kill %d: counter %d in generation %d", i, n, s.Generation())
			}
		}
		if sawReady && n > acked {
			midWrite++ // killed after the write reached the flash, before it was printed
		}
		last = n
	}
	if last == 0 {
		t.Fatal("the writer never completed a write")
	}
	t.Logf("%d kills, counter %d; %d kills left a temporary file, %d came between a rename and its acknowledgement",
		kills, last, tmpLeft, midWrite)
}

// killOnce starts the writer, kills it after delay (counted from its start,
// or from its "ready" line when afterReady), and returns the highest
// counter it acknowledged and whether it got ready.
func killOnce(t *testing.T, dir string, afterReady bool, delay time.Duration) (acked int, ready bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	note := func(line string) {
		if strings.HasPrefix(line, "ready ") {
			ready = true
		} else if n, err := strconv.Atoi(line); err == nil && n > acked {
			acked = n
		}
	}
	if afterReady {
		for line := range lines {
			note(line)
			if ready {
				break
			}
		}
	}
	time.Sleep(delay)
	cmd.Process.Signal(syscall.SIGKILL)
	for line := range lines { // what the writer printed before it died
		note(line)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("writer ended with %v, not by the kill: %s", err, stderr.Bytes())
	}
	return acked, ready
}
