package settings

import "fmt"

// Lines is how many SIP lines (accounts) the phone has.
const Lines = 4

// LineName is the canonical name of one field of SIP line n (1 to Lines),
// e.g. LineName(2, "user") is "sip.line2.user".
func LineName(n int, field string) string {
	return fmt.Sprintf("sip.line%d.%s", n, field)
}

var transports = []Option{{"udp", "UDP"}, {"tcp", "TCP"}, {"tls", "TLS"}}

var securityModes = []Option{
	{"nonsecure", "Non-secure"},
	{"authenticated", "Authenticated"},
	{"encrypted", "Encrypted"},
}

// lineField is one field of the per-line definition. Its vendor name
// functions give the name for line n, or "" where there is none.
type lineField struct {
	def   Def // Name is the field name; vendor names are filled in below
	htek  string
	snom  string
	avaya func(n int) string
}

// Vendor names of the lines:
//
//   - Htek P-codes exist for account 1 only (P271 enabled, P270 label,
//     P3 display name, P35 user, P36 auth user, P34 password, P47 registrar,
//     P48 registrar port); the other accounts have none here.
//   - Snom names are user_<field><n> (user_active1, user_realname1,
//     user_name1, user_pname1, user_pass1, user_host1, user_outbound1,
//     user_expiry1).
//   - Avaya keywords from the administration guide: SIP_DOMAIN<n>,
//     SERVER_IP<n>_1, SERVER_PORT<n>_1, SERVER_IP<n>_2 (backup),
//     AUTOLOGIN_ID_KEY0<n>, AUTOLOGIN_AUTHID_KEY0<n>, AUTOLOGIN_PASSWD_KEY0<n>.
//     Named here in the same style (this phone's own): AUTOLOGIN_ENABLE_KEY0<n>,
//     AUTOLOGIN_LABEL_KEY0<n>, AUTOLOGIN_NAME_KEY0<n>, SERVER_TRANSPORT<n>_1,
//     SIP_PROXY<n>, SIP_EXPIRY<n>, SIP_SECURITY<n>.
var lineFields = []lineField{
	{def: Def{Name: "enabled", Kind: KindBool, Default: "off", Desc: "line enabled"},
		htek: "P271", snom: "user_active", avaya: avaya("AUTOLOGIN_ENABLE_KEY0%d")},
	{def: Def{Name: "label", Kind: KindString, MaxLen: 16, Desc: "label shown on the LCD (empty = the user)"},
		htek: "P270", avaya: avaya("AUTOLOGIN_LABEL_KEY0%d")},
	{def: Def{Name: "display_name", Kind: KindString, MaxLen: 63, Desc: "display name sent to callees"},
		htek: "P3", snom: "user_realname", avaya: avaya("AUTOLOGIN_NAME_KEY0%d")},
	{def: Def{Name: "user", Kind: KindString, MaxLen: 63, Check: userCheck, Desc: "SIP user (the address-of-record's user part)"},
		htek: "P35", snom: "user_name", avaya: avaya("AUTOLOGIN_ID_KEY0%d")},
	{def: Def{Name: "auth_user", Kind: KindString, MaxLen: 63, Desc: "authentication user (empty = the user)"},
		htek: "P36", snom: "user_pname", avaya: avaya("AUTOLOGIN_AUTHID_KEY0%d")},
	{def: Def{Name: "password", Kind: KindString, MaxLen: 63, Secret: true, Desc: "SIP password"},
		htek: "P34", snom: "user_pass", avaya: avaya("AUTOLOGIN_PASSWD_KEY0%d")},
	{def: Def{Name: "domain", Kind: KindString, MaxLen: 255, Check: hostCheck(false), Desc: "SIP domain (empty = the registrar host)"},
		avaya: avaya("SIP_DOMAIN%d")},
	{def: Def{Name: "registrar", Kind: KindString, MaxLen: 255, Check: hostCheck(false), Desc: "registrar host"},
		htek: "P47", snom: "user_host", avaya: avaya("SERVER_IP%d_1")},
	{def: Def{Name: "registrar_port", Kind: KindInt, Default: "5060", Min: 1, Max: 65535, Desc: "registrar port"},
		htek: "P48", avaya: avaya("SERVER_PORT%d_1")},
	{def: Def{Name: "transport", Kind: KindChoice, Default: "udp", Options: transports, Desc: "SIP transport"},
		avaya: avaya("SERVER_TRANSPORT%d_1")},
	{def: Def{Name: "outbound_proxy", Kind: KindString, MaxLen: 255, Check: hostCheck(true), Desc: "outbound proxy, host or host:port (empty = none)"},
		snom: "user_outbound", avaya: avaya("SIP_PROXY%d")},
	{def: Def{Name: "backup_registrar", Kind: KindString, MaxLen: 255, Check: hostCheck(true), Desc: "backup registrar, host or host:port (empty = none)"},
		avaya: avaya("SERVER_IP%d_2")},
	{def: Def{Name: "expiry", Kind: KindInt, Default: "3600", Min: 60, Max: 86400, Desc: "registration expiry in seconds"},
		snom: "user_expiry", avaya: avaya("SIP_EXPIRY%d")},
	{def: Def{Name: "security", Kind: KindChoice, Default: "nonsecure", Options: securityModes,
		Desc: "signalling and media security"},
		avaya: avaya("SIP_SECURITY%d")},
}

func avaya(format string) func(int) string {
	return func(n int) string { return fmt.Sprintf(format, n) }
}

// sipDefs generates the definitions of lines 1 to Lines.
func sipDefs() []Def {
	var out []Def
	for n := 1; n <= Lines; n++ {
		for _, f := range lineFields {
			d := f.def
			d.Name = LineName(n, f.def.Name)
			d.Desc = fmt.Sprintf("line %d: %s", n, f.def.Desc)
			if n == 1 {
				d.Htek = f.htek
			}
			if f.snom != "" {
				d.Snom = fmt.Sprintf("%s%d", f.snom, n)
			}
			if f.avaya != nil {
				d.Avaya = f.avaya(n)
			}
			out = append(out, d)
		}
	}
	return out
}
