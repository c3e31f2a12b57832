// Package evdev is a hal.Keypad on a Linux input device (/dev/input/eventN):
// the QEMU board's virtio-keyboard, or any keyboard-like device with digit
// keys. It reads struct input_event records (16 bytes on 32-bit ARM, 24 on
// 64-bit machines), keeps the key presses and maps them to phone keys.
//
// The key map (KeyMap, plus the keys the keypad handles itself):
//
//	Linux key                     phone key
//	1 .. 0, KP1 .. KP0            "1" .. "0"
//	KP*, Shift+8                  "*"
//	KP/, Shift+3                  "#"
//	Up, Down, Left, Right         UP, DOWN, LEFT, RIGHT
//	Enter, KPEnter                OK
//	Backspace, Esc                BACK
//	Home                          MENU
//	F1 .. F4                      SOFT1 .. SOFT4
//	F5 .. F8                      LINE1 .. LINE4
//	Space                         HOOK_OFF, then HOOK_ON, alternately (starts on hook)
//	S, H, M                       SPEAKER, HEADSET, MUTE
//	= (and Shift+= '+'), KP+      VOL_UP
//	-, KP-                        VOL_DOWN
//
// Only presses count: releases and autorepeats are dropped. Other keys are
// ignored. With QEMU, QMP send-key with qcodes "1", "kp_enter", "f1",
// "spc", ["shift","3"] drives it.
//
// Find picks the first device under /dev/input that reports EV_KEY with the
// digit keys KEY_1 .. KEY_0, so mice and power buttons are passed over.
// NextKey waits on the Go runtime's poller (the device is opened
// non-blocking), so a cancelled context ends it with no goroutine left
// behind.
package evdev
