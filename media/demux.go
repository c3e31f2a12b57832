package media

import (
	"time"

	"github.com/pion/rtp"
)

// Demux returns a SessionConfig.Deliver that sends audio packets of audioPT
// to the jitter buffer and telephone events of dtmfPT to onDigit (each digit
// once). Other payload types are ignored: a peer may switch codecs only by
// re-INVITE, which builds a new session.
func Demux(jb *JitterBuffer, audioPT uint8, dtmfPT uint8, onDigit func(rune)) func(*rtp.Packet, time.Time) {
	var dtmf DTMFReceiver
	return func(p *rtp.Packet, at time.Time) {
		switch {
		case p.PayloadType == audioPT:
			jb.Push(Frame{Timestamp: p.Timestamp, Seq: p.SequenceNumber, Payload: p.Payload}, at)
		case dtmfPT != 0 && p.PayloadType == dtmfPT && onDigit != nil:
			if d, ok, err := dtmf.Receive(p.Timestamp, p.Payload); err == nil && ok {
				onDigit(d)
			}
		}
	}
}
