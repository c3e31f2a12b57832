package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// writeRADIUS writes a minimal private FreeRADIUS 3.2 tree: one client
// (hostapd on 127.0.0.1), the files module for users, EAP MD5, TLS, PEAP,
// TTLS with MSCHAPv2 and GTC inside. Nothing under /etc is read but the
// dictionaries.
func (l *Lab) writeRADIUS() error {
	d := filepath.Join(l.Dir, "raddb")
	for _, sub := range []string{"", "run", "log"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o700); err != nil {
			return fmt.Errorf("write freeradius config: %w", err)
		}
	}
	u := l.EAP
	line := func(lg Login) string { return fmt.Sprintf("%s\tCleartext-Password := %q\n", lg.User, lg.Password) }
	users := line(u.MD5) + line(u.PEAPMSCHAPv2) + line(u.PEAPGTC) + line(u.TTLSMSCHAPv2) + line(u.TTLSGTC) + line(u.FAST)
	if err := os.WriteFile(filepath.Join(d, "users"), []byte(users), 0o600); err != nil {
		return fmt.Errorf("write freeradius users: %w", err)
	}
	cert := l.eapCert()
	conf := strings.NewReplacer(
		"@DIR@", d, "@SECRET@", RADIUSSecret, "@CA@", l.PKI.CA.Cert,
		"@CERT@", cert.Cert, "@KEY@", cert.Key, "@DH@", l.PKI.DH, "@TLSMAX@", l.Opts.eapTLSMax(),
	).Replace(radiusdConf)
	if err := os.WriteFile(filepath.Join(d, "radiusd.conf"), []byte(conf), 0o600); err != nil {
		return fmt.Errorf("write freeradius config: %w", err)
	}
	return nil
}

var reRADIUSReady = regexp.MustCompile(`Ready to process requests`)

func (l *Lab) startRADIUS(ctx context.Context) ([]*Process, error) {
	p, err := l.spawn("freeradius", l.SwitchNS, "freeradius", "-f", "-X", "-d", filepath.Join(l.Dir, "raddb"))
	if err != nil {
		return nil, err
	}
	return []*Process{p}, p.WaitOutput(ctx, reRADIUSReady)
}

const radiusdConf = `# deskphone lab FreeRADIUS (private config, written at lab start)
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = @DIR@
sbindir = /usr/sbin
logdir = @DIR@/log
raddbdir = @DIR@
radacctdir = @DIR@/log
name = freeradius
confdir = @DIR@
modconfdir = @DIR@
run_dir = @DIR@/run
db_dir = @DIR@
libdir = /usr/lib/freeradius
pidfile = @DIR@/run/radiusd.pid
max_request_time = 30
cleanup_delay = 2
max_requests = 1024
hostname_lookups = no

log {
	destination = stdout
	colourise = no
	auth = yes
}

security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}

client hostapd {
	ipaddr = 127.0.0.1
	secret = @SECRET@
	require_message_authenticator = no
}

thread pool {
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 4
}

modules {
	files {
		filename = @DIR@/users
	}
	pap {
	}
	mschap {
	}
	eap {
		default_eap_type = md5
		timer_expire = 60
		ignore_unknown_eap_types = no
		max_sessions = 256
		md5 {
		}
		gtc {
			auth_type = PAP
		}
		mschapv2 {
		}
		tls-config tls-common {
			private_key_file = @KEY@
			certificate_file = @CERT@
			ca_file = @CA@
			dh_file = @DH@
			ca_path = @DIR@
			cipher_list = "DEFAULT"
			cipher_server_preference = no
			tls_min_version = "1.2"
			tls_max_version = "@TLSMAX@"
			ecdh_curve = ""
			fragment_size = 1024
			include_length = yes
			cache {
				enable = no
			}
			verify {
			}
			ocsp {
				enable = no
			}
		}
		tls {
			tls = tls-common
		}
		ttls {
			tls = tls-common
			default_eap_type = mschapv2
			copy_request_to_tunnel = no
			use_tunneled_reply = no
			virtual_server = "inner-tunnel"
		}
		peap {
			tls = tls-common
			default_eap_type = mschapv2
			copy_request_to_tunnel = no
			use_tunneled_reply = no
			virtual_server = "inner-tunnel"
		}
	}
}

server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = 1812
	}
	authorize {
		eap {
			ok = return
		}
		files
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
		eap
	}
	post-auth {
	}
}

server inner-tunnel {
	authorize {
		eap {
			ok = return
		}
		files
		mschap
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
		Auth-Type MS-CHAP {
			mschap
		}
		eap
	}
	post-auth {
	}
}
`
