package lab

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is a process's resident memory, in kB.
type Memory struct {
	RSS int // VmRSS: resident now
	HWM int // VmHWM: the peak
}

// ProcessMemory reads VmRSS and VmHWM of pid, for the benchmarks that set a
// peer's footprint beside ours.
func ProcessMemory(pid int) (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("memory of %d: %w", pid, err)
	}
	defer f.Close()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.Atoi(fields[0])
		switch k {
		case "VmRSS":
			m.RSS = n
		case "VmHWM":
			m.HWM = n
		}
	}
	if err := sc.Err(); err != nil {
		return Memory{}, fmt.Errorf("memory of %d: %w", pid, err)
	}
	return m, nil
}
