package provision

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"deskphone/status"
)

func htekUser(u string) []byte {
	return []byte(`<hl_provision version="1"><config version="1"><P35>` + u + `</P35></config></hl_provision>`)
}

// waitProvision waits for the next published pass.
func waitProvision(t *testing.T, hub *status.Hub, seq uint64) (status.Provision, uint64) {
	t.Helper()
	for {
		p, s, err := hub.Wait(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		seq = s
		if !p.Provision.At.IsZero() {
			return p.Provision, seq
		}
	}
}

func TestEngineRunAndCheckSync(t *testing.T) {
	fs := newFiles(map[string][]byte{"cfg001122334455.xml": htekUser("1001")})
	s := httptestServer(t, fs)
	p := newPhone(t, &HTTPFetcher{})
	hub := status.NewHub(status.Phone{})
	e := &Engine{Prov: p, Hub: hub, DHCP: func() []byte { return opt(160, []byte(s.URL+"/")) }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	_, seq := hub.Snapshot()
	go func() { done <- e.Run(ctx) }()

	// At start: discovered through DHCP option 160.
	res, seq := waitProvision(t, hub, seq)
	if res.Result != ResultOK || res.Server != s.URL+"/" || p.Store.String("sip.line1.user") != "1001" {
		t.Fatalf("first pass: %+v", res)
	}
	// On demand.
	fs.set("cfg001122334455.xml", htekUser("2002"))
	e.CheckSync()
	res, seq = waitProvision(t, hub, seq)
	if p.Store.String("sip.line1.user") != "2002" || e.Last().At != res.At {
		t.Fatalf("check-sync pass: %+v, user %s", res, p.Store.String("sip.line1.user"))
	}
	// A configured server comes before DHCP.
	other := newFiles(map[string][]byte{"cfg001122334455.xml": htekUser("3003")})
	s2 := httptestServer(t, other)
	if err := p.Store.Set("provision.server_url", s2.URL+"/"); err != nil {
		t.Fatal(err)
	}
	e.CheckSync()
	res, _ = waitProvision(t, hub, seq)
	if res.Server != s2.URL+"/" || p.Store.String("sip.line1.user") != "3003" {
		t.Fatalf("configured server: %+v", res)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
}

func TestEngineNoServer(t *testing.T) {
	hub := status.NewHub(status.Phone{Provision: status.Provision{Result: ResultOK, Server: "file"}})
	e := &Engine{Prov: newPhone(t, memFetcher{}), Hub: hub}
	res := e.Once(context.Background())
	if res.Result != ResultFailed || !strings.Contains(res.Files[0].Reason, "no provisioning server") {
		t.Fatalf("%+v", res)
	}
	if p, _ := hub.Snapshot(); p.Provision.Server != "file" {
		t.Fatalf("a pass without a server replaced the published result: %+v", p.Provision)
	}
}

func TestRunCommand(t *testing.T) {
	p := newPhone(t, memFetcher{
		"/cfg001122334455.xml": htekUser("1001"),
		"/001122334455.xml":    []byte(`<settings><phone-settings><user_expiry idx="1">5</user_expiry></phone-settings></settings>`),
	})
	var out bytes.Buffer
	code := RunCommand(context.Background(), &out, p, "http://server/")
	got := out.String()
	for _, want := range []string{
		"provision partial from http://server/",
		"skipped   1230SIP.cfg: not on the server",
		"applied   cfg001122334455.xml",
		"rejected  001122334455.xml: 001122334455.xml:1: setting sip.line1.expiry",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	p.Fetcher = memFetcher{"/cfg001122334455.xml": htekUser("1001")}
	if code := RunCommand(context.Background(), &out, p, "http://server/"); code != 0 {
		t.Errorf("all good: exit code %d", code)
	}
}
