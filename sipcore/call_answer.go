package sipcore

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// keepAnswer retransmits our 2xx to an INVITE that came over UDP until its
// ACK arrives (RFC 3261 13.3.1.4): the transaction layer does not, and a
// lost 200 would leave the caller ringing while we talk. The interval
// starts at T1 and doubles up to T2; with no ACK after 64*T1 the session
// is ended with a BYE, as the RFC says.
func (c *Call) keepAnswer(tx sip.ServerTransaction, ok *sip.Response) {
	giveUp := time.NewTimer(64 * sip.T1)
	defer giveUp.Stop()
	interval := sip.T1
	next := time.NewTimer(interval)
	defer next.Stop()
	for {
		select {
		case <-c.acked:
			return
		case <-tx.Acks():
			return
		case <-c.ended:
			return
		case <-giveUp.C:
			c.e.log.Warn("sip call: no ACK for our 200", "line", c.Line, "from", c.URI, "after", 64*sip.T1)
			ctx, cancel := context.WithTimeout(context.Background(), 32*sip.T1)
			_ = c.bye(ctx)
			cancel()
			c.end(CallEnded, "the caller never confirmed the answer (no ACK)")
			return
		case <-next.C:
			if err := tx.Respond(ok); err != nil {
				c.e.log.Warn("sip call: resend 200", "err", err)
			}
			interval = min(2*interval, sip.T2)
			next.Reset(interval)
		}
	}
}

// ackReceived notes the ACK of our 2xx.
func (c *Call) ackReceived() {
	if c.acked != nil {
		c.ackOnce.Do(func() { close(c.acked) })
	}
}
