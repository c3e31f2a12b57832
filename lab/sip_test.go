package lab_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"deskphone/lab"
)

// TestSIP: the remote party registered with digest authentication; a second
// baresip on the phone's LAN registers through the switch, calls it; it
// answers with SRTP and audio flows both ways; sipsak delivers a check-sync
// NOTIFY to the caller.
func TestSIP(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{SIP: true, Remote: true, PhoneAddress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if l.RemoteUA == nil || !l.RemoteUA.Running() {
		t.Fatal("remote party not running")
	}
	caller, err := l.StartUA(ctx, lab.UAOptions{Name: "caller", NS: l.PhoneNS, Addr: lab.AddrPhone, User: lab.SIPUsers[3]})
	if err != nil {
		t.Fatal(err)
	}

	type result struct {
		established, srtp bool
		err               error
	}
	done := make(chan result, 1)
	subscribed := make(chan struct{})
	go func() {
		var r result
		first := true
		r.err = l.RemoteUA.Events(ctx, func(e lab.Event) bool {
			if first {
				first = false
			}
			switch e.Type {
			case "CALL_ESTABLISHED":
				r.established = true
			case "CALL_MENC":
				r.srtp = strings.Contains(e.Raw, "AES_CM_128_HMAC_SHA1_80")
			}
			return r.established && r.srtp
		})
		done <- r
	}()
	// ctrl_tcp sends events only to connected clients: give it the connection first.
	go func() { time.Sleep(300 * time.Millisecond); close(subscribed) }()
	<-subscribed
	if _, err := caller.Command(ctx, "dial", l.Remote.URI); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || !r.established || !r.srtp {
		t.Fatalf("remote party: established=%v srtp=%v err=%v", r.established, r.srtp, r.err)
	}
	time.Sleep(1500 * time.Millisecond) // some media
	if _, err := caller.Command(ctx, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	if err := caller.WaitOutput(ctx, regexpOf(`(?i)terminated|closed`)); err != nil {
		t.Error(err)
	}
	recs, err := l.RemoteUA.Recordings()
	if err != nil {
		t.Fatal(err)
	}
	var gotDec bool
	for _, f := range recs {
		if st, err := os.Stat(f); err == nil && strings.HasSuffix(f, "-dec.wav") && st.Size() > 44+8000 {
			gotDec = true
		}
	}
	if !gotDec {
		t.Errorf("remote party recorded no received audio: %v", recs)
	}

	// check-sync NOTIFY straight to the caller: baresip answers 481 out of dialog.
	out, err := l.CheckSync(ctx, "sip:"+lab.SIPUsers[3].User+"@"+lab.AddrPhone+":5060", false, "")
	if !strings.Contains(out, "481") {
		t.Errorf("check-sync NOTIFY: no 481 from baresip (err %v):\n%s", err, out)
	}
}

// TestRegistrarAuth: Kamailio challenges and rejects a wrong password.
func TestRegistrarAuth(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{SIP: true, PhoneAddress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := l.StartUA(ctx, lab.UAOptions{Name: "badpw", NS: l.PhoneNS, Addr: lab.AddrPhone,
		User: lab.Login{User: lab.SIPUsers[0].User, Password: "wrong"}})
	if err == nil {
		t.Fatal("registered with a wrong password")
	}
	for _, transport := range []string{"tcp", "tls"} {
		ua, err := l.StartUA(ctx, lab.UAOptions{Name: "ok-" + transport, NS: l.PhoneNS, Addr: lab.AddrPhone,
			Port: 5070 + 10*len(transport), User: lab.SIPUsers[0], Transport: transport})
		if err != nil {
			t.Fatalf("%s: %v", transport, err)
		}
		ua.Stop(2 * time.Second)
	}
}
