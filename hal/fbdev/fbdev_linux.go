package fbdev

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl requests and visuals from <linux/fb.h>; x/sys/unix does not carry them.
const (
	fbioGetVScreenInfo = 0x4600
	fbioGetFScreenInfo = 0x4602

	fbVisualMono01 = 0 // 1 = black, 0 = white
	fbVisualMono10 = 1 // 1 = white, 0 = black
)

// fbBitfield is struct fb_bitfield.
type fbBitfield struct {
	Offset, Length, MSBRight uint32
}

// fbVarScreeninfo is struct fb_var_screeninfo (160 bytes on every arch).
type fbVarScreeninfo struct {
	XRes, YRes, XResVirtual, YResVirtual uint32
	XOffset, YOffset                     uint32
	BitsPerPixel, Grayscale              uint32
	Red, Green, Blue, Transp             fbBitfield
	NonStd, Activate, Height, Width      uint32
	AccelFlags, PixClock                 uint32
	LeftMargin, RightMargin              uint32
	UpperMargin, LowerMargin             uint32
	HSyncLen, VSyncLen, Sync, VMode      uint32
	Rotate, Colorspace                   uint32
	Reserved                             [4]uint32
}

// fbFixScreeninfo is struct fb_fix_screeninfo; its unsigned longs are
// uintptr so the layout follows the arch as C's does.
type fbFixScreeninfo struct {
	ID                             [16]byte
	SmemStart                      uintptr
	SmemLen, Type, TypeAux, Visual uint32
	XPanStep, YPanStep, YWrapStep  uint16
	LineLength                     uint32
	MMIOStart                      uintptr
	MMIOLen, Accel                 uint32
	Capabilities                   uint16
	Reserved                       [2]uint16
}

// Open opens a framebuffer device such as /dev/fb0, reads its format and
// maps its memory. Close the display to unmap it.
func Open(path string) (*Display, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open framebuffer: %w", err)
	}
	d, err := open(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open framebuffer %s: %w", path, err)
	}
	return d, nil
}

func open(f *os.File) (*Display, error) {
	var vi fbVarScreeninfo
	var fi fbFixScreeninfo
	if err := ioctl(f, fbioGetVScreenInfo, unsafe.Pointer(&vi)); err != nil {
		return nil, fmt.Errorf("FBIOGET_VSCREENINFO: %w", err)
	}
	if err := ioctl(f, fbioGetFScreenInfo, unsafe.Pointer(&fi)); err != nil {
		return nil, fmt.Errorf("FBIOGET_FSCREENINFO: %w", err)
	}
	format := Format{
		Width:        int(vi.XRes),
		Height:       int(vi.YRes),
		Stride:       int(fi.LineLength),
		Offset:       int(vi.YOffset)*int(fi.LineLength) + int(vi.XOffset)*int(vi.BitsPerPixel)/8,
		BitsPerPixel: int(vi.BitsPerPixel),
		Red:          Bitfield{vi.Red.Offset, vi.Red.Length},
		Green:        Bitfield{vi.Green.Offset, vi.Green.Length},
		Blue:         Bitfield{vi.Blue.Offset, vi.Blue.Length},
		InverseMono:  fi.Visual == fbVisualMono01,
	}
	if err := format.Validate(); err != nil {
		return nil, err
	}
	size := int(fi.SmemLen)
	if size == 0 {
		size = int(vi.YResVirtual) * int(fi.LineLength)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap %d bytes: %w", size, err)
	}
	d, err := NewDisplay(mem, format, func() error {
		err := unix.Munmap(mem)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		unix.Munmap(mem)
		return nil, err
	}
	return d, nil
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno unix.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(arg))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

// The kernel's struct sizes, checked at compile time for every GOARCH a
// cross build targets: 160 bytes, and 68 or 80 with 4- or 8-byte longs.
const fixScreeninfoSize = 68 + 12*(unsafe.Sizeof(uintptr(0))/8)

var (
	_ [unsafe.Sizeof(fbVarScreeninfo{}) - 160]struct{}
	_ [160 - unsafe.Sizeof(fbVarScreeninfo{})]struct{}
	_ [unsafe.Sizeof(fbFixScreeninfo{}) - fixScreeninfoSize]struct{}
	_ [fixScreeninfoSize - unsafe.Sizeof(fbFixScreeninfo{})]struct{}
)
