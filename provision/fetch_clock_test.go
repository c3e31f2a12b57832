package provision

import (
	"bytes"
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestHTTPSCertificateCheckNamesTheClock: a certificate refused for its
// validity dates says which time and which clock the phone checked with.
func TestHTTPSCertificateCheckNamesTheClock(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	u, _ := url.Parse(srv.URL + "/f.cfg")

	late := srv.Certificate().NotAfter.Add(24 * time.Hour)
	h := &HTTPFetcher{Roots: roots, Now: func() time.Time { return late }, ClockSource: func() string { return "build time" }}
	_, err := h.Fetch(context.Background(), u, &bytes.Buffer{}, 1<<10)
	if err == nil {
		t.Fatal("an expired certificate was accepted")
	}
	for _, want := range []string{"expired or not yet valid", late.UTC().Format(time.RFC3339), "from build time"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// The same server with the phone's clock in its validity is fine.
	ok := &HTTPFetcher{Roots: roots, Now: time.Now}
	if _, err := ok.Fetch(context.Background(), u, &bytes.Buffer{}, 1<<10); err != nil {
		t.Fatalf("valid certificate: %v", err)
	}
}
