package flash

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileReplacesWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	if err := WriteFile(dir, "f", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(dir, "f", []byte("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "two" {
		t.Fatalf("content %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "f.tmp")); !os.IsNotExist(err) {
		t.Fatal("a temporary file was left")
	}
}

func TestAbortKeepsOld(t *testing.T) {
	dir := t.TempDir()
	WriteFile(dir, "f", []byte("old"))
	f, err := Create(dir, "f")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	f.Abort()
	f.Abort()
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "old" {
		t.Fatalf("content after abort %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "f.tmp")); !os.IsNotExist(err) {
		t.Fatal("a temporary file was left")
	}
}
