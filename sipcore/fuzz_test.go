package sipcore

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// FuzzNotify feeds raw SIP bytes through sipgo's parser into the NOTIFY
// handler. With the challenge on nothing may be accepted (the nonces are
// random), and every request gets one of the answers the handler gives.
func FuzzNotify(f *testing.F) {
	f.Add([]byte("NOTIFY sip:1001@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:prov@127.0.0.1>;tag=1\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: a@b\r\nCSeq: 1 NOTIFY\r\nEvent: check-sync;reboot=true\r\nContent-Length: 0\r\n\r\n"), false)
	f.Add([]byte("NOTIFY sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\nFrom: <sip:p@h>;tag=2\r\nTo: <sip:1001@h>\r\nCall-ID: c\r\nCSeq: 2 NOTIFY\r\nEvent: check-sync\r\nAuthorization: Digest username=\"1001\", realm=\"deskphone\", nonce=\"00\", uri=\"sip:1001@127.0.0.1\", response=\"d41d8cd98f00b204e9800998ecf8427e\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"c\"\r\nContent-Length: 0\r\n\r\n"), true)
	f.Add([]byte("NOTIFY sip:1002@h SIP/2.0\r\nVia: SIP/2.0/TCP h\r\nCall-ID: x\r\nCSeq: 1 NOTIFY\r\no: message-summary\r\nl: 0\r\n\r\n"), false)
	lines := []Line{
		Line{Index: 1, User: "1001", AuthUser: "1001", Password: "pass1001"},
		Line{Index: 2, User: "1002", AuthUser: "1002", Password: "pass1002"},
	}
	nonces := newNonceStore(30*time.Second, nil)
	f.Fuzz(func(t *testing.T, data []byte, challenge bool) {
		msg, err := sip.ParseMessage(data)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		res, ev := handleNotify(req, checkSyncState{lines: lines, challenge: challenge, realm: DefaultRealm}, nonces)
		switch res.StatusCode {
		case 200:
			if challenge || !ev.Accepted {
				t.Fatalf("accepted with challenge=%v: %+v", challenge, ev)
			}
		case 401, 404, 489:
			if ev.Accepted {
				t.Fatalf("%d but accepted", res.StatusCode)
			}
		default:
			t.Fatalf("status %d", res.StatusCode)
		}
		_ = res.String()
	})
}

// FuzzCredentials: the Authorization parser and the verifier never panic,
// and what parses has only token names.
func FuzzCredentials(f *testing.F) {
	f.Add(`Digest username="1001", realm="deskphone", nonce="abc", uri="sip:1001@h", response="00", algorithm=MD5, qop=auth, nc=00000001, cnonce="x"`)
	f.Add(`Digest username="a\"b", realm=r,nonce=n`)
	f.Add(`digest  qop=auth, algorithm=SHA-256`)
	f.Fuzz(func(t *testing.T, v string) {
		c, err := parseCredentials(v)
		if err != nil {
			return
		}
		for k := range c {
			if !isToken(k) {
				t.Fatalf("parameter name %q", k)
			}
		}
		verifyResponse(c, "NOTIFY", "pw")
	})
}
