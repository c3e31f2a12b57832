// Package flash writes files on the phone's flash so that a power cut at any
// moment leaves either the old file or the new one whole, never a torn one:
// the new content goes to a temporary file, is fsynced, renamed over the
// file, and the directory is fsynced so the rename itself is durable. Every
// write to the phone's data directory goes through it.
package flash

import (
	"fmt"
	"os"
	"path/filepath"
)

// File is a file being replaced. The caller writes, then calls Commit, or
// Abort on any failure (Abort after Commit does nothing).
type File struct {
	*os.File
	dir, path string
}

// Create starts replacing dir/name, creating dir (durably) if needed.
func Create(dir, name string) (*File, error) {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
		// The new directory's entry must be durable too.
		if err := syncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
			return nil, fmt.Errorf("sync %s: %w", filepath.Dir(dir), err)
		}
	}
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s.tmp: %w", path, err)
	}
	return &File{File: f, dir: dir, path: path}, nil
}

// Commit makes the written bytes the file's content, durably.
func (a *File) Commit() error {
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
func (a *File) Abort() {
	if a.File == nil {
		return
	}
	a.File.Close()
	os.Remove(a.File.Name())
	a.File = nil
}

// WriteFile replaces dir/name with data.
func WriteFile(dir, name string, data []byte) error {
	f, err := Create(dir, name)
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
