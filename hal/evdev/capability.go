package evdev

// HasDigitKeys reports whether a key capability bitmap (EVIOCGBIT(EV_KEY),
// bit n for key code n, least significant bit first) has KEY_1 .. KEY_0.
func HasDigitKeys(bits []byte) bool {
	for code := key1; code <= key0; code++ {
		if code/8 >= len(bits) || bits[code/8]&(1<<(code%8)) == 0 {
			return false
		}
	}
	return true
}
