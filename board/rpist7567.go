package board

import (
	"fmt"
	"log/slog"

	"deskphone/hal"
	"deskphone/hal/gpiokeypad"
	"deskphone/hal/st7567"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"
	"periph.io/x/host/v3"
)

func init() { register("rpi-st7567", openRPiST7567) }

// The rpi-st7567 board: a Raspberry Pi (3B+, 4 or another with the 40-pin
// header and on-board Ethernet) in a deskphone shell, with a 132x64 ST7567
// SPI LCD, a 6x6 key matrix and a hook switch. Pins are BCM GPIO numbers,
// header pin in brackets:
//
//	LCD    SPI0.0: MOSI GPIO10 [19], SCLK GPIO11 [23], CE0 GPIO8 [24]
//	       A0 (command/data) GPIO25 [22], RST GPIO24 [18], backlight GPIO18 [12] (high = on)
//	rows   GPIO5 [29], GPIO6 [31], GPIO13 [33], GPIO19 [35], GPIO26 [37], GPIO16 [36]
//	       (driven low in turn)
//	cols   GPIO17 [11], GPIO27 [13], GPIO22 [15], GPIO23 [16], GPIO12 [32], GPIO20 [38]
//	       (pulled up; one diode per key, cathode to the row)
//	hook   GPIO21 [40] to GND through the cradle switch: closed (low) with the
//	       handset down, open (pulled up, high) with it lifted
//	LAN    eth0; PC: a second Ethernet interface (USB adapter) if present
//
// The key matrix, rows by columns:
//
//	        col0   col1   col2   col3      col4     col5
//	row0    SOFT1  SOFT2  SOFT3  SOFT4     MENU     BACK
//	row1    LINE1  LINE2  LINE3  LINE4     UP       OK
//	row2    1      2      3      LEFT      DOWN     RIGHT
//	row3    4      5      6      SPEAKER   HEADSET  MUTE
//	row4    7      8      9      VOL_DOWN  VOL_UP   -
//	row5    *      0      #      -         -        -
//
// The LEDs are not wired on this revision (changes are logged). Audio is a
// USB sound card (handset, speaker and headset on its default device for
// now) through miniaudio in cgo builds; CGO_ENABLED=0 builds have none.
var rpiST7567 = struct {
	spi               string
	a0, rst, backlite string
	rows, cols        []string
	hook              string
	keys              [][]hal.Key
}{
	spi: "SPI0.0", a0: "GPIO25", rst: "GPIO24", backlite: "GPIO18",
	rows: []string{"GPIO5", "GPIO6", "GPIO13", "GPIO19", "GPIO26", "GPIO16"},
	cols: []string{"GPIO17", "GPIO27", "GPIO22", "GPIO23", "GPIO12", "GPIO20"},
	hook: "GPIO21",
	keys: [][]hal.Key{
		{hal.KeySoft1, hal.KeySoft2, hal.KeySoft3, hal.KeySoft4, hal.KeyMenu, hal.KeyBack},
		{hal.KeyLine1, hal.KeyLine2, hal.KeyLine3, hal.KeyLine4, hal.KeyUp, hal.KeyOK},
		{hal.Key1, hal.Key2, hal.Key3, hal.KeyLeft, hal.KeyDown, hal.KeyRight},
		{hal.Key4, hal.Key5, hal.Key6, hal.KeySpeaker, hal.KeyHeadset, hal.KeyMute},
		{hal.Key7, hal.Key8, hal.Key9, hal.KeyVolDown, hal.KeyVolUp, ""},
		{hal.KeyStar, hal.Key0, hal.KeyPound, "", "", ""},
	},
}

func openRPiST7567(opts Options) (_ *Board, err error) {
	var d devices
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	if _, err := host.Init(); err != nil {
		return nil, fmt.Errorf("periph host drivers: %w", err)
	}
	lcd, keys, err := rpiST7567Devices(&d, rpiHost{openSPI: spireg.Open, pin: gpioreg.ByName})
	if err != nil {
		return nil, err
	}
	lan, pc, err := d.openPorts("")
	if err != nil {
		return nil, err
	}
	b := &Board{
		Name:    "rpi-st7567",
		Display: lcd,
		Keypad:  keys,
		Audio:   boardAudio("rpi-st7567"),
		LEDs:    newLogLEDs(slog.Default().With("board", "rpi-st7567")),
		LAN:     lan,
		Run:     d.run,
	}
	if pc != nil {
		b.PC = pc
	}
	return b, nil
}

// rpiHost is what the board takes from the machine, by name: SPI ports and
// GPIO pins (periph's registries on the board; fakes in tests).
type rpiHost struct {
	openSPI func(name string) (spi.PortCloser, error)
	pin     func(name string) gpio.PinIO
}

// rpiST7567Devices opens the LCD and the keypad with its hook switch,
// adding them to d (the keypad's scanner to d's Run).
func rpiST7567Devices(d *devices, h rpiHost) (*st7567.Dev, *gpiokeypad.Keypad, error) {
	pins := rpiST7567
	pin := func(name string) (gpio.PinIO, error) {
		p := h.pin(name)
		if p == nil {
			return nil, fmt.Errorf("no GPIO pin %s on this machine", name)
		}
		return p, nil
	}

	// Display.
	port, err := h.openSPI(pins.spi)
	if err != nil {
		return nil, nil, fmt.Errorf("display: open %s (is SPI on: dtparam=spi=on?): %w", pins.spi, err)
	}
	d.onClose(port.Close)
	var a0, rst, light gpio.PinIO
	for _, p := range []struct {
		pin  *gpio.PinIO
		name string
	}{{&a0, pins.a0}, {&rst, pins.rst}, {&light, pins.backlite}} {
		if *p.pin, err = pin(p.name); err != nil {
			return nil, nil, fmt.Errorf("display: %w", err)
		}
	}
	lcd, err := st7567.New(port, a0, rst, st7567.DefaultConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("display: %w", err)
	}
	d.onClose(lcd.Halt)
	if err := light.Out(gpio.High); err != nil {
		return nil, nil, fmt.Errorf("display: backlight %s: %w", pins.backlite, err)
	}
	d.onClose(func() error { return light.Out(gpio.Low) })

	// Keypad and hook switch.
	kc := gpiokeypad.Config{Keys: pins.keys, HookOffLevel: gpio.High}
	for _, name := range pins.rows {
		p, err := pin(name)
		if err != nil {
			return nil, nil, fmt.Errorf("keypad: %w", err)
		}
		kc.Rows = append(kc.Rows, p)
	}
	for _, name := range pins.cols {
		p, err := pin(name)
		if err != nil {
			return nil, nil, fmt.Errorf("keypad: %w", err)
		}
		kc.Cols = append(kc.Cols, p)
	}
	if kc.Hook, err = pin(pins.hook); err != nil {
		return nil, nil, fmt.Errorf("hook switch: %w", err)
	}
	keys, err := gpiokeypad.New(kc)
	if err != nil {
		return nil, nil, fmt.Errorf("keypad: %w", err)
	}
	d.onRun("keypad", keys.Run)
	return lcd, keys, nil
}
