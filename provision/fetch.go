package provision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Fetcher gets one file by URL, writing at most limit bytes to w. A file
// the server does not have is an error wrapping ErrNotFound (HTTP 404,
// TFTP file-not-found, FTP 550); one larger than limit wraps ErrTooLarge.
// Credentials may ride in the URL's user info (they are never printed:
// errors show the URL redacted).
type Fetcher interface {
	Fetch(ctx context.Context, u *url.URL, w io.Writer, limit int64) (int64, error)
}

// Errors a Fetcher's error may wrap.
var (
	ErrNotFound = errors.New("file not found")
	ErrTooLarge = errors.New("file larger than allowed")
)

// Size caps: a configuration file, a certificate, a manifest.
const (
	MaxConfigSize   = 1 << 20
	MaxCertSize     = 64 << 10
	MaxManifestSize = 16 << 10
)

// FetchError is a failed fetch: the URL (redacted), what failed in words
// ("untrusted server certificate", "401 Unauthorized", "timeout") and the
// cause.
type FetchError struct {
	URL  string
	What string
	Err  error
}

func (e *FetchError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("fetch %s: %s", e.URL, e.What)
	}
	return fmt.Sprintf("fetch %s: %s: %v", e.URL, e.What, e.Err)
}

func (e *FetchError) Unwrap() error { return e.Err }

func fetchErr(u *url.URL, what string, err error) *FetchError {
	return &FetchError{URL: u.Redacted(), What: what, Err: err}
}

// Schemes is a Fetcher that hands each URL to the Fetcher of its scheme
// ("http", "https", "tftp", "ftp").
type Schemes map[string]Fetcher

// Fetch implements Fetcher.
func (s Schemes) Fetch(ctx context.Context, u *url.URL, w io.Writer, limit int64) (int64, error) {
	f, ok := s[strings.ToLower(u.Scheme)]
	if !ok {
		return 0, fetchErr(u, "unsupported protocol", nil)
	}
	return f.Fetch(ctx, u, w, limit)
}

// FetchBytes fetches rawURL whole into memory, at most limit bytes.
func FetchBytes(ctx context.Context, f Fetcher, u *url.URL, limit int64) ([]byte, error) {
	var b bytes.Buffer
	if _, err := f.Fetch(ctx, u, &b, limit); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// capWriter passes at most left bytes to w, then fails with ErrTooLarge.
type capWriter struct {
	w    io.Writer
	left int64
	n    int64
}

func (c *capWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, ErrTooLarge
	}
	n, err := c.w.Write(p)
	c.left -= int64(n)
	c.n += int64(n)
	return n, err
}

// filePath is the file name a URL asks a TFTP or FTP server for.
func filePath(u *url.URL) string {
	return strings.TrimPrefix(u.Path, "/")
}

// hostPort is u's host with defPort when it names none.
func hostPort(u *url.URL, defPort string) string {
	if u.Port() != "" {
		return u.Host
	}
	h := u.Hostname()
	if strings.Contains(h, ":") {
		return "[" + h + "]:" + defPort
	}
	return h + ":" + defPort
}
