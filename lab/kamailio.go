package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeKamailio writes the registrar's config: digest authentication of
// REGISTER (401) and of INVITE from lab users (407), UDP, TCP and TLS, no
// database. NOTIFY, OPTIONS and MESSAGE are relayed unauthenticated so
// sipsak can inject check-sync.
func (l *Lab) writeKamailio() error {
	mods, err := filepath.Glob("/usr/lib/*/kamailio/modules")
	if err != nil || len(mods) == 0 {
		return fmt.Errorf("write kamailio config: no /usr/lib/*/kamailio/modules (apt-get install kamailio kamailio-tls-modules)")
	}
	var users strings.Builder
	users.WriteString("route[USERPW] {\n\t$var(pw) = \"\";\n")
	for _, u := range SIPUsers {
		fmt.Fprintf(&users, "\tif ($au == %q) { $var(pw) = %q; }\n", u.User, u.Password)
	}
	users.WriteString("}\n")
	cfg := strings.NewReplacer(
		"@IP@", l.PBX.Addr, "@PORT@", fmt.Sprint(l.PBX.UDPPort), "@TLSPORT@", fmt.Sprint(l.PBX.TLSPort),
		"@HOST@", l.PBX.Host, "@MODS@", mods[0]+"/", "@DIR@", l.Dir,
	).Replace(kamailioCfg) + users.String()
	tls := fmt.Sprintf(`[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = %s
certificate = %s
ca_list = %s

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`, l.PKI.Server.Key, l.PKI.Server.Cert, l.PKI.CA.Cert)
	if err := os.WriteFile(filepath.Join(l.Dir, "kamailio.cfg"), []byte(cfg), 0o600); err != nil {
		return fmt.Errorf("write kamailio config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(l.Dir, "kamailio-tls.cfg"), []byte(tls), 0o600); err != nil {
		return fmt.Errorf("write kamailio tls config: %w", err)
	}
	return os.MkdirAll(filepath.Join(l.Dir, "kamailio-run"), 0o700)
}

func (l *Lab) startKamailio(ctx context.Context) ([]*Process, error) {
	// -DD: foreground, -E: log to stderr; small memory pools.
	p, err := l.spawn("kamailio", l.ServicesNS, "kamailio", "-DD", "-E", "-m", "64", "-M", "8",
		"-f", filepath.Join(l.Dir, "kamailio.cfg"), "-Y", filepath.Join(l.Dir, "kamailio-run"))
	if err != nil {
		return nil, err
	}
	return []*Process{p}, waitListening(ctx, p,
		sock{"udp", l.PBX.Addr, l.PBX.UDPPort}, sock{"tcp", l.PBX.Addr, l.PBX.TCPPort}, sock{"tcp", l.PBX.Addr, l.PBX.TLSPort})
}

const kamailioCfg = `#!KAMAILIO
# deskphone lab registrar (written at lab start)
debug=2
log_stderror=yes
fork=yes
children=2
tcp_children=2
auto_aliases=no
alias="@HOST@"
enable_tls=yes
listen=udp:@IP@:@PORT@
listen=tcp:@IP@:@PORT@
listen=tls:@IP@:@TLSPORT@
tcp_connection_lifetime=3605
tcp_accept_no_cl=yes
mpath="@MODS@"

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "ctl.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "nathelper.so"
loadmodule "tls.so"

modparam("ctl", "binrpc", "unix:@DIR@/kamailio-run/ctl")
modparam("tls", "config", "@DIR@/kamailio-tls.cfg")
modparam("usrloc", "db_mode", 0)
modparam("registrar", "min_expires", 10)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "default_expires", 300)
modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")
modparam("auth", "nonce_expire", 300)
modparam("rr", "enable_full_lr", 1)

request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (!sanity_check("17895", "7")) { xlog("L_WARN", "malformed from $si:$sp\n"); exit; }
	xlog("L_INFO", "REQ $rm $ru from $si:$sp ($pr) fu=$fu\n");

	if (is_method("CANCEL")) { if (t_check_trans()) { route(RELAY); } exit; }
	if (!is_method("ACK")) {
		if (t_precheck_trans()) { t_check_trans(); exit; }
		t_check_trans();
	}
	route(WITHINDLG);
	remove_hf("Route");
	if (is_method("INVITE|SUBSCRIBE")) { record_route(); }
	if (is_method("REGISTER")) { route(REGISTRAR); exit; }
	if (is_method("INVITE") && (from_uri==myself || $fd == "@IP@")) { route(PROXYAUTH); }
	if ($rU == $null) {
		if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
		sl_send_reply("484", "Address Incomplete"); exit;
	}
	route(LOCATION);
}

route[WITHINDLG] {
	if (!has_totag()) return;
	if (loose_route()) { route(RELAY); exit; }
	if (is_method("ACK")) {
		if (t_check_trans()) { route(RELAY); }
		exit;
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[REGISTRAR] {
	route(USERPW);
	if ($var(pw) == "" || !pv_auth_check("$td", "$var(pw)", "0", "1")) {
		auth_challenge("$td", "1");
		exit;
	}
	consume_credentials();
	# TCP/TLS: reach the phone over its own connection
	if (proto == TCP || proto == TLS) { fix_nated_register(); }
	if (!save("location")) { sl_reply_error(); }
	exit;
}

route[PROXYAUTH] {
	route(USERPW);
	if ($var(pw) == "" || !pv_auth_check("$fd", "$var(pw)", "0", "1")) {
		proxy_challenge("$fd", "1");
		exit;
	}
	consume_credentials();
}

route[LOCATION] {
	if (!lookup("location")) {
		$var(rc) = $rc;
		t_newtran();
		switch ($var(rc)) {
			case -1:
			case -3:
				send_reply("404", "Not Found");
				exit;
			case -2:
				send_reply("405", "Method Not Allowed");
				exit;
		}
	}
	route(RELAY);
}

route[RELAY] {
	if (!t_relay()) { sl_reply_error(); }
	exit;
}

`
