// Package hal is the phone's hardware abstraction layer: the small interfaces
// through which every other package reaches the LCD, the keypad and hook
// switch, the audio endpoints, the Ethernet ports and the LEDs.
//
// Drivers live in sub-packages (hal/sim for the in-memory simulator; Linux and
// real-board drivers come with their boards). A board profile chooses them.
package hal
