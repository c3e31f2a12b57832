package provision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"time"

	"github.com/jlaffaye/ftp"
)

// FTPFetcher fetches over FTP (port 21 unless the URL names one), logging
// in as User (or the URL's user info), anonymous when there is none.
type FTPFetcher struct {
	User     string
	Password string
	Timeout  time.Duration // 0 = 30 s
}

var _ Fetcher = (*FTPFetcher)(nil)

// Fetch implements Fetcher.
func (f *FTPFetcher) Fetch(ctx context.Context, u *url.URL, w io.Writer, limit int64) (int64, error) {
	timeout := f.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := ftp.Dial(hostPort(u, "21"), ftp.DialWithContext(ctx), ftp.DialWithTimeout(timeout))
	if err != nil {
		return 0, ftpErr(u, "connect", err)
	}
	// The control connection is closed when the context ends, so a
	// stalled server cannot hold the pass.
	stop := context.AfterFunc(ctx, func() { c.Quit() })
	defer stop()
	defer c.Quit()
	user, pass := f.User, f.Password
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	if user == "" {
		user, pass = "anonymous", "phone@"
	}
	if err := c.Login(user, pass); err != nil {
		return 0, ftpErr(u, "login refused", err)
	}
	r, err := c.Retr(filePath(u))
	if err != nil {
		return 0, ftpErr(u, "RETR", err)
	}
	defer r.Close()
	cw := &capWriter{w: w, left: limit}
	n, err := io.Copy(cw, r)
	if errors.Is(err, ErrTooLarge) {
		return n, fetchErr(u, fmt.Sprintf("more than %d bytes", limit), ErrTooLarge)
	}
	if err != nil {
		return n, ftpErr(u, "transfer", err)
	}
	return n, nil
}

func ftpErr(u *url.URL, op string, err error) error {
	var (
		te *textproto.Error
		ne net.Error
	)
	switch {
	case errors.As(err, &te) && te.Code == ftp.StatusFileUnavailable:
		return fetchErr(u, "FTP 550 file unavailable", ErrNotFound)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fetchErr(u, op+": timeout", err)
	}
	return fetchErr(u, op, err)
}
