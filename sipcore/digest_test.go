package sipcore

import (
	"strings"
	"testing"
	"time"
)

// RFC vectors for the server-side verifier.
func TestExpectedResponseVectors(t *testing.T) {
	cases := []struct {
		name, method, password, want string
		c                            credentials
	}{
		{"RFC 2617 3.5", "GET", "Circle Of Life", "6629fae49393a05397450978507c4ef1", credentials{
			"username": "Mufasa", "realm": "testrealm@host.com", "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
			"uri": "/dir/index.html", "qop": "auth", "nc": "00000001", "cnonce": "0a4f113b"}},
		{"RFC 7616 3.9.1 MD5", "GET", "Circle of Life", "8ca523f5e9506fed4657c9700eebdbec", credentials{
			"username": "Mufasa", "realm": "http-auth@example.org", "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
			"uri": "/dir/index.html", "qop": "auth", "nc": "00000001", "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "algorithm": "MD5"}},
		{"RFC 7616 3.9.1 SHA-256", "GET", "Circle of Life", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", credentials{
			"username": "Mufasa", "realm": "http-auth@example.org", "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
			"uri": "/dir/index.html", "qop": "auth", "nc": "00000001", "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "algorithm": "SHA-256"}},
	}
	for _, tc := range cases {
		got, err := expectedResponse(tc.c, tc.method, tc.password)
		if err != nil || got != tc.want {
			t.Errorf("%s: %s, %v; want %s", tc.name, got, err, tc.want)
		}
		tc.c["response"] = strings.ToUpper(tc.want)
		if !verifyResponse(tc.c, tc.method, tc.password) {
			t.Errorf("%s: valid response refused", tc.name)
		}
		if verifyResponse(tc.c, tc.method, tc.password+"x") || verifyResponse(tc.c, "POST", tc.password) {
			t.Errorf("%s: wrong password or method accepted", tc.name)
		}
	}
	if _, err := expectedResponse(credentials{"algorithm": "MD5-sess"}, "NOTIFY", "x"); err == nil {
		t.Error("MD5-sess accepted")
	}
	if _, err := expectedResponse(credentials{"qop": "auth"}, "NOTIFY", "x"); err == nil {
		t.Error("qop=auth without nc/cnonce accepted")
	}
}

func TestParseCredentials(t *testing.T) {
	c, err := parseCredentials(`Digest username="1001", realm="deskphone",nonce="abc", uri="sip:1001@127.0.0.1:5060", response="0123", algorithm=MD5, qop=auth, nc=00000001, cnonce="x\"y"`)
	if err != nil {
		t.Fatal(err)
	}
	want := credentials{"username": "1001", "realm": "deskphone", "nonce": "abc", "uri": "sip:1001@127.0.0.1:5060",
		"response": "0123", "algorithm": "MD5", "qop": "auth", "nc": "00000001", "cnonce": `x"y`}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %q, want %q", k, c[k], v)
		}
	}
	for _, bad := range []string{
		`Basic dXNlcjpwYXNz`, `Digest`, `Digest username="1001`, `Digest username="a", username="b"`,
		`Digest username`, `Digest =x`, `Digest a=b c=d`, `Digest a=`, "Digest " + strings.Repeat("a", 5000),
	} {
		if _, err := parseCredentials(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNonceStore(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newNonceStore(30*time.Second, func() time.Time { return now })
	a, b := s.issue(), s.issue()
	if a == b || len(a) != 32 {
		t.Fatalf("nonces %q %q", a, b)
	}
	if !s.consume(a) || s.consume(a) {
		t.Fatal("a nonce must be good exactly once")
	}
	now = now.Add(31 * time.Second)
	if s.consume(b) {
		t.Fatal("expired nonce accepted")
	}
	if s.consume("never-issued") {
		t.Fatal("unknown nonce accepted")
	}
	first := s.issue()
	for range maxNonces {
		now = now.Add(time.Millisecond)
		s.issue()
	}
	if s.consume(first) || len(s.issued) > maxNonces {
		t.Fatalf("store not bounded: %d nonces", len(s.issued))
	}
}

func TestParseEvent(t *testing.T) {
	cases := []struct {
		in, pkg, reboot string
		ok              bool
	}{
		{"check-sync", "check-sync", "", true},
		{"check-sync;reboot=true", "check-sync", "true", true},
		{" Check-Sync ; Reboot = \"false\" ", "check-sync", "false", true},
		{"message-summary", "message-summary", "", true},
		{"", "", "", false},
		{";reboot=true", "", "", false},
		{"check sync", "", "", false},
		{"check-sync;=x", "", "", false},
	}
	for _, tc := range cases {
		pkg, params, err := parseEvent(tc.in)
		if (err == nil) != tc.ok || pkg != tc.pkg || params["reboot"] != tc.reboot {
			t.Errorf("%q: %q %v %v", tc.in, pkg, params, err)
		}
	}
}

func TestRefreshAndBackoff(t *testing.T) {
	for _, tc := range []struct{ granted, want time.Duration }{
		{3600 * time.Second, 2880 * time.Second},
		{60 * time.Second, 48 * time.Second},
		{20 * time.Second, 15 * time.Second},
		{4 * time.Second, 2 * time.Second},
		{time.Second, 500 * time.Millisecond},
	} {
		if got := refreshDelay(tc.granted); got != tc.want {
			t.Errorf("refresh of %v at %v, want %v", tc.granted, got, tc.want)
		}
	}
	tm := Timing{RetryMin: 5 * time.Second, RetryMax: 300 * time.Second}
	var got []time.Duration
	for n := 1; n <= 8; n++ {
		got = append(got, backoff(tm, n)/time.Second)
	}
	want := []time.Duration{5, 10, 20, 40, 80, 160, 300, 300}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoff %v, want %v", got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Line{Index: 1, Enabled: true, User: "1001", Registrar: "pbx.example", Transport: TLS, Security: Encrypted}
	if err := (Config{Lines: []Line{good}}).Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		mut  func(*Line)
		want string
	}{
		{func(l *Line) { l.Transport = UDP }, "encrypted requires transport tls, not udp"},
		{func(l *Line) { l.Transport = TCP; l.Security = Authenticated }, "authenticated requires transport tls, not tcp"},
		{func(l *Line) { l.Transport = "sctp" }, `transport: "sctp"`},
		{func(l *Line) { l.User = "" }, "user: empty"},
		{func(l *Line) { l.User = "a@b" }, "not a SIP user part"},
		{func(l *Line) { l.Registrar = "bad host!" }, "registrar"},
		{func(l *Line) { l.BackupRegistrar = "b.example:99999" }, "backup registrar"},
		{func(l *Line) { l.Expiry = time.Millisecond }, "expiry"},
		{func(l *Line) { l.Index = 0 }, "index 0"},
	}
	for _, tc := range cases {
		l := good
		tc.mut(&l)
		err := (Config{Lines: []Line{l}}).Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", l, err, tc.want)
		}
	}
	dup := Config{Lines: []Line{good, good}}
	if err := dup.Validate(); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Errorf("duplicate index: %v", err)
	}
	l2 := good
	l2.Index = 2
	if err := (Config{Lines: []Line{good, l2}}).Validate(); err == nil || !strings.Contains(err.Error(), "already used by line 1") {
		t.Errorf("duplicate user: %v", err)
	}
	// Secrets never show in errors.
	l3 := good
	l3.Password = "s3cret-pw"
	l3.Transport = UDP
	if err := (Config{Lines: []Line{l3}}).Validate(); err == nil || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("error %v", err)
	}
	if _, err := New(Config{Lines: []Line{l3}}, Hooks{}); err == nil {
		t.Error("New accepted encrypted over UDP")
	}
}
