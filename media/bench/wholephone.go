package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"deskphone/lab"
	"deskphone/status"
)

// wholePhone is `firmware run -board sim` on the lab's LAN port: the
// product as it boots (802.1X, DHCP, provisioning, the web and simulator
// pages, the LCD), its line registered over TLS with media encryption
// required. It is driven through the simulator's API, as a person would
// press the keys.
type wholePhone struct {
	proc *lab.Process
	api  *lab.PhoneAPI
}

// startWholePhone starts the phone as SIPUsers[2] and returns once its line
// is registered. It must run before anything else uses the phone
// namespace's LAN port: until it authenticates, the switch port is closed.
func startWholePhone(ctx context.Context, l *lab.Lab, fw string) (*wholePhone, error) {
	data := filepath.Join(l.Dir, "bench-phone-data")
	roots := filepath.Join(data, "certs", "roots")
	if err := os.MkdirAll(roots, 0o700); err != nil {
		return nil, fmt.Errorf("whole phone: %w", err)
	}
	ca, err := os.ReadFile(l.PKI.CA.Cert)
	if err != nil {
		return nil, fmt.Errorf("whole phone: %w", err)
	}
	if err := os.WriteFile(filepath.Join(roots, "lab-ca.pem"), ca, 0o600); err != nil {
		return nil, fmt.Errorf("whole phone: %w", err)
	}
	u := lab.SIPUsers[2]
	cfg := filepath.Join(l.Dir, "bench-phone.cfg")
	settings := []string{
		"dot1x.mode = 1", "dot1x.identity = " + l.EAP.MD5.User, "dot1x.password = " + l.EAP.MD5.Password,
		fmt.Sprintf("provision.server_url = http://%s:%d/bench/", l.Prov.Addr, l.Prov.HTTPPort),
		"sip.line1.enabled = on", "sip.line1.user = " + u.User, "sip.line1.password = " + u.Password,
		"sip.line1.registrar = " + lab.HostPBX, fmt.Sprintf("sip.line1.registrar_port = %d", l.PBX.TLSPort),
		"sip.line1.transport = tls", "sip.line1.security = encrypted",
	}
	if err := os.WriteFile(cfg, []byte(strings.Join(settings, "\n")+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("whole phone: %w", err)
	}
	args := []string{fw, "run", "-board", "sim", "-data", data, "-config", cfg, "-http", "127.0.0.1:8080", "-lan", l.PhoneLAN.Name}
	p, err := l.Spawn("bench-phone-run", l.PhoneNS, args...)
	if err != nil {
		return nil, err
	}
	w := &wholePhone{proc: p, api: lab.NewPhoneAPI(l.PhoneNS, "127.0.0.1:8080")}
	// 802.1X, DHCP and registration; the phone may first wait out a
	// supplicant timer, as after any restart.
	if _, err := w.waitStatus(ctx, 90*time.Second, "registered", func(st status.Phone) bool {
		return len(st.Lines) > 0 && st.Lines[0].State == status.LineRegistered
	}); err != nil {
		w.stop()
		return nil, err
	}
	return w, nil
}

func (w *wholePhone) stop() { w.proc.Stop(3 * time.Second) }

func (w *wholePhone) waitStatus(ctx context.Context, timeout time.Duration, what string, cond func(status.Phone) bool) (status.Phone, error) {
	deadline := time.Now().Add(timeout)
	for {
		st, err := w.api.Status(ctx)
		if err == nil && cond(st) {
			return st, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return st, fmt.Errorf("whole phone never %s (err %v; network %+v; 802.1X %+v; lines %+v; calls %+v); its log:\n%s",
				what, err, st.Network, st.Dot1X, st.Lines, st.Calls, w.proc.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wholePhoneCall dials the remote party on the keypad, samples the phone
// and the remote baresip while the call is up, and hangs up with End.
func wholePhoneCall(ctx context.Context, l *lab.Lab, w *wholePhone, dur time.Duration) (callResult, error) {
	var keys []string
	for _, d := range l.Remote.User.User {
		keys = append(keys, string(d))
	}
	if err := w.api.Press(ctx, strings.Join(keys, " ")+" SOFT1"); err != nil { // SOFT1: Dial
		return callResult{}, err
	}
	st, err := w.waitStatus(ctx, 30*time.Second, "in an established call", func(st status.Phone) bool {
		return len(st.Calls) > 0 && st.Calls[0].State == "established"
	})
	if err != nil {
		return callResult{}, err
	}
	c := st.Calls[0]
	if c.Codec != "PCMU" || c.SRTPSuite != "AES_CM_128_HMAC_SHA1_80" {
		return callResult{}, fmt.Errorf("whole phone: negotiated %s %s, want PCMU AES_CM_128_HMAC_SHA1_80", c.Codec, c.SRTPSuite)
	}
	r, err := sampleCall(ctx, "whole phone", w.proc.Pid(), l.RemoteUA.Pid(), dur)
	if err != nil {
		return r, err
	}
	r.detail = c.Codec + " " + c.SRTPSuite
	// The call went on the whole time: media still flowing at the end.
	end, err := w.api.Status(ctx)
	if err != nil || len(end.Calls) == 0 || end.Calls[0].State != "established" || end.Calls[0].PacketsReceived < c.PacketsReceived+uint64(dur/(40*time.Millisecond)) {
		return r, fmt.Errorf("whole phone: the call did not last (err %v, calls %+v)", err, end.Calls)
	}
	if err := w.api.Press(ctx, "SOFT4"); err != nil { // SOFT4: End
		return r, err
	}
	if _, err := w.waitStatus(ctx, 10*time.Second, "back to idle", func(st status.Phone) bool {
		return len(st.Calls) == 0 || st.Calls[0].State == "ended"
	}); err != nil {
		return r, err
	}
	return r, nil
}
