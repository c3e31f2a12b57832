package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// ProvFile is a file the lab puts into Prov.Root, to fetch in tests.
const ProvFile = "hello.txt"

// ProvFileContent is ProvFile's content.
const ProvFileContent = "deskphone lab provisioning server\n"

// writeProvRoot fills the served tree: ProvFile, the root CA and a
// "secure/" copy of ProvFile.
func (l *Lab) writeProvRoot() error {
	if err := os.MkdirAll(filepath.Join(l.Prov.Root, "secure"), 0o755); err != nil {
		return fmt.Errorf("write provisioning files: %w", err)
	}
	ca, err := os.ReadFile(l.PKI.CA.Cert)
	if err != nil {
		return fmt.Errorf("write provisioning files: %w", err)
	}
	files := map[string][]byte{
		ProvFile:             []byte(ProvFileContent),
		"secure/" + ProvFile: []byte(ProvFileContent),
		"ca.pem":             ca,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(l.Prov.Root, name), b, 0o644); err != nil {
			return fmt.Errorf("write provisioning files: %w", err)
		}
	}
	return nil
}

// writeNginx writes nginx.conf: plain HTTP, HTTPS with basic auth, HTTPS
// requiring a client certificate, and one HTTPS server per bad certificate.
func (l *Lab) writeNginx() error {
	d := filepath.Join(l.Dir, "nginx")
	if err := os.MkdirAll(filepath.Join(d, "tmp"), 0o755); err != nil {
		return fmt.Errorf("write nginx config: %w", err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(HTTPUser.Password), bcrypt.MinCost)
	if err != nil {
		return fmt.Errorf("write nginx htpasswd: %w", err)
	}
	if err := os.WriteFile(filepath.Join(d, "htpasswd"), []byte(HTTPUser.User+":"+string(hash)+"\n"), 0o644); err != nil {
		return fmt.Errorf("write nginx htpasswd: %w", err)
	}
	p := l.Prov
	var b strings.Builder
	fmt.Fprintf(&b, `# deskphone lab provisioning server (written at lab start)
daemon off;
master_process on;
user root;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log stderr info;
events { worker_connections 64; }
http {
	access_log %[1]s/access.log;
	client_body_temp_path %[1]s/tmp/body;
	proxy_temp_path %[1]s/tmp/proxy;
	fastcgi_temp_path %[1]s/tmp/fastcgi;
	uwsgi_temp_path %[1]s/tmp/uwsgi;
	scgi_temp_path %[1]s/tmp/scgi;
	default_type application/octet-stream;
	types { text/plain cfg txt pem; application/xml xml; }
	server_tokens off;
	root %[2]s;
	ssl_protocols TLSv1.2 TLSv1.3;

	server {
		listen %[3]s:%[4]d;
	}
	server {
		listen %[3]s:%[5]d ssl;
		server_name %[6]s;
		ssl_certificate %[7]s;
		ssl_certificate_key %[8]s;
		auth_basic "lab";
		auth_basic_user_file %[1]s/htpasswd;
	}
	server {
		listen %[3]s:%[9]d ssl;
		server_name %[6]s;
		ssl_certificate %[7]s;
		ssl_certificate_key %[8]s;
		ssl_client_certificate %[10]s;
		ssl_verify_client on;
		ssl_verify_depth 2;
		add_header X-Client-DN $ssl_client_s_dn always;
		location /secure/ {
			auth_basic "lab-secure";
			auth_basic_user_file %[1]s/htpasswd;
		}
	}
`, d, p.Root, p.Addr, p.HTTPPort, p.HTTPSPort, p.Host, l.PKI.Server.Cert, l.PKI.Server.Key, p.MTLSPort, l.PKI.CA.Cert)
	for _, bad := range []struct {
		port int
		cf   CertFile
	}{
		{p.ExpiredPort, l.PKI.Expired}, {p.NotYetValidPort, l.PKI.NotYetValid}, {p.WrongHostPort, l.PKI.WrongHost},
		{p.RSA1024Port, l.PKI.RSA1024}, {p.RoguePort, l.PKI.Rogue},
	} {
		// SECLEVEL=0: OpenSSL 3 refuses to load the RSA 1024 key otherwise.
		fmt.Fprintf(&b, "\tserver {\n\t\tlisten %s:%d ssl;\n\t\tssl_certificate %s;\n\t\tssl_certificate_key %s;\n\t\tssl_ciphers DEFAULT:@SECLEVEL=0;\n\t}\n",
			p.Addr, bad.port, bad.cf.Cert, bad.cf.Key)
	}
	b.WriteString("}\n")
	return os.WriteFile(filepath.Join(d, "nginx.conf"), []byte(b.String()), 0o644)
}

func (l *Lab) startNginx(ctx context.Context) ([]*Process, error) {
	d := filepath.Join(l.Dir, "nginx")
	p, err := l.spawn("nginx", l.ServicesNS, "nginx", "-p", d, "-c", filepath.Join(d, "nginx.conf"), "-e", "stderr")
	if err != nil {
		return nil, err
	}
	pr := l.Prov
	return []*Process{p}, waitListening(ctx, p, sock{"tcp", pr.Addr, pr.HTTPPort}, sock{"tcp", pr.Addr, pr.HTTPSPort},
		sock{"tcp", pr.Addr, pr.MTLSPort}, sock{"tcp", pr.Addr, pr.RoguePort})
}

func (l *Lab) startTFTP(ctx context.Context) ([]*Process, error) {
	// --secure chroots to the root; the files are world-readable.
	p, err := l.spawn("tftpd", l.ServicesNS, "in.tftpd", "--foreground", "--listen", "--address",
		fmt.Sprintf("%s:%d", l.Prov.Addr, l.Prov.TFTPPort), "--secure", "--user", "nobody", "--verbose", l.Prov.Root)
	if err != nil {
		return nil, err
	}
	return []*Process{p}, waitListening(ctx, p, sock{"udp", l.Prov.Addr, l.Prov.TFTPPort})
}

// writeVsftpd writes vsftpd.conf: anonymous read-only FTP of Prov.Root.
func (l *Lab) writeVsftpd() error {
	empty := filepath.Join(l.Dir, "vsftpd-empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		return fmt.Errorf("write vsftpd config: %w", err)
	}
	conf := fmt.Sprintf(`# deskphone lab FTP (written at lab start)
listen=YES
listen_ipv6=NO
listen_address=%s
listen_port=%d
background=NO
anonymous_enable=YES
anon_root=%s
no_anon_password=YES
anon_upload_enable=NO
anon_mkdir_write_enable=NO
write_enable=NO
local_enable=NO
pasv_enable=YES
pasv_address=%s
pasv_min_port=30000
pasv_max_port=30010
port_enable=NO
secure_chroot_dir=%s
seccomp_sandbox=NO
xferlog_enable=YES
vsftpd_log_file=%s
dual_log_enable=YES
log_ftp_protocol=YES
`, l.Prov.Addr, l.Prov.FTPPort, l.Prov.Root, l.Prov.Addr, empty, filepath.Join(l.Dir, "logs", "vsftpd-xfer.log"))
	return os.WriteFile(filepath.Join(l.Dir, "vsftpd.conf"), []byte(conf), 0o600)
}

func (l *Lab) startFTP(ctx context.Context) ([]*Process, error) {
	p, err := l.spawn("vsftpd", l.ServicesNS, "vsftpd", filepath.Join(l.Dir, "vsftpd.conf"))
	if err != nil {
		return nil, err
	}
	return []*Process{p}, waitListening(ctx, p, sock{"tcp", l.Prov.Addr, l.Prov.FTPPort})
}
