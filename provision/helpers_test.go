package provision

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pin/tftp/v3"
)

// testCA is a throwaway certificate authority.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

var serial int64 = 100

func newCA(t testing.TB, cn string) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &testCA{cert: c, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

func (ca *testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// issue makes a leaf for the DNS names and IPs in hosts; client makes it a
// client certificate.
func (ca *testCA) issue(t testing.TB, cn string, client bool, hosts ...string) (tls.Certificate, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return pair, append(certPEM, keyPEM...)
}

// files is a server's content, safe to change while it serves.
type files struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newFiles(m map[string][]byte) *files {
	if m == nil {
		m = map[string][]byte{}
	}
	return &files{m: m}
}

func (f *files) get(name string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.m[strings.TrimPrefix(name, "/")]
	return b, ok
}

func (f *files) set(name string, b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[name] = b
}

func (f *files) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := f.get(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	})
}

// httpsServer serves fs over TLS with a certificate from ca for hosts;
// clientCAs, when set, requires a client certificate it signed.
func httpsServer(t testing.TB, h http.Handler, ca *testCA, clientCAs *x509.CertPool, hosts ...string) *httptest.Server {
	t.Helper()
	cert, _ := ca.issue(t, "prov server", false, hosts...)
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs != nil {
		s.TLS.ClientCAs = clientCAs
		s.TLS.ClientAuth = tls.RequireAndVerifyClientCert
	}
	s.Config.ErrorLog = quietLog
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// tftpServer serves fs on a loopback UDP port and returns its address.
func tftpServer(t testing.TB, fs *files) string {
	t.Helper()
	srv := tftp.NewServer(func(name string, rf io.ReaderFrom) error {
		b, ok := fs.get(name)
		if !ok {
			return fmt.Errorf("file %s not found", name)
		}
		if ot, ok := rf.(tftp.OutgoingTransfer); ok {
			ot.SetSize(int64(len(b)))
		}
		_, err := rf.ReadFrom(strings.NewReader(string(b)))
		return err
	}, nil)
	srv.SetTimeout(2 * time.Second)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { srv.Serve(conn); close(done) }()
	t.Cleanup(func() { srv.Shutdown(); <-done })
	return conn.LocalAddr().String()
}

// ftpServer is the least FTP server jlaffaye/ftp talks to: USER/PASS
// (user and pass, or anonymous), FEAT, TYPE, OPTS, EPSV/PASV and RETR
// (550 for a missing file).
func ftpServer(t testing.TB, fs *files, user, pass string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); serveFTP(ctx, c, fs, user, pass) }()
		}
	}()
	t.Cleanup(func() { cancel(); ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

func serveFTP(ctx context.Context, c net.Conn, fs *files, user, pass string) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	r := bufio.NewReader(c)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	say("220 test ftp")
	var (
		gotUser string
		authed  bool
		data    net.Listener
	)
	defer func() {
		if data != nil {
			data.Close()
		}
	}()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(cmd) {
		case "USER":
			gotUser = arg
			say("331 password please")
		case "PASS":
			if gotUser == user && arg == pass || user == "" && gotUser == "anonymous" {
				authed = true
				say("230 logged in")
			} else {
				say("530 login incorrect")
			}
		case "FEAT":
			say("211-Features:\r\n EPSV\r\n211 End")
		case "TYPE", "OPTS":
			say("200 ok")
		case "EPSV":
			if data != nil {
				data.Close()
			}
			data, err = net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				say("425 no data port")
				continue
			}
			say(fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", data.Addr().(*net.TCPAddr).Port))
		case "RETR":
			if !authed {
				say("530 not logged in")
				continue
			}
			b, ok := fs.get(arg)
			if !ok || data == nil {
				say("550 no such file")
				continue
			}
			say("150 sending")
			dc, err := data.Accept()
			if err == nil {
				dc.Write(b)
				dc.Close()
			}
			data.Close()
			data = nil
			say("226 done")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

type httptestServerT = httptest.Server

func newPlainServer(h http.Handler) *httptest.Server { return httptest.NewServer(h) }

// quietLog drops the servers' handshake complaints the refusal tests cause.
var quietLog = log.New(io.Discard, "", 0)
