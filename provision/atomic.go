package provision

import (
	"fmt"
	"os"
	"path/filepath"
)

// atomicFile is a file being replaced so that a crash at any point leaves
// either the old file or the new one whole: it is written under a temporary
// name, fsynced, renamed over the file, and the directory is fsynced so the
// rename itself is durable. Every write to the data directory goes through
// it (writeAtomic for small files, createAtomic for streams).
type atomicFile struct {
	*os.File
	dir, path string
}

// createAtomic starts replacing dir/name. The caller writes, then calls
// Commit, or Abort on any failure (Abort after Commit does nothing).
func createAtomic(dir, name string) (*atomicFile, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s.tmp: %w", path, err)
	}
	return &atomicFile{File: f, dir: dir, path: path}, nil
}

// Commit makes the written bytes the file's content, durably.
func (a *atomicFile) Commit() error {
	tmp := a.File.Name()
	err := a.File.Sync()
	if cerr := a.File.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, a.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	a.File = nil
	if err := syncDir(a.dir); err != nil {
		return fmt.Errorf("sync %s: %w", a.dir, err)
	}
	return nil
}

// Abort drops the temporary file; the old file stays.
func (a *atomicFile) Abort() {
	if a.File == nil {
		return
	}
	a.File.Close()
	os.Remove(a.File.Name())
	a.File = nil
}

// writeAtomic replaces dir/name with data (see atomicFile).
func writeAtomic(dir, name string, data []byte) error {
	f, err := createAtomic(dir, name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	return f.Commit()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
