package lab

import (
	"os"
	"testing"
)

func TestProcessMemory(t *testing.T) {
	m, err := ProcessMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.HWM < m.RSS {
		t.Fatalf("memory of this test: %+v", m)
	}
	if _, err := ProcessMemory(-1); err == nil {
		t.Fatal("no error for a process that does not exist")
	}
}
