package sipcore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/emiago/sipgo/sip"
)

// clientTLS is the tls.Config every TLS line dials with. ServerName stays
// empty: sipgo fills in each registrar's host, so the name (or IP) is checked.
func (c TLSConfig) clientTLS() *tls.Config {
	roots := c.Roots
	if roots == nil {
		roots = x509.NewCertPool() // an empty trust store trusts nothing
	}
	minV := c.MinVersion
	if minV == 0 {
		minV = tls.VersionTLS12
	}
	return &tls.Config{
		RootCAs:      roots,
		Certificates: c.Certificates,
		MinVersion:   minV,
		Time:         c.Time,
	}
}

// sameTLS reports whether two TLS configs build the same stack.
func sameTLS(a, b TLSConfig) bool {
	if a.MinVersion != b.MinVersion || (a.Time == nil) != (b.Time == nil) || len(a.Certificates) != len(b.Certificates) {
		return false
	}
	if a.Roots != b.Roots && (a.Roots == nil || b.Roots == nil || !a.Roots.Equal(b.Roots)) {
		return false
	}
	for i := range a.Certificates {
		ca, cb := a.Certificates[i].Certificate, b.Certificates[i].Certificate
		if len(ca) != len(cb) {
			return false
		}
		for j := range ca {
			if string(ca[j]) != string(cb[j]) {
				return false
			}
		}
	}
	return true
}

// classify turns a transaction or connection error into a cause and a
// short reason for the status line.
func classify(err error, now func() time.Time, source ...func() string) (Cause, string) {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var name x509.HostnameError
	var verr *tls.CertificateVerificationError
	var alert tls.AlertError
	var rec tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return CauseTLSUntrusted, "TLS: server certificate not signed by a trusted CA"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		t := time.Now()
		if now != nil {
			t = now()
		}
		return CauseTLSExpired, fmt.Sprintf("TLS: server certificate expired or not yet valid (phone clock %s%s)", t.UTC().Format(time.RFC3339), clockFrom(source))
	case errors.As(err, &name):
		return CauseTLSName, fmt.Sprintf("TLS: server certificate not valid for %s", name.Host)
	case errors.As(err, &invalid):
		return CauseTLSUntrusted, "TLS: server certificate invalid: " + invalid.Error()
	case errors.As(err, &verr):
		return CauseTLSUntrusted, "TLS: server certificate refused"
	case errors.As(err, &alert), errors.As(err, &rec):
		return CauseTLS, "TLS: handshake failed"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, sip.ErrTransactionTimeout), errors.Is(err, os.ErrDeadlineExceeded):
		return CauseTimeout, "no answer"
	case errors.Is(err, syscall.ECONNREFUSED):
		return CauseUnreachable, "connection refused"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return CauseUnreachable, "cannot resolve " + dns.Name
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		// The server sent a TLS alert (version, cipher, our certificate).
		return CauseTLS, "TLS: refused by the server: " + op.Err.Error()
	}
	if errors.As(err, &op) {
		return CauseUnreachable, "network: " + op.Err.Error()
	}
	if errors.Is(err, sip.ErrTransactionTransport) {
		return CauseUnreachable, "transport error"
	}
	return CauseUnreachable, err.Error()
}

// clockFrom says which clock a certificate check used, when known (the
// first non-nil source): before network time a phone without a real-time
// clock checks against a lower bound (its build time or the last saved time).
func clockFrom(sources []func() string) string {
	for _, src := range sources {
		if src == nil {
			continue
		}
		if s := src(); s != "" {
			return ", from " + s
		}
	}
	return ""
}
