package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"deskphone/hal"
)

// termHelp is printed under the LCD.
const termHelp = "keys: 0-9 * #  arrows  Enter=OK  Backspace=Back  m=Menu  F1-F4=softkeys  h=hook  s=speaker  Ctrl-C=quit"

// runTerminal draws the LCD on stdout and reads keys from stdin, in raw
// mode, until ctx is done or Ctrl-C asks the phone to stop.
func (s *Sim) runTerminal(ctx context.Context) error {
	in := int(os.Stdin.Fd())
	old, err := term.MakeRaw(in)
	if err != nil {
		return fmt.Errorf("terminal: raw mode: %w", err)
	}
	defer term.Restore(in, old)
	// A non-blocking stdin lets the reader stop on a deadline, so no goroutine
	// stays blocked in a read when the phone stops.
	if err := syscall.SetNonblock(in, true); err != nil {
		return fmt.Errorf("terminal: stdin: %w", err)
	}
	defer syscall.SetNonblock(in, false)
	stdin := os.NewFile(uintptr(in), "stdin")

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	readDone := make(chan error, 1)
	go func() { readDone <- s.readTerminalKeys(ctx, stdin) }()

	fmt.Fprint(os.Stdout, "\x1b[?25l\x1b[2J") // hide the cursor, clear
	defer fmt.Fprint(os.Stdout, "\x1b[?25h\r\n")
	var seq uint64
	for {
		cur := s.Display.Seq()
		if cur != seq || seq == 0 {
			frame, _ := s.Display.Frame()
			cols, rows, err := term.GetSize(int(os.Stdout.Fd()))
			if err != nil {
				cols, rows = 80, 24
			}
			var b bytes.Buffer
			b.WriteString("\x1b[H")
			b.WriteString(strings.ReplaceAll(brailleFrame(frame, cols, rows-2), "\n", "\x1b[K\r\n"))
			b.WriteString(termHelp + "\x1b[K\x1b[J")
			os.Stdout.Write(b.Bytes())
			seq = cur
		}
		if _, err := s.Display.Wait(ctx, cur); err != nil {
			stdin.SetReadDeadline(time.Now())
			return ignoreCanceled(<-readDone)
		}
	}
}

func ignoreCanceled(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, os.ErrDeadlineExceeded) {
		return nil
	}
	return err
}

func (s *Sim) readTerminalKeys(ctx context.Context, r io.Reader) error {
	buf := make([]byte, 64)
	hookOff := false
	for {
		n, err := r.Read(buf)
		if err != nil {
			return fmt.Errorf("terminal: read: %w", err)
		}
		for _, k := range decodeTermKeys(buf[:n]) {
			switch k {
			case termQuit:
				if s.cfg.Stop != nil {
					s.cfg.Stop()
				}
				return nil
			case termHook:
				hookOff = !hookOff
				if hookOff {
					s.Keypad.Press(hal.KeyHookOff)
				} else {
					s.Keypad.Press(hal.KeyHookOn)
				}
			default:
				s.Keypad.Press(k)
			}
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// Pseudo-keys the terminal handles itself.
const (
	termQuit hal.Key = "quit"
	termHook hal.Key = "hook"
)

var termSequences = map[string]hal.Key{
	"\x1b[A": hal.KeyUp, "\x1b[B": hal.KeyDown, "\x1b[C": hal.KeyRight, "\x1b[D": hal.KeyLeft,
	"\x1bOP": hal.KeySoft1, "\x1bOQ": hal.KeySoft2, "\x1bOR": hal.KeySoft3, "\x1bOS": hal.KeySoft4,
	"\x1b[11~": hal.KeySoft1, "\x1b[12~": hal.KeySoft2, "\x1b[13~": hal.KeySoft3, "\x1b[14~": hal.KeySoft4,
}

var termBytes = map[byte]hal.Key{
	'\r': hal.KeyOK, '\n': hal.KeyOK, 0x7f: hal.KeyBack, 0x08: hal.KeyBack, 0x1b: hal.KeyBack,
	'm': hal.KeyMenu, 'h': termHook, 's': hal.KeySpeaker, 'H': hal.KeyHeadset, 'u': hal.KeyMute,
	'+': hal.KeyVolUp, '-': hal.KeyVolDown, 0x03: termQuit,
}

// decodeTermKeys turns what a terminal sent into keys; unknown bytes are dropped.
func decodeTermKeys(b []byte) []hal.Key {
	var keys []hal.Key
	for len(b) > 0 {
		matched := false
		for seq, k := range termSequences {
			if bytes.HasPrefix(b, []byte(seq)) {
				keys = append(keys, k)
				b = b[len(seq):]
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if k := hal.Key(b[:1]); k.Digit() {
			keys = append(keys, k)
		} else if k, ok := termBytes[b[0]]; ok {
			keys = append(keys, k)
		}
		b = b[1:]
	}
	return keys
}

// brailleFrame draws img with Braille characters (2x4 dots each) at the
// smallest whole scale that fits cols x rows; a dot is set when any pixel it
// covers is dark, so one-pixel strokes survive the scaling.
func brailleFrame(img image.Image, cols, rows int) string {
	b := img.Bounds()
	scale := 1
	for (b.Dx()+2*scale-1)/(2*scale) > cols || (b.Dy()+4*scale-1)/(4*scale) > rows {
		scale++
		if scale > b.Dx() {
			break
		}
	}
	dark := func(x, y int) bool {
		for yy := y * scale; yy < (y+1)*scale; yy++ {
			for xx := x * scale; xx < (x+1)*scale; xx++ {
				if xx >= b.Dx() || yy >= b.Dy() {
					continue
				}
				r, g, bl, _ := img.At(b.Min.X+xx, b.Min.Y+yy).RGBA()
				if (r+g+bl)/3 < 0x8000 {
					return true
				}
			}
		}
		return false
	}
	// Dot bit for (column, row) in a Braille cell, per Unicode's layout.
	bits := [4][2]rune{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}
	w := (b.Dx() + 2*scale - 1) / (2 * scale)
	h := (b.Dy() + 4*scale - 1) / (4 * scale)
	var sb strings.Builder
	for cy := range h {
		for cx := range w {
			r := rune(0x2800)
			for dy := range 4 {
				for dx := range 2 {
					if dark(cx*2+dx, cy*4+dy) {
						r |= bits[dy][dx]
					}
				}
			}
			sb.WriteRune(r)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
