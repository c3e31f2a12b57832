package rootfs

import "deskphone/hal"

// QCodes is the keypad as QEMU's virtio keyboard presses it (QMP
// input-send-event / send-key qcodes), following the qemu-virt board's key
// map (package hal/evdev): the digits, KP '*' and KP '/' for * and #,
// the arrows, Enter for OK, Home for MENU, Backspace for BACK, F1-F4 the
// soft keys, F5-F8 the line keys, Space the hook, S/H/M speaker, headset
// and mute, '=' and '-' the volume.
var QCodes = map[hal.Key]string{
	hal.Key0: "0", hal.Key1: "1", hal.Key2: "2", hal.Key3: "3", hal.Key4: "4",
	hal.Key5: "5", hal.Key6: "6", hal.Key7: "7", hal.Key8: "8", hal.Key9: "9",
	hal.KeyStar: "kp_multiply", hal.KeyPound: "kp_divide",
	hal.KeyUp: "up", hal.KeyDown: "down", hal.KeyLeft: "left", hal.KeyRight: "right",
	hal.KeyOK: "ret", hal.KeyMenu: "home", hal.KeyBack: "backspace",
	hal.KeySoft1: "f1", hal.KeySoft2: "f2", hal.KeySoft3: "f3", hal.KeySoft4: "f4",
	hal.KeyLine1: "f5", hal.KeyLine2: "f6", hal.KeyLine3: "f7", hal.KeyLine4: "f8",
	hal.KeyHookOff: "spc", hal.KeyHookOn: "spc",
	hal.KeySpeaker: "s", hal.KeyHeadset: "h", hal.KeyMute: "m",
	hal.KeyVolUp: "equal", hal.KeyVolDown: "minus",
}
