package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckSync sends an out-of-dialog "NOTIFY Event: check-sync" with sipsak
// from the services namespace, as a PBX or provisioning server does.
// target is the phone's SIP URI, e.g. "sip:1001@10.99.0.100:5060"; the
// request goes straight to the host in it (via the PBX: put the PBX's host in
// the URI). A non-empty password answers a 401/407 challenge for the URI's
// user. It returns sipsak's output; err is non-nil unless a 2xx came back.
func (l *Lab) CheckSync(ctx context.Context, target string, reboot bool, password string) (string, error) {
	ruri, _, _ := strings.Cut(target, ";")
	user := strings.TrimPrefix(ruri, "sip:")
	user, _, _ = strings.Cut(user, "@")
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	callID := hex.EncodeToString(rnd[:])
	// sipsak's -G substitution corrupts digest: the request is rendered here.
	req := strings.Join([]string{
		"NOTIFY " + ruri + " SIP/2.0",
		"From: <sip:provisioning@" + AddrProv + ">;tag=" + callID[:8],
		"To: <" + ruri + ">",
		"Call-ID: " + callID + "@" + AddrProv,
		"CSeq: 1 NOTIFY",
		"Max-Forwards: 70",
		"Contact: <sip:provisioning@" + AddrProv + ">",
		fmt.Sprintf("Event: check-sync;reboot=%t", reboot),
		"Subscription-State: terminated",
		"Content-Length: 0",
		"", "",
	}, "\r\n")
	f, err := os.CreateTemp(l.Dir, "checksync-*.sip")
	if err != nil {
		return "", fmt.Errorf("check-sync: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(req); err != nil {
		f.Close()
		return "", fmt.Errorf("check-sync: %w", err)
	}
	f.Close()
	args := []string{"sipsak", "-f", filepath.Clean(f.Name()), "-H", AddrProv, "-s", target, "-u", user, "-vv"}
	if password != "" {
		args = append(args, "-a", password)
	}
	out, err := l.Command(ctx, l.ServicesNS, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("check-sync to %s: %w", target, err)
	}
	return string(out), nil
}
