package ui

import (
	"fmt"

	"deskphone/provision/settings"
)

// securityForm is the Security menu: each line's signalling security, the
// LSC and the trust list (from SecurityInfo), and the phone-wide switches.
// Most of those only provisioning may change; the form shows them and
// says so.
func securityForm() *Form {
	f := NewForm("Security")
	for n := 1; n <= settings.Lines; n++ {
		f.Setting(settings.LineName(n, "security"), fmt.Sprintf("Line %d mode", n))
	}
	f.Row(certRow(CertLSC))
	f.Row(Item{Label: "Trust list",
		Value: func(e *Env) string {
			tl := e.trustList()
			switch {
			case tl.CTL && tl.ITL:
				return "CTL+ITL"
			case tl.CTL:
				return "CTL"
			case tl.ITL:
				return "ITL"
			}
			return "Not installed"
		},
		Open: func(*Env) Screen { return trustListPage() }})
	return f.
		Setting("security.fips", "FIPS mode").
		Setting("security.tls_min_client", "TLS min client").
		Setting("security.tls_min_server", "TLS min server").
		Setting("security.web_access", "Web access").
		Setting("security.speakerphone", "Speakerphone").
		Setting("security.headset", "Headset").
		Setting("security.handset", "Handset").
		Setting("sip.checksync_challenge", "Check-sync auth")
}
