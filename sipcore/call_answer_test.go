package sipcore

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"deskphone/media"
)

// rawCaller calls over UDP with no transaction layer of its own: it sends
// what it is told and sees every datagram, retransmissions included.
type rawCaller struct {
	t     *testing.T
	conn  *net.UDPConn
	phone *net.UDPAddr
	k     *caller // for the offer and the headers of a dialog
}

func newRawCaller(t *testing.T, h *harness, callee *testCallee) *rawCaller {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawCaller{t: t, conn: conn, phone: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: h.port()}, k: newCaller(t, callee, h)}
}

// send writes req with a Via of this socket and a fresh branch.
func (r *rawCaller) send(req *sip.Request) {
	r.t.Helper()
	a := r.conn.LocalAddr().(*net.UDPAddr)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "127.0.0.1", Port: a.Port, Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	req.PrependHeader(via)
	req.AppendHeader(sip.NewHeader("Max-Forwards", "70"))
	req.AppendHeader(sip.NewHeader("Content-Length", itoa(len(req.Body()))))
	if _, err := r.conn.WriteTo([]byte(req.String()), r.phone); err != nil {
		r.t.Fatal(err)
	}
}

// invite sends an INVITE from this socket's address.
func (r *rawCaller) invite() *sip.Request {
	r.t.Helper()
	a := r.conn.LocalAddr().(*net.UDPAddr)
	req := sip.NewRequest(sip.INVITE, r.k.phone)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "1002", Host: "127.0.0.1"}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1"}, Params: sip.NewParams()})
	callID := sip.CallIDHeader(sip.GenerateTagN(16))
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INVITE})
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "1002", Host: "127.0.0.1", Port: a.Port}})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(r.k.offer(media.SRTPOff, media.SendRecv))
	r.send(req)
	return req
}

// read collects what arrives within d.
func (r *rawCaller) read(d time.Duration) []sip.Message {
	r.t.Helper()
	var got []sip.Message
	buf := make([]byte, 65535)
	r.conn.SetReadDeadline(time.Now().Add(d))
	for {
		n, err := r.conn.Read(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return got
		}
		if err != nil {
			r.t.Fatal(err)
		}
		m, err := sip.ParseMessage(buf[:n])
		if err != nil {
			r.t.Fatalf("the phone sent something unparsable: %v\n%s", err, buf[:n])
		}
		got = append(got, m)
	}
}

// oks are the 200 responses in msgs.
func oks(msgs []sip.Message) []*sip.Response {
	var out []*sip.Response
	for _, m := range msgs {
		if res, ok := m.(*sip.Response); ok && res.StatusCode == 200 {
			out = append(out, res)
		}
	}
	return out
}

// fastSIPTimers shortens sipgo's T1 (and so 64*T1) for one test.
func fastSIPTimers(t *testing.T, t1 time.Duration) {
	t1Was, t2Was, t4Was := sip.T1, sip.T2, sip.T4
	t.Cleanup(func() { sip.SetTimers(t1Was, t2Was, t4Was) })
	sip.SetTimers(t1, 8*t1, 10*t1)
}

// TestIncomingAnswerResentUntilAck: over UDP our 200 to an INVITE is sent
// again at T1, 2*T1, 4*T1... until the ACK comes (RFC 3261 13.3.1.4), and
// not after it; the call stays up.
func TestIncomingAnswerResentUntilAck(t *testing.T) {
	fastSIPTimers(t, 50*time.Millisecond)
	h, callee, rec := incomingEngine(t)
	r := newRawCaller(t, h, callee)
	inv := r.invite()
	c := rec.next(t)
	if err := c.Answer(); err != nil {
		t.Fatal(err)
	}
	// 200s at about 0, 50, 150, 350 and 750 ms.
	sent := oks(r.read(600 * time.Millisecond))
	if len(sent) < 3 {
		t.Fatalf("%d copies of the 200 in 600 ms without an ACK, want the first and at least two more", len(sent))
	}
	for _, res := range sent[1:] {
		if res.String() != sent[0].String() {
			t.Fatalf("a retransmission differs from the 200:\n%s\n---\n%s", res, sent[0])
		}
	}
	ack := sip.NewRequest(sip.ACK, sent[0].Contact().Address)
	ack.AppendHeader(sip.HeaderClone(inv.From()))
	ack.AppendHeader(sip.HeaderClone(sent[0].To()))
	ack.AppendHeader(sip.HeaderClone(inv.CallID()))
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.ACK})
	r.send(ack)
	// One already on its way may cross the ACK; none after that.
	if n := len(oks(r.read(1500 * time.Millisecond))); n > 1 {
		t.Errorf("%d copies of the 200 after the ACK", n)
	}
	if c.State() != CallEstablished {
		t.Errorf("call %s after the ACK, want established", c.State())
	}
}

// TestIncomingAnswerNeverAcked: with no ACK for 64*T1 the phone gives up,
// sends BYE and ends the call with the reason.
func TestIncomingAnswerNeverAcked(t *testing.T) {
	fastSIPTimers(t, 20*time.Millisecond)
	h, callee, rec := incomingEngine(t)
	r := newRawCaller(t, h, callee)
	r.invite()
	c := rec.next(t)
	if err := c.Answer(); err != nil {
		t.Fatal(err)
	}
	drain(callee)
	if n := len(oks(r.read(600 * time.Millisecond))); n < 4 {
		t.Fatalf("%d copies of the 200 in 600 ms without an ACK", n)
	}
	select {
	case <-c.Done():
	case <-timeoutGuard():
		t.Fatal("the call did not end")
	}
	// In-dialog requests go through the line's next hop, the callee here.
	bye := false
	for !bye {
		select {
		case m := <-callee.methods:
			bye = m == "BYE"
		case <-timeoutGuard():
			t.Fatal("no BYE after 64*T1 without an ACK")
		}
	}
	if c.State() != CallEnded || c.Reason() == "" {
		t.Errorf("call %s, reason %q", c.State(), c.Reason())
	}
}
