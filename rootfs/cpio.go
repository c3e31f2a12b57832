package rootfs

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The initramfs is a "newc" cpio archive (the kernel's
// Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte
// ASCII header per entry, name and data each padded to 4 bytes, and a
// TRAILER!!! entry. Everything is owned by root; times are zero so the same
// tree gives the same bytes.
type cpioWriter struct {
	w   io.Writer
	ino uint32
	off int64
	err error
}

const (
	cpioDir     = 0o040000
	cpioFile    = 0o100000
	cpioSymlink = 0o120000
)

func (c *cpioWriter) write(p []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(p)
	c.off += int64(n)
	c.err = err
}

func (c *cpioWriter) pad() {
	if r := c.off % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}

func (c *cpioWriter) header(name string, mode uint32, size int64) {
	c.ino++
	nlink := 1
	if mode&0o170000 == cpioDir {
		nlink = 2
	}
	h := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name)+1, 0)
	c.write([]byte(h))
	c.write(append([]byte(name), 0))
	c.pad()
}

// entry writes one member; data is its content (a symlink's target).
func (c *cpioWriter) entry(name string, mode uint32, data []byte) {
	c.header(name, mode, int64(len(data)))
	c.write(data)
	c.pad()
}

func (c *cpioWriter) close() error {
	c.entry("TRAILER!!!", 0, nil)
	return c.err
}

// writeCPIO archives the tree under root, sorted by path.
func writeCPIO(w io.Writer, root string) error {
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	sort.Strings(paths)
	c := &cpioWriter{w: w}
	for _, p := range paths {
		rel := strings.TrimPrefix(p, root+string(filepath.Separator))
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		perm := uint32(fi.Mode().Perm())
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			c.entry(rel, cpioSymlink|0o777, []byte(t))
		case fi.IsDir():
			c.entry(rel, cpioDir|perm, nil)
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			c.entry(rel, cpioFile|perm, data)
		default:
			return fmt.Errorf("cpio %s: unsupported file type %v", rel, fi.Mode().Type())
		}
	}
	if err := c.close(); err != nil {
		return fmt.Errorf("write cpio: %w", err)
	}
	return nil
}
