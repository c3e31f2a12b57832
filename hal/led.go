package hal

// LED names one indicator.
type LED string

const (
	LEDMessage LED = "message"
	LEDSpeaker LED = "speaker"
	LEDHeadset LED = "headset"
	LEDMute    LED = "mute"
	LEDLine1   LED = "line1"
	LEDLine2   LED = "line2"
	LEDLine3   LED = "line3"
	LEDLine4   LED = "line4"
)

// LEDState is what an indicator shows.
type LEDState int

const (
	LEDOff LEDState = iota
	LEDOn
	LEDBlink     // about 1 Hz: ringing, held call
	LEDFastBlink // about 4 Hz: alert
)

func (s LEDState) String() string {
	switch s {
	case LEDOn:
		return "on"
	case LEDBlink:
		return "blink"
	case LEDFastBlink:
		return "fastblink"
	}
	return "off"
}

// LEDs drives the phone's indicators.
type LEDs interface {
	SetLED(led LED, s LEDState) error
}
