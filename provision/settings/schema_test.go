package settings

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultsValidate(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Schema() {
		if seen[d.Name] {
			t.Errorf("%s defined twice", d.Name)
		}
		seen[d.Name] = true
		if !validSlotName(d.Name) {
			t.Errorf("%s: not a valid canonical name", d.Name)
		}
		if d.Desc == "" {
			t.Errorf("%s: no description", d.Name)
		}
		v, err := d.Normalize(d.Default)
		if err != nil {
			t.Errorf("%s: default %q refused: %v", d.Name, d.Default, err)
		} else if v != d.Default {
			t.Errorf("%s: default %q is not canonical (%q)", d.Name, d.Default, v)
		}
		for _, n := range []string{d.Name, d.Htek, d.Snom, d.Avaya} {
			if got, ok := Lookup(n); n != "" && (!ok || got.Name != d.Name) {
				t.Errorf("Lookup(%q) = %q, %v; want %s", n, got.Name, ok, d.Name)
			}
		}
	}
	// The defaults together pass the checks across settings too.
	all := map[string]bool{}
	for n := range Defaults() {
		all[n] = true
	}
	if err := checkRules(Defaults(), all); err != nil {
		t.Errorf("defaults break a rule: %v", err)
	}
	if !seen["sip.line4.security"] || seen["sip.line5.user"] {
		t.Errorf("want lines 1 to %d exactly", Lines)
	}
	if d, _ := Lookup("security.admin_password"); d.Default != "admin" || !d.Secret {
		t.Errorf("admin password: default %q secret %v; the README promises admin", d.Default, d.Secret)
	}
}

func TestVendorLookup(t *testing.T) {
	for name, want := range map[string]string{
		"P8626":                  "dot1x.mode",
		"p8627":                  "dot1x.identity",
		"P8628":                  "dot1x.password",
		"P20987":                 "dot1x.ca_cert_url",
		"P20988":                 "dot1x.device_cert_url",
		"challenge_checksync":    "sip.checksync_challenge",
		"SIP_DOMAIN1":            "sip.line1.domain",
		"SERVER_IP1_1":           "sip.line1.registrar",
		"SERVER_PORT1_1":         "sip.line1.registrar_port",
		"SERVER_IP1_2":           "sip.line1.backup_registrar",
		"AUTOLOGIN_ID_KEY01":     "sip.line1.user",
		"AUTOLOGIN_AUTHID_KEY01": "sip.line1.auth_user",
		"AUTOLOGIN_PASSWD_KEY03": "sip.line3.password",
		"SIP_DOMAIN4":            "sip.line4.domain",
		"P35":                    "sip.line1.user",
		"P34":                    "sip.line1.password",
		"user_name2":             "sip.line2.user",
		"ADMIN_PASSWORD":         "security.admin_password",
		" Dot1X.Mode ":           "dot1x.mode",
	} {
		d, ok := Lookup(name)
		if !ok || d.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %s", name, d.Name, ok, want)
		}
	}
	for _, name := range []string{"", "P9999", "sip.line5.user", "dot1x", "SIP_DOMAIN5"} {
		if d, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) found %s", name, d.Name)
		}
	}
}

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"net.dhcp", "ON", "on"},
		{"net.dhcp", "1", "on"},
		{"net.dhcp", "true", "on"},
		{"net.dhcp", " yes ", "on"},
		{"net.dhcp", "0", "off"},
		{"net.dhcp", "False", "off"},
		{"net.dhcp", "no", "off"},
		{"sip.line1.expiry", " 600 ", "600"},
		{"sip.line1.expiry", "+600", "600"},
		{"dot1x.mode", "EAP-TLS", "2"},
		{"dot1x.mode", "peap/gtc", "5"},
		{"sip.line1.transport", "TLS", "tls"},
		{"dot1x.ca_cert_url", " https://prov.example/ca.PEM ", "https://prov.example/ca.PEM"},
		{"phone.name", " Lobby ", " Lobby "}, // text keeps its spaces
		{"net.timezone", "Europe/Berlin", "Europe/Berlin"},
		{"net.timezone", "UTC+01:00", "UTC+01:00"},
		{"net.timezone", "-05:30", "-05:30"},
		{"sip.line1.outbound_proxy", "[2001:db8::1]:5061", "[2001:db8::1]:5061"},
		{"sip.line1.outbound_proxy", "proxy.example:5060", "proxy.example:5060"},
		{"net.mask", "255.255.255.0", "255.255.255.0"},
	} {
		got, err := def(c.name).Normalize(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: Normalize(%q) = %q, %v; want %q", c.name, c.in, got, err, c.want)
		}
	}
}

// TestRefused sets bad values through a store, so the checks across
// settings take part, and checks that the error names the setting and the
// fault, and that nothing was stored.
func TestRefused(t *testing.T) {
	for _, c := range []struct {
		desc    string
		before  map[string]string // applied first, must succeed
		changes map[string]string
		want    []string // substrings of the error
	}{
		{"identity 32 characters", nil, map[string]string{"P8627": strings.Repeat("a", 32)},
			[]string{"dot1x.identity", "P8627", "too long: 32 characters, at most 31"}},
		{"mode 8", nil, map[string]string{"P8626": "8"},
			[]string{"dot1x.mode", "P8626", "not one of 0 Disable, 1 EAP-MD5", "7 EAP-FAST", `"8"`}},
		{"port 0", nil, map[string]string{"sip.line1.registrar_port": "0"},
			[]string{"sip.line1.registrar_port", "SERVER_PORT1_1", "out of range: 0, from 1 to 65535"}},
		{"port text", nil, map[string]string{"sip.line2.registrar_port": "http"},
			[]string{"sip.line2.registrar_port", `not a whole number: "http"`}},
		{"bad transport", nil, map[string]string{"sip.line2.transport": "sctp"},
			[]string{"sip.line2.transport", `not one of udp, tcp, tls: "sctp"`}},
		{"re-auth 5", nil, map[string]string{"dot1x.reauth_period": "5"},
			[]string{"dot1x.reauth_period", "out of range: 5, from 10 to 86400"}},
		{"re-auth 15 with EAP-TLS in one change", nil,
			map[string]string{"dot1x.mode": "2", "dot1x.reauth_period": "15"},
			[]string{"dot1x.reauth_period", "EAP-TLS", "out of range", "15, from 20"}},
		{"re-auth 15 when EAP-TLS is set", map[string]string{"dot1x.mode": "2"},
			map[string]string{"dot1x.reauth_period": "15"},
			[]string{"dot1x.reauth_period", "15, from 20"}},
		{"EAP-TLS when re-auth is 15", map[string]string{"dot1x.mode": "1", "dot1x.reauth_period": "15"},
			map[string]string{"P8626": "2"},
			[]string{"dot1x.reauth_period", "15, from 20"}},
		{"CA certificate not .crt or .pem", nil, map[string]string{"P20987": "https://prov.example/ca.der"},
			[]string{"dot1x.ca_cert_url", "P20987", "end in .crt or .pem"}},
		{"CA certificate URL too long", nil,
			map[string]string{"dot1x.ca_cert_url": "https://p.example/" + strings.Repeat("c", 240) + ".pem"},
			[]string{"dot1x.ca_cert_url", "too long: 262 characters, at most 255"}},
		{"device certificate .crt", nil, map[string]string{"P20988": "https://prov.example/dev.crt"},
			[]string{"dot1x.device_cert_url", "end in .pem"}},
		{"URL scheme", nil, map[string]string{"provision.server_url": "gopher://prov.example/"},
			[]string{"provision.server_url", "not one of http, https, tftp, ftp"}},
		{"expiry 59", nil, map[string]string{"sip.line3.expiry": "59"},
			[]string{"sip.line3.expiry", "out of range: 59, from 60 to 86400"}},
		{"VLAN 4095", nil, map[string]string{"net.voice_vlan": "4095"},
			[]string{"net.voice_vlan", "out of range: 4095, from 0 to 4094"}},
		{"TLS 1.1", nil, map[string]string{"security.tls_min_client": "1.1"},
			[]string{"security.tls_min_client", "not one of 1.2 TLS 1.2, 1.3 TLS 1.3"}},
		{"bool", nil, map[string]string{"challenge_checksync": "maybe"},
			[]string{"sip.checksync_challenge", "Snom challenge_checksync", `not on or off: "maybe"`}},
		{"time zone", nil, map[string]string{"net.timezone": "Mars/Olympus"},
			[]string{"net.timezone", `not a time zone: "Mars/Olympus"`}},
		{"time zone offset", nil, map[string]string{"net.timezone": "UTC+15"},
			[]string{"net.timezone", "out of range"}},
		{"mask", nil, map[string]string{"net.mask": "255.0.255.0"},
			[]string{"net.mask", "not a network mask"}},
		{"line break", nil, map[string]string{"phone.name": "a\nb"},
			[]string{"phone.name", "control character"}},
		{"user with a domain", nil, map[string]string{"sip.line1.user": "1001@pbx"},
			[]string{"sip.line1.user", `no "@"`}},
		{"unknown", nil, map[string]string{"no.such.setting": "1"},
			[]string{`unknown setting "no.such.setting"`}},
		{"one good, one bad", nil, map[string]string{"phone.name": "Hall", "sip.line1.expiry": "1"},
			[]string{"sip.line1.expiry"}},
		{"same setting twice", nil, map[string]string{"P8626": "1", "dot1x.mode": "3"},
			[]string{"dot1x.mode", "set twice"}},
	} {
		t.Run(c.desc, func(t *testing.T) {
			s, err := Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Apply(c.before); err != nil {
				t.Fatalf("before: %v", err)
			}
			want := s.Values()
			err = s.Apply(c.changes)
			if err == nil {
				t.Fatalf("Apply(%q) succeeded", c.changes)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var ve *ValueError
			var ue *UnknownError
			if !errors.As(err, &ve) && !errors.As(err, &ue) {
				t.Errorf("error %T is neither a *ValueError nor an *UnknownError", err)
			}
			if got := s.Values(); !equalMaps(got, want) {
				t.Errorf("a refused change changed the values")
			}
		})
	}
}

func TestReauthAccepted(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []map[string]string{
		{"dot1x.mode": "1", "dot1x.reauth_period": "15"}, // MD5: 15 s is fine
		{"dot1x.reauth_period": "0", "dot1x.mode": "2"},  // off: fine for EAP-TLS
		{"dot1x.reauth_period": "20"},
		{"dot1x.reauth_period": "10", "dot1x.mode": "3"}, // leaving EAP-TLS in the same change
	} {
		if err := s.Apply(ch); err != nil {
			t.Errorf("Apply(%v): %v", ch, err)
		}
	}
	if s.Int("dot1x.reauth_period") != 10 || s.Int("P8626") != 3 {
		t.Errorf("got period %d mode %d", s.Int("dot1x.reauth_period"), s.Int("dot1x.mode"))
	}
}

// TestSecretsNotInErrors feeds every secret setting bad values and checks
// that no error quotes them.
func TestSecretsNotInErrors(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range Schema() {
		if !d.Secret {
			continue
		}
		n++
		for _, bad := range []string{
			"Sup3rSecretValue" + strings.Repeat("x", 300),
			"Sup3rSecret\nValue",
			"Sup3rSecret\xffValue",
		} {
			err := s.Set(d.Name, bad)
			if err == nil {
				t.Errorf("%s: %q accepted", d.Name, bad)
				continue
			}
			if strings.Contains(err.Error(), "Sup3rSecret") || strings.Contains(err.Error(), "xxxxxxxx") {
				t.Errorf("%s: error shows the secret: %v", d.Name, err)
			}
			if !strings.Contains(err.Error(), d.Name) {
				t.Errorf("%s: error does not name the setting: %v", d.Name, err)
			}
		}
	}
	if n < 7 { // 802.1X, provisioning, admin, four lines
		t.Errorf("only %d secrets in the schema", n)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
