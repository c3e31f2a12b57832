package settings

// The table of settings other than the SIP lines (schema_sip.go).
//
// Vendor names: the Htek 802.1X P-codes (P8626-P8628, P20987, P20988) and
// Snom challenge_checksync are from the vendors' documents; the Avaya
// keywords ADMIN_PASSWORD, SNTP_SERVER, SRV_USER_NAME and SRV_USER_PASS are
// from the Avaya 1200-series administration guide. Avaya's 802.1X keywords
// were not found in public text, so they are named here in the same style
// (DOT1X_*); they work as names of this phone only.
//
// Vendor values are not translated here: a vendor name accepts this phone's
// value forms (bools also as 1/0, choices also by label, any case). The
// vendor-format parsers translate what differs.

// dot1xModes are the Htek P8626 values.
var dot1xModes = []Option{
	{"0", "Disable"},
	{"1", "EAP-MD5"},
	{"2", "EAP-TLS"},
	{"3", "PEAP/MSCHAPv2"},
	{"4", "TTLS/EAP-MSCHAPv2"},
	{"5", "PEAP/GTC"},
	{"6", "TTLS/EAP-GTC"},
	{"7", "EAP-FAST"},
}

// dot1xModeTLS is the EAP-TLS value of dot1x.mode.
const dot1xModeTLS = "2"

var tlsVersions = []Option{{"1.2", "TLS 1.2"}, {"1.3", "TLS 1.3"}}

// toneRegions are the tone plans of media.Regions.
var toneRegions = []Option{{"us", "North America"}, {"eu", "Europe (425 Hz)"}}

// fetchSchemes are the URL schemes the provisioning fetchers know.
var fetchSchemes = []string{"http", "https", "tftp", "ftp"}

func baseDefs() []Def {
	return []Def{
		// 802.1X on the LAN port.
		{Name: "dot1x.mode", Kind: KindChoice, Default: "0", Options: dot1xModes,
			Desc: "802.1X authentication method", Htek: "P8626", Avaya: "DOT1X_MODE"},
		{Name: "dot1x.identity", Kind: KindString, MaxLen: 31,
			Desc: "802.1X identity", Htek: "P8627", Avaya: "DOT1X_IDENTITY"},
		{Name: "dot1x.password", Kind: KindString, MaxLen: 31, Secret: true,
			Desc: "802.1X password", Htek: "P8628", Avaya: "DOT1X_PASSWORD"},
		{Name: "dot1x.ca_cert_url", Kind: KindURL, MaxLen: 255, Schemes: fetchSchemes,
			Check: suffixCheck(".crt", ".pem"),
			Desc:  "URL of the CA certificate that verifies the authentication server (.crt or .pem)",
			Htek:  "P20987", Avaya: "DOT1X_CA_CERT"},
		{Name: "dot1x.device_cert_url", Kind: KindURL, MaxLen: 255, Schemes: fetchSchemes,
			Check: suffixCheck(".pem"),
			Desc:  "URL of the phone's certificate and key for EAP-TLS (.pem)",
			Htek:  "P20988", Avaya: "DOT1X_DEV_CERT"},
		{Name: "dot1x.reauth_period", Kind: KindInt, Default: "0", Min: 0, Max: 86400,
			Check: reauthCheck,
			Desc:  "802.1X re-authentication period in seconds (0 = off; at least 10, 20 with EAP-TLS)",
			Avaya: "DOT1X_REAUTH_PERIOD"},
		// 1398 is the default of wpa_supplicant and of net8021x: a full
		// EAP-TLS message then fits a 1500-byte frame.
		{Name: "dot1x.fragment_size", Kind: KindInt, Default: "1398", Min: 256, Max: 1400,
			ProvisionOnly: true, Desc: "EAP-TLS fragment size in bytes"},
		{Name: "dot1x.pac_anonymous", Kind: KindBool, Default: "off", ProvisionOnly: true,
			Desc: "allow anonymous (unauthenticated) EAP-FAST PAC provisioning"},
		{Name: "net.pc_port", Kind: KindBool, Default: "on",
			Desc: "PC port enabled"},
		{Name: "net.voice_vlan", Kind: KindInt, Default: "0", Min: 0, Max: 4094,
			Desc: "voice VLAN id (0 = untagged)"},

		// Provisioning.
		{Name: "provision.server_url", Kind: KindURL, MaxLen: 255, Schemes: fetchSchemes,
			Desc: "provisioning server URL (empty = from DHCP)", Snom: "setting_server"},
		{Name: "provision.resync_minutes", Kind: KindInt, Default: "0", Min: 0, Max: 525600,
			Desc: "periodic resync, in minutes (0 = off)"},
		{Name: "provision.insecure_bootstrap", Kind: KindBool, Default: "off", ProvisionOnly: true,
			Desc: "allow fetching the first root certificate over an unauthenticated channel"},
		{Name: "provision.http_user", Kind: KindString, MaxLen: 63,
			Desc: "user name for the provisioning server", Avaya: "SRV_USER_NAME"},
		{Name: "provision.http_password", Kind: KindString, MaxLen: 63, Secret: true,
			Desc: "password for the provisioning server", Avaya: "SRV_USER_PASS"},

		// SIP, phone-wide.
		{Name: "sip.checksync_challenge", Kind: KindBool, Default: "off",
			Desc: "challenge check-sync NOTIFYs with digest authentication", Snom: "challenge_checksync"},

		// Security.
		{Name: "security.admin_password", Kind: KindString, Default: "admin", MaxLen: 63, Secret: true,
			Desc: "administrator password (menu and web)",
			Htek: "P2", Snom: "admin_mode_password", Avaya: "ADMIN_PASSWORD"},
		{Name: "security.web_access", Kind: KindBool, Default: "on",
			Desc: "web administration pages enabled"},
		{Name: "security.fips", Kind: KindBool, Default: "off", ProvisionOnly: true,
			Desc: "FIPS mode: only FIPS-approved algorithms"},
		{Name: "security.tls_min_client", Kind: KindChoice, Default: "1.2", Options: tlsVersions,
			ProvisionOnly: true, Desc: "lowest TLS version the phone accepts as a client"},
		{Name: "security.tls_min_server", Kind: KindChoice, Default: "1.2", Options: tlsVersions,
			ProvisionOnly: true, Desc: "lowest TLS version the phone's servers accept"},
		{Name: "security.speakerphone", Kind: KindBool, Default: "on", ProvisionOnly: true,
			Desc: "speakerphone enabled"},
		{Name: "security.headset", Kind: KindBool, Default: "on", ProvisionOnly: true,
			Desc: "headset enabled"},
		{Name: "security.handset", Kind: KindBool, Default: "on", ProvisionOnly: true,
			Desc: "handset enabled"},
		{Name: "security.secure_tone", Kind: KindBool, Default: "off",
			Desc: "play the secure indication tone when a call is encrypted"},

		// Audio.
		{Name: "audio.tone_region", Kind: KindChoice, Default: "us", Options: toneRegions,
			Desc: "call-progress tones: dial, ringback, busy, reorder, call waiting"},

		// Network and time.
		{Name: "net.dhcp", Kind: KindBool, Default: "on",
			Desc: "get the address by DHCP", Snom: "dhcp"},
		{Name: "net.ip", Kind: KindString, MaxLen: 15, Check: ipv4Check,
			Desc: "static IPv4 address", Snom: "ip_adr"},
		{Name: "net.mask", Kind: KindString, MaxLen: 15, Check: maskCheck,
			Desc: "static network mask", Snom: "netmask"},
		{Name: "net.gateway", Kind: KindString, MaxLen: 15, Check: ipv4Check,
			Desc: "static default gateway", Snom: "gateway"},
		{Name: "net.dns1", Kind: KindString, MaxLen: 15, Check: ipv4Check,
			Desc: "static DNS server", Snom: "dns_server1"},
		{Name: "net.dns2", Kind: KindString, MaxLen: 15, Check: ipv4Check,
			Desc: "second static DNS server", Snom: "dns_server2"},
		{Name: "net.sntp_server", Kind: KindString, MaxLen: 255, Check: hostCheck(false),
			Desc: "SNTP server (empty = from DHCP)", Snom: "ntp_server", Avaya: "SNTP_SERVER"},
		{Name: "net.timezone", Kind: KindString, Default: "UTC", MaxLen: 64, Check: timezoneCheck,
			Desc: `time zone: a tz name such as "Europe/Berlin", or an offset such as "UTC+01:00"`},
		{Name: "phone.name", Kind: KindString, MaxLen: 24,
			Desc: "name shown on the idle screen"},
	}
}
