// Package st7567 drives a Sitronix ST7567 monochrome LCD controller over SPI
// (4-wire: SCLK, SI, CS and the A0 command/data pin), the 132x64-class
// graphic panel of small deskphones, as a hal.Display.
//
// The controller's display RAM is 132 columns by 8 pages of 8 rows (plus an
// icon page this driver leaves blank). A byte written in a page is one
// column of 8 rows, least significant bit on top; a set bit darkens the
// pixel. Show sends only the pages that changed since the last frame.
//
// Commands used, from the datasheet's instruction table:
//
//	0xAE/0xAF display off/on           0x40|L  start line L
//	0xB0|P   page address P            0x10|H, 0x00|L column address
//	0xA0/0xA1 SEG normal/reverse       0xC0/0xC8 COM normal/reverse
//	0xA2/0xA3 bias 1/9 or 1/7          0xA6/0xA7 normal/inverse display
//	0xA4/0xA5 normal/all pixels on     0x28|VB VR VF power control
//	0x20|RR  regulation ratio          0x81, EV electronic volume (contrast)
//	0xE2     software reset
package st7567

import (
	"fmt"
	"image"
	"image/color"
	"sync"
	"time"

	"deskphone/hal"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// Controller geometry.
const (
	RAMColumns = 132
	Height     = 64
	pages      = Height / 8
	iconPage   = 8
)

// Commands.
const (
	cmdDisplayOff    = 0xAE
	cmdDisplayOn     = 0xAF
	cmdStartLine     = 0x40
	cmdPage          = 0xB0
	cmdColumnHigh    = 0x10
	cmdColumnLow     = 0x00
	cmdSEGNormal     = 0xA0
	cmdSEGReverse    = 0xA1
	cmdBias19        = 0xA2
	cmdBias17        = 0xA3
	cmdAllPixelsOff  = 0xA4
	cmdNormalDisplay = 0xA6
	cmdCOMNormal     = 0xC0
	cmdCOMReverse    = 0xC8
	cmdPowerAll      = 0x2F // booster, regulator and follower on
	cmdRegulation    = 0x20
	cmdVolume        = 0x81
	cmdReset         = 0xE2
)

// Config describes how a panel is wired and mounted.
type Config struct {
	// Width is the panel's visible columns: 132, or 128 on modules whose
	// glass shows RAM columns ColumnOffset .. ColumnOffset+127.
	Width        int
	ColumnOffset int
	// SEGReverse and COMReverse flip the panel horizontally and vertically
	// for the way the module is mounted.
	SEGReverse, COMReverse bool
	// Bias17 selects 1/7 bias instead of 1/9.
	Bias17 bool
	// RegulationRatio (0-7) and Contrast (electronic volume, 0-63) set the
	// LCD drive voltage.
	RegulationRatio uint8
	Contrast        uint8
	// Speed is the SPI clock (the controller takes up to 20 MHz).
	Speed physic.Frequency
}

// DefaultConfig is a 132x64 module mounted with COM reversed, as most are.
func DefaultConfig() Config {
	return Config{Width: RAMColumns, COMReverse: true, RegulationRatio: 5, Contrast: 0x20, Speed: 4 * physic.MegaHertz}
}

func (c Config) validate() error {
	if c.Width <= 0 || c.ColumnOffset < 0 || c.ColumnOffset+c.Width > RAMColumns {
		return fmt.Errorf("st7567: %d columns from column %d do not fit %d RAM columns", c.Width, c.ColumnOffset, RAMColumns)
	}
	if c.RegulationRatio > 7 {
		return fmt.Errorf("st7567: regulation ratio %d (0-7)", c.RegulationRatio)
	}
	if c.Contrast > 63 {
		return fmt.Errorf("st7567: contrast %d (0-63)", c.Contrast)
	}
	return nil
}

// Dev is one ST7567 panel.
type Dev struct {
	cfg Config
	c   spi.Conn
	dc  gpio.PinOut

	mu    sync.Mutex
	shown [][]byte // pages on the panel; nil before the first frame
	page  [][]byte // the frame being converted
}

var _ hal.Display = (*Dev)(nil)

// New connects to the controller on port, resets it (through rst, if not
// nil, then by command), initialises it and clears the panel. dc is the A0
// pin: low for commands, high for display data.
func New(port spi.Port, dc, rst gpio.PinOut, cfg Config) (*Dev, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Speed == 0 {
		cfg.Speed = DefaultConfig().Speed
	}
	c, err := port.Connect(cfg.Speed, spi.Mode0, 8)
	if err != nil {
		return nil, fmt.Errorf("st7567: connect %s: %w", port, err)
	}
	d := &Dev{cfg: cfg, c: c, dc: dc, page: make([][]byte, pages)}
	for i := range d.page {
		d.page[i] = make([]byte, cfg.Width)
	}
	if rst != nil {
		// The datasheet asks for a reset pulse of at least 5 µs and as
		// long again before the first command.
		if err := rst.Out(gpio.Low); err != nil {
			return nil, fmt.Errorf("st7567: reset pin: %w", err)
		}
		time.Sleep(time.Millisecond)
		if err := rst.Out(gpio.High); err != nil {
			return nil, fmt.Errorf("st7567: reset pin: %w", err)
		}
		time.Sleep(time.Millisecond)
	}
	if err := d.init(); err != nil {
		return nil, fmt.Errorf("st7567: init: %w", err)
	}
	return d, nil
}

// InitSequence is the command bytes sent after the reset command, up to
// and excluding the clearing of the display RAM.
func (c Config) InitSequence() []byte {
	bias, seg, com := byte(cmdBias19), byte(cmdSEGNormal), byte(cmdCOMNormal)
	if c.Bias17 {
		bias = cmdBias17
	}
	if c.SEGReverse {
		seg = cmdSEGReverse
	}
	if c.COMReverse {
		com = cmdCOMReverse
	}
	return []byte{
		cmdDisplayOff, bias, seg, com, cmdStartLine | 0,
		cmdRegulation | c.RegulationRatio, cmdVolume, c.Contrast,
		cmdPowerAll, cmdNormalDisplay, cmdAllPixelsOff,
	}
}

func (d *Dev) init() error {
	if err := d.command(cmdReset); err != nil {
		return err
	}
	if err := d.command(d.cfg.InitSequence()...); err != nil {
		return err
	}
	// Clear all of RAM, the icon page too, so no column outside the glass
	// or stale icon shows.
	blank := make([]byte, RAMColumns)
	for p := 0; p <= iconPage; p++ {
		if err := d.writePage(p, 0, blank); err != nil {
			return err
		}
	}
	return d.command(cmdDisplayOn)
}

// Info reports the panel: Width x 64, mono.
func (d *Dev) Info() hal.DisplayInfo {
	return hal.DisplayInfo{Width: d.cfg.Width, Height: Height, Mono: true}
}

// Show puts frame on the panel: pixels darker than half grey are drawn.
func (d *Dev) Show(frame image.Image) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	Pack(d.page, frame)
	first := d.shown == nil
	if first {
		d.shown = make([][]byte, pages)
	}
	for p := range d.page {
		if !first && string(d.page[p]) == string(d.shown[p]) {
			continue
		}
		if err := d.writePage(p, d.cfg.ColumnOffset, d.page[p]); err != nil {
			d.shown = nil // the panel's content is unknown: resend all next time
			return fmt.Errorf("st7567: show: %w", err)
		}
		d.shown[p] = append(d.shown[p][:0], d.page[p]...)
	}
	return nil
}

// Halt turns the display off.
func (d *Dev) Halt() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.command(cmdDisplayOff)
}

// Pack converts frame into pages of column bytes (len(pages) pages of
// len(pages[0]) columns), bit 0 the top row of a page, a set bit dark.
// Pixels outside the frame are blank.
func Pack(pages [][]byte, frame image.Image) {
	b := frame.Bounds()
	for p, cols := range pages {
		for x := range cols {
			var v byte
			for bit := 0; bit < 8; bit++ {
				pt := image.Pt(b.Min.X+x, b.Min.Y+p*8+bit)
				if pt.In(b) && color.GrayModel.Convert(frame.At(pt.X, pt.Y)).(color.Gray).Y < 0x80 {
					v |= 1 << bit
				}
			}
			cols[x] = v
		}
	}
}

func (d *Dev) writePage(p, col int, data []byte) error {
	if err := d.command(cmdPage|byte(p), cmdColumnHigh|byte(col>>4), cmdColumnLow|byte(col&0x0f)); err != nil {
		return err
	}
	return d.data(data)
}

func (d *Dev) command(b ...byte) error {
	if err := d.dc.Out(gpio.Low); err != nil {
		return fmt.Errorf("A0 pin: %w", err)
	}
	return d.c.Tx(b, nil)
}

func (d *Dev) data(b []byte) error {
	if err := d.dc.Out(gpio.High); err != nil {
		return fmt.Errorf("A0 pin: %w", err)
	}
	return d.c.Tx(b, nil)
}
