package sipcore

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// testRegistrar is an in-test registrar written with sipgo: it challenges
// REGISTER with digest (qop=auth, one algorithm), checks the answer with
// its own verifier, insists that nc grows per nonce, grants at most grant
// seconds, and can be stopped and started again on the same address.
type testRegistrar struct {
	t         *testing.T
	network   string // udp, tcp, tls
	algorithm string // MD5 or SHA-256
	realm     string
	users     map[string]string
	grant     int
	minExp    int // answer 423 below this
	tlsConf   *tls.Config

	mu        sync.Mutex
	addr      string
	nonceNC   map[string]int
	status    int // when set, answer every REGISTER with it
	events    chan regRecord
	cancel    context.CancelFunc
	ua        *sipgo.UserAgent
	done      chan struct{}
	clientCNs []string
	expiresAt map[string]time.Time
}

// regRecord is one REGISTER or OPTIONS the registrar saw.
type regRecord struct {
	Method     string
	User       string
	Expires    int // requested
	Authorized bool
	NC         int
	Contact    string
	CallID     string
	RURI       string
	Route      string
	Live       bool // the user's binding had not expired when this arrived
}

func newRegistrar(t *testing.T, network, algorithm string) *testRegistrar {
	r := &testRegistrar{
		t: t, network: network, algorithm: algorithm, realm: "lab",
		users: map[string]string{"1001": "pass1001", "1002": "pass1002"},
		grant: 3600, addr: "127.0.0.1:0", nonceNC: map[string]int{}, expiresAt: map[string]time.Time{},
		events: make(chan regRecord, 4096),
	}
	t.Cleanup(r.stop)
	return r
}

func (r *testRegistrar) start() {
	r.t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-registrar"))
	if err != nil {
		r.t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	srv.OnRegister(r.onRegister)
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		r.record(regRecord{Method: "OPTIONS"})
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r.mu.Lock()
	addr := r.addr
	r.mu.Unlock()
	var serve func() error
	var closer func()
	switch r.network {
	case "udp":
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			r.t.Fatal(err)
		}
		addr, closer = c.LocalAddr().String(), func() { c.Close() }
		serve = func() error { return srv.ServeUDP(c) }
	case "tcp", "tls":
		l, err := net.Listen("tcp", addr)
		if err != nil {
			r.t.Fatal(err)
		}
		addr, closer = l.Addr().String(), func() { l.Close() }
		if r.network == "tls" {
			conf := r.tlsConf.Clone()
			conf.VerifyConnection = func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) > 0 {
					r.mu.Lock()
					r.clientCNs = append(r.clientCNs, cs.PeerCertificates[0].Subject.CommonName)
					r.mu.Unlock()
				}
				return nil
			}
			tl := tls.NewListener(l, conf)
			serve = func() error { return srv.ServeTLS(tl) }
		} else {
			serve = func() error { return srv.ServeTCP(l) }
		}
	}
	go func() { <-ctx.Done(); closer() }()
	go func() {
		defer close(done)
		_ = serve()
	}()
	r.mu.Lock()
	r.addr, r.cancel, r.ua, r.done = addr, cancel, ua, done
	r.mu.Unlock()
}

func (r *testRegistrar) stop() {
	r.mu.Lock()
	cancel, ua, done := r.cancel, r.ua, r.done
	r.cancel = nil
	r.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	ua.Close()
	<-done
}

func (r *testRegistrar) hostPort() (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, p, _ := net.SplitHostPort(r.addr)
	n, _ := strconv.Atoi(p)
	return h, n
}

func (r *testRegistrar) setStatus(code int) {
	r.mu.Lock()
	r.status = code
	r.mu.Unlock()
}

func (r *testRegistrar) challenge(req *sip.Request, tx sip.ServerTransaction) {
	var b [12]byte
	rand.Read(b[:])
	n := hex.EncodeToString(b[:])
	r.mu.Lock()
	r.nonceNC[n] = 0
	r.mu.Unlock()
	res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
	res.AppendHeader(sip.NewHeader("WWW-Authenticate",
		fmt.Sprintf(`Digest realm="%s", nonce="%s", algorithm=%s, qop="auth"`, r.realm, n, r.algorithm)))
	_ = tx.Respond(res)
}

func (r *testRegistrar) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	rec := regRecord{Method: "REGISTER", User: req.To().Address.User, CallID: req.CallID().Value(), RURI: req.Recipient.String()}
	if rt := req.GetHeader("Route"); rt != nil {
		rec.Route = rt.Value()
	}
	if c := req.Contact(); c != nil {
		rec.Contact = c.Address.String()
	}
	rec.Expires = -1
	if h := req.GetHeader("Expires"); h != nil {
		rec.Expires, _ = strconv.Atoi(strings.TrimSpace(h.Value()))
	}
	r.mu.Lock()
	status := r.status
	rec.Live = time.Now().Before(r.expiresAt[rec.User])
	r.mu.Unlock()
	if status != 0 {
		r.record(rec)
		_ = tx.Respond(sip.NewResponseFromRequest(req, status, "Test Status", nil))
		return
	}
	h := req.GetHeader("Authorization")
	if h == nil {
		r.record(rec)
		r.challenge(req, tx)
		return
	}
	c, err := parseCredentials(h.Value())
	if err != nil {
		r.t.Errorf("registrar: bad Authorization %q: %v", h.Value(), err)
		r.challenge(req, tx)
		return
	}
	nc, _ := strconv.ParseInt(c["nc"], 16, 32)
	rec.NC = int(nc)
	r.mu.Lock()
	last, known := r.nonceNC[c["nonce"]]
	fresh := known && int(nc) > last
	if fresh {
		r.nonceNC[c["nonce"]] = int(nc)
	}
	r.mu.Unlock()
	pass, ok := r.users[c["username"]]
	if !fresh || !ok || !strings.EqualFold(c["algorithm"], r.algorithm) || c["realm"] != r.realm ||
		c["uri"] != req.Recipient.String() || !verifyResponse(c, "REGISTER", pass) {
		r.record(rec)
		r.challenge(req, tx)
		return
	}
	rec.Authorized = true
	r.record(rec)
	if rec.Expires > 0 && rec.Expires < r.minExp {
		res := sip.NewResponseFromRequest(req, 423, "Interval Too Brief", nil)
		res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(r.minExp)))
		_ = tx.Respond(res)
		return
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	if ct := req.Contact(); ct != nil && rec.Expires != 0 {
		g := min(rec.Expires, r.grant)
		r.mu.Lock()
		r.expiresAt[rec.User] = time.Now().Add(time.Duration(g) * time.Second)
		r.mu.Unlock()
		cc := ct.Clone()
		cc.Params = sip.NewParams()
		cc.Params.Add("expires", strconv.Itoa(g))
		res.AppendHeader(cc)
	}
	_ = tx.Respond(res)
}

// next returns the next record matching ok, failing the test after many
// unrelated ones or when the registrar saw nothing for a long time.
func (r *testRegistrar) next(ok func(regRecord) bool) regRecord {
	r.t.Helper()
	guard := timeoutGuard()
	for {
		select {
		case rec := <-r.events:
			if ok(rec) {
				return rec
			}
		case <-guard:
			r.t.Fatal("registrar: expected request not seen")
		}
	}
}

func authorized(rec regRecord) bool { return rec.Method == "REGISTER" && rec.Authorized }

// record keeps rec for next; a test that stopped reading loses the rest.
func (r *testRegistrar) record(rec regRecord) {
	select {
	case r.events <- rec:
	default:
	}
}
