package provision

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/icholy/digest"
)

// HTTPFetcher fetches over HTTP and HTTPS.
//
// HTTPS single authentication: the server's certificate must chain to a
// root in Roots (the phone's trust store; nil trusts nothing, never the
// system pool) and name the URL's host; the phone answers a 401 with User
// and Password (or the URL's user info), by Basic or Digest as the server
// asks. Mutual authentication: Cert, the device certificate, is offered as
// well. TLS 1.2 is the minimum unless MinTLS says tls.VersionTLS13.
type HTTPFetcher struct {
	Roots    *x509.CertPool
	Cert     *tls.Certificate
	User     string
	Password string
	MinTLS   uint16        // 0 = tls.VersionTLS12
	Timeout  time.Duration // whole request; 0 = 30 s
	// Now is the phone's clock for certificate validity (nil: time.Now),
	// and ClockSource names where its time comes from, for the errors.
	Now         func() time.Time
	ClockSource func() string

	once   sync.Once
	client *http.Client
}

var _ Fetcher = (*HTTPFetcher)(nil)

func (h *HTTPFetcher) init() {
	roots := h.Roots
	if roots == nil {
		roots = x509.NewCertPool()
	}
	minTLS := h.MinTLS
	if minTLS < tls.VersionTLS12 {
		minTLS = tls.VersionTLS12
	}
	cfg := &tls.Config{RootCAs: roots, MinVersion: minTLS, Time: h.Now}
	if h.Cert != nil {
		cfg.Certificates = []tls.Certificate{*h.Cert}
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	h.client = &http.Client{
		// A provisioning run fetches its files in one burst, then nothing
		// for hours: a kept-alive connection is only memory after that.
		Transport: &http.Transport{TLSClientConfig: cfg, TLSHandshakeTimeout: timeout,
			ResponseHeaderTimeout: timeout, Proxy: nil, IdleConnTimeout: 30 * time.Second},
		Timeout: timeout,
	}
}

// CloseIdleConnections drops kept-alive connections (for tests and when
// the trust store changes).
func (h *HTTPFetcher) CloseIdleConnections() {
	h.once.Do(h.init)
	h.client.CloseIdleConnections()
}

// Fetch implements Fetcher.
func (h *HTTPFetcher) Fetch(ctx context.Context, u *url.URL, w io.Writer, limit int64) (int64, error) {
	h.once.Do(h.init)
	user, pass := h.User, h.Password
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	clean := *u
	clean.User = nil
	resp, err := h.get(ctx, &clean, "")
	if err != nil {
		return 0, h.classify(u, err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		chal := resp.Header.Values("WWW-Authenticate")
		drain(resp)
		if user == "" {
			return 0, fetchErr(u, "401 Unauthorized (no user name configured)", nil)
		}
		auth, err := authorization(chal, clean.RequestURI(), user, pass, strings.EqualFold(u.Scheme, "http"))
		if err != nil {
			return 0, fetchErr(u, "401 Unauthorized", err)
		}
		if resp, err = h.get(ctx, &clean, auth); err != nil {
			return 0, h.classify(u, err)
		}
		if resp.StatusCode == http.StatusUnauthorized {
			drain(resp)
			return 0, fetchErr(u, "401 Unauthorized (credentials refused)", nil)
		}
	}
	defer drain(resp)
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return 0, fetchErr(u, resp.Status, ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return 0, fetchErr(u, resp.Status, nil)
	case resp.ContentLength > limit:
		return 0, fetchErr(u, fmt.Sprintf("%d bytes, at most %d", resp.ContentLength, limit), ErrTooLarge)
	}
	cw := &capWriter{w: w, left: limit}
	n, err := io.Copy(cw, resp.Body)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return n, fetchErr(u, fmt.Sprintf("more than %d bytes", limit), ErrTooLarge)
		}
		return n, h.classify(u, err)
	}
	return n, nil
}

func (h *HTTPFetcher) get(ctx context.Context, u *url.URL, auth string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "deskphone-provision/1")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return h.client.Do(req)
}

// authorization answers the first challenge the phone can: Digest before
// Basic, since Digest does not send the password. Over plain HTTP (clear)
// Basic is refused: the password would cross the network readable.
func authorization(challenges []string, uri, user, pass string, clear bool) (string, error) {
	var basic bool
	for _, c := range challenges {
		if digest.IsDigest(c) {
			ch, err := digest.ParseChallenge(c)
			if err != nil || !digest.CanDigest(ch) {
				continue
			}
			cred, err := digest.Digest(ch, digest.Options{Method: http.MethodGet, URI: uri,
				Count: 1, Username: user, Password: pass})
			if err != nil {
				continue
			}
			return cred.String(), nil
		}
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(c)), "basic") {
			basic = true
		}
	}
	if basic && clear {
		return "", errors.New("the server asks for Basic authentication over plain HTTP; the phone does not send its password in clear")
	}
	if basic {
		r := &http.Request{Header: http.Header{}}
		r.SetBasicAuth(user, pass)
		return r.Header.Get("Authorization"), nil
	}
	return "", errors.New("no Basic or Digest challenge the phone supports")
}

// classify names what failed in a transport error.
func (h *HTTPFetcher) classify(u *url.URL, err error) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		alert    tls.AlertError
		netErr   net.Error
	)
	switch {
	case errors.As(err, &unknown):
		return fetchErr(u, "untrusted server certificate", err)
	case errors.As(err, &hostname):
		return fetchErr(u, "wrong host name in server certificate", err)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fetchErr(u, "server certificate expired or not yet valid"+h.clockNote(), err)
	case errors.As(err, &invalid):
		return fetchErr(u, "invalid server certificate", err)
	case h.Cert == nil && (errors.As(err, &alert) && (alert == 116 || alert == 42) ||
		strings.Contains(err.Error(), "remote error: tls: certificate required") ||
		strings.Contains(err.Error(), "remote error: tls: bad certificate")):
		// certificate_required (TLS 1.3) or bad_certificate (TLS 1.2):
		// crypto/tls reports a peer's alert as text only.
		return fetchErr(u, "no client certificate (the server requires one)", err)
	case strings.Contains(err.Error(), "remote error: tls: protocol version"):
		return fetchErr(u, "TLS version refused by the server", err)
	case errors.As(err, &alert) || strings.Contains(err.Error(), "remote error: tls:"):
		return fetchErr(u, "TLS refused by the server", err)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return fetchErr(u, "timeout", err)
	case errors.Is(err, context.Canceled):
		return fetchErr(u, "canceled", err)
	}
	return fetchErr(u, "request failed", err)
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
}

// clockNote says which clock a certificate validity check used: before
// network time a phone without a real-time clock checks against a lower
// bound (its build time or the last time it saved).
func (h *HTTPFetcher) clockNote() string {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	src := "system clock"
	if h.ClockSource != nil {
		if s := h.ClockSource(); s != "" {
			src = s
		}
	}
	return fmt.Sprintf(" (phone clock %s, from %s)", now().UTC().Format(time.RFC3339), src)
}
