package provision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/pin/tftp/v3"
)

// TFTPFetcher fetches over TFTP (port 69 unless the URL names one). TFTP
// has no authentication: what it brings must be signed, or be only what an
// admin allowed (see the insecure bootstrap).
type TFTPFetcher struct {
	Timeout   time.Duration // per packet; 0 = 3 s
	Retries   int           // 0 = 3
	BlockSize int           // 0 = 1428, an Ethernet frame
}

var _ Fetcher = (*TFTPFetcher)(nil)

// Fetch implements Fetcher. pin/tftp takes no context: the transfer is
// bounded by the per-packet timeout and retries, and the context is only
// checked before it starts.
func (t *TFTPFetcher) Fetch(ctx context.Context, u *url.URL, w io.Writer, limit int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fetchErr(u, "canceled", err)
	}
	c, err := tftp.NewClient(hostPort(u, "69"))
	if err != nil {
		return 0, fetchErr(u, "bad server address", err)
	}
	timeout, retries, bs := t.Timeout, t.Retries, t.BlockSize
	if timeout == 0 {
		timeout = 3 * time.Second
	}
	if retries == 0 {
		retries = 3
	}
	if bs == 0 {
		bs = 1428
	}
	c.SetTimeout(timeout)
	c.SetRetries(retries)
	c.SetBlockSize(bs)
	c.RequestTSize(true)
	wt, err := c.Receive(filePath(u), "octet")
	if err != nil {
		return 0, tftpErr(u, err)
	}
	cw := &capWriter{w: w, left: limit}
	if it, ok := wt.(tftp.IncomingTransfer); ok {
		if n, known := it.Size(); known && n > limit {
			// The server announced the size: fail at the first block,
			// which makes pin/tftp abort the transfer with the server.
			cw.left = 0
		}
	}
	n, err := wt.WriteTo(cw)
	if err != nil {
		if errors.Is(err, ErrTooLarge) || cw.left == 0 && strings.Contains(err.Error(), ErrTooLarge.Error()) {
			return n, fetchErr(u, fmt.Sprintf("more than %d bytes", limit), ErrTooLarge)
		}
		return n, tftpErr(u, err)
	}
	return n, nil
}

// tftpErr maps pin/tftp's errors, which are text: a server's ERROR packet
// comes as "code: N, message: ..." (code 1 is file not found).
func tftpErr(u *url.URL, err error) error {
	var ne net.Error
	switch {
	case strings.HasPrefix(err.Error(), "code: 1,"):
		return fetchErr(u, "TFTP file not found", ErrNotFound)
	case errors.As(err, &ne) && ne.Timeout(), strings.Contains(err.Error(), "timeout"):
		return fetchErr(u, "timeout", err)
	}
	return fetchErr(u, "TFTP transfer failed", err)
}
