package provision

import (
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func fetchString(t testing.TB, f Fetcher, raw string, limit int64) (string, error) {
	t.Helper()
	b, err := FetchBytes(context.Background(), f, mustURL(t, raw), limit)
	return string(b), err
}

var testFile = []byte("SIP_DOMAIN1 lab.example\n")

func TestFetchEachProtocol(t *testing.T) {
	fs := newFiles(map[string][]byte{"dir/a.cfg": testFile})
	ca := newCA(t, "prov root")
	https := httpsServer(t, fs.handler(), ca, nil, "127.0.0.1")
	plain := httptestServer(t, fs)
	tftpAddr := tftpServer(t, fs)
	ftpAddr := ftpServer(t, fs, "", "")
	f := Schemes{
		"http": &HTTPFetcher{}, "https": &HTTPFetcher{Roots: ca.pool()},
		"tftp": &TFTPFetcher{}, "ftp": &FTPFetcher{},
	}
	for _, base := range []string{plain.URL, https.URL, "tftp://" + tftpAddr, "ftp://" + ftpAddr} {
		t.Run(strings.SplitN(base, ":", 2)[0], func(t *testing.T) {
			got, err := fetchString(t, f, base+"/dir/a.cfg", 1024)
			if err != nil || got != string(testFile) {
				t.Fatalf("fetch = %q, %v", got, err)
			}
			_, err = fetchString(t, f, base+"/dir/missing.cfg", 1024)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("missing file: %v, want ErrNotFound", err)
			}
			_, err = fetchString(t, f, base+"/dir/a.cfg", 10)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("over the cap: %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestFetchFTPLogin(t *testing.T) {
	fs := newFiles(map[string][]byte{"a.cfg": testFile})
	addr := ftpServer(t, fs, "prov", "secret")
	f := &FTPFetcher{}
	if got, err := fetchString(t, f, "ftp://prov:secret@"+addr+"/a.cfg", 1024); err != nil || got != string(testFile) {
		t.Fatalf("with login: %q, %v", got, err)
	}
	_, err := fetchString(t, f, "ftp://prov:wrong@"+addr+"/a.cfg", 1024)
	if err == nil || !strings.Contains(err.Error(), "login refused") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v (must say login refused, not show the password)", err)
	}
}

func TestHTTPSSingleAuthBasic(t *testing.T) {
	ca := newCA(t, "prov root")
	fs := newFiles(map[string][]byte{"a.cfg": testFile})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "prov" || p != "secret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="prov"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fs.handler().ServeHTTP(w, r)
	})
	s := httpsServer(t, h, ca, nil, "127.0.0.1")
	good := &HTTPFetcher{Roots: ca.pool(), User: "prov", Password: "secret"}
	if got, err := fetchString(t, good, s.URL+"/a.cfg", 1024); err != nil || got != string(testFile) {
		t.Fatalf("basic: %q, %v", got, err)
	}
	_, err := fetchString(t, &HTTPFetcher{Roots: ca.pool(), User: "prov", Password: "nope"}, s.URL+"/a.cfg", 1024)
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "nope") {
		t.Fatalf("wrong password: %v", err)
	}
	_, err = fetchString(t, &HTTPFetcher{Roots: ca.pool()}, s.URL+"/a.cfg", 1024)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("no credentials: %v", err)
	}
}

func TestHTTPSSingleAuthDigest(t *testing.T) {
	ca := newCA(t, "prov root")
	fs := newFiles(map[string][]byte{"a.cfg": testFile})
	const realm, nonce = "prov", "dcd98b7102dd2f0e8b11d0f600bfb0c093"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if cred, err := digest.ParseCredentials(auth); err == nil && cred.Username == "prov" {
			ha1 := md5hex("prov:" + realm + ":secret")
			ha2 := md5hex(r.Method + ":" + cred.URI)
			want := md5hex(fmt.Sprintf("%s:%s:%08x:%s:%s:%s", ha1, nonce, cred.Nc, cred.Cnonce, cred.QOP, ha2))
			if cred.Response == want && cred.URI == r.URL.RequestURI() {
				fs.handler().ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="%s", nonce="%s", qop="auth", algorithm=MD5`, realm, nonce))
		w.WriteHeader(http.StatusUnauthorized)
	})
	s := httpsServer(t, h, ca, nil, "127.0.0.1")
	if got, err := fetchString(t, &HTTPFetcher{Roots: ca.pool(), User: "prov", Password: "secret"}, s.URL+"/a.cfg", 1024); err != nil || got != string(testFile) {
		t.Fatalf("digest: %q, %v", got, err)
	}
	_, err := fetchString(t, &HTTPFetcher{Roots: ca.pool(), User: "prov", Password: "bad"}, s.URL+"/a.cfg", 1024)
	if err == nil || !strings.Contains(err.Error(), "credentials refused") {
		t.Fatalf("digest, wrong password: %v", err)
	}
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestHTTPSMutualAuth(t *testing.T) {
	ca := newCA(t, "prov root")
	devCA := newCA(t, "device CA")
	fs := newFiles(map[string][]byte{"a.cfg": testFile})
	s := httpsServer(t, fs.handler(), ca, devCA.pool(), "127.0.0.1")
	dev, _ := devCA.issue(t, "phone 001122334455", true)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		f := &HTTPFetcher{Roots: ca.pool(), Cert: &dev, MinTLS: v}
		if got, err := fetchString(t, f, s.URL+"/a.cfg", 1024); err != nil || got != string(testFile) {
			t.Fatalf("mutual TLS (min %x): %q, %v", v, got, err)
		}
	}
	_, err := fetchString(t, &HTTPFetcher{Roots: ca.pool()}, s.URL+"/a.cfg", 1024)
	if err == nil || !strings.Contains(err.Error(), "no client certificate") {
		t.Fatalf("without a device certificate: %v", err)
	}
}

func TestHTTPSRefusals(t *testing.T) {
	ca := newCA(t, "prov root")
	rogue := newCA(t, "rogue root")
	fs := newFiles(map[string][]byte{"a.cfg": testFile})
	trusted := httpsServer(t, fs.handler(), ca, nil, "127.0.0.1")
	untrusted := httpsServer(t, fs.handler(), rogue, nil, "127.0.0.1")
	wrongHost := httpsServer(t, fs.handler(), ca, nil, "other.example")
	tls12only := httpsServer(t, fs.handler(), ca, nil, "127.0.0.1")
	tls12only.TLS.MaxVersion = tls.VersionTLS12
	for _, c := range []struct {
		name, url, want string
		f               *HTTPFetcher
	}{
		{"untrusted", untrusted.URL, "untrusted server certificate", &HTTPFetcher{Roots: ca.pool()}},
		{"no trust store", trusted.URL, "untrusted server certificate", &HTTPFetcher{}},
		{"wrong host", wrongHost.URL, "wrong host name", &HTTPFetcher{Roots: ca.pool()}},
		{"TLS 1.3 only", tls12only.URL, "TLS", &HTTPFetcher{Roots: ca.pool(), MinTLS: tls.VersionTLS13}},
	} {
		_, err := fetchString(t, c.f, c.url+"/a.cfg", 1024)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.url) {
			t.Errorf("%s: %v, want an error naming the URL and %q", c.name, err, c.want)
		}
	}
}

func httptestServer(t testing.TB, fs *files) *httptestServerT {
	s := newPlainServer(fs.handler())
	t.Cleanup(s.Close)
	return s
}

func TestFetchTimeoutNamed(t *testing.T) {
	release := make(chan struct{})
	s := newPlainServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer s.Close()
	defer close(release)
	_, err := fetchString(t, &HTTPFetcher{Timeout: 50 * time.Millisecond}, s.URL+"/slow.cfg", 1024)
	if err == nil || !strings.Contains(err.Error(), "timeout") || !strings.Contains(err.Error(), s.URL+"/slow.cfg") {
		t.Fatalf("%v, want a timeout naming the URL", err)
	}
}

func TestNoBasicOverPlainHTTP(t *testing.T) {
	s := newPlainServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); ok {
			t.Error("the password was sent in clear")
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="prov"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer s.Close()
	_, err := fetchString(t, &HTTPFetcher{User: "prov", Password: "secret"}, s.URL+"/a.cfg", 1024)
	if err == nil || !strings.Contains(err.Error(), "in clear") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("%v", err)
	}
}
