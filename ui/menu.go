package ui

import (
	"fmt"
	"strings"

	"deskphone/provision/settings"
	"deskphone/status"
)

// mainMenu is the list MENU opens. Everything but Status asks the admin
// password first. Entries whose screens come later say so plainly.
func mainMenu() *List {
	return NewList("Menu",
		Item{Label: "Status", Open: func(*Env) Screen { return statusPage() }},
		Item{Label: "Network", Open: adminOnly(func(*Env) Screen { return networkMenu() })},
		Item{Label: "Security", Open: adminOnly(func(*Env) Screen { return securityForm() })},
		Item{Label: "Settings", Open: adminOnly(func(*Env) Screen { return phoneForm() })},
	)
}

// networkMenu is Network: 802.1X, and the addresses the phone has.
func networkMenu() *List {
	return NewList("Network",
		Item{Label: "802.1X", Open: func(*Env) Screen { return dot1xForm() }},
		Item{Label: "Addresses", Open: func(*Env) Screen { return NewInfoPage("Addresses", addressRows) }},
	)
}

func addressRows(e *Env) []InfoRow {
	n := e.Phone.Network
	return []InfoRow{
		{"Link", map[bool]string{true: "up", false: "down"}[n.LinkUp]},
		{"IP address", orNone(n.IP, "none")},
		{"MAC", orNone(n.MAC, "unknown")},
		{"DHCP", showValue(mustDef("net.dhcp"), e.setting("net.dhcp"))},
	}
}

// phoneForm is Settings: what the phone shows.
func phoneForm() *Form {
	return NewForm("Settings").Setting("phone.name", "Phone name")
}

// mustDef is a setting's definition by a name known at compile time.
func mustDef(name string) settings.Def {
	d, ok := settings.Lookup(name)
	if !ok {
		panic("ui: unknown setting " + name)
	}
	return d
}

// statusPage is the read-only page of what the phone is and how it is.
func statusPage() *InfoPage { return NewInfoPage("Status", statusRows) }

func statusRows(e *Env) []InfoRow {
	p := &e.Phone
	rows := []InfoRow{
		{"Firmware", orNone(p.Firmware, "unknown")},
		{"IP address", orNone(p.Network.IP, "none")},
		{"MAC", orNone(p.Network.MAC, "unknown")},
		{"Link", map[bool]string{true: "up", false: "down"}[p.Network.LinkUp]},
		{"802.1X", dot1xWords(p.Dot1X)},
	}
	if p.Inoperable != "" {
		rows = append(rows, InfoRow{"Out of service", p.Inoperable})
	}
	for _, l := range p.Lines {
		_, words := lineLook(e.Theme.Icons, l)
		rows = append(rows, InfoRow{fmt.Sprintf("Line %d", l.Index), lineLabel(l) + " " + strings.ToLower(words[:1]) + words[1:]})
	}
	if len(p.Lines) == 0 {
		rows = append(rows, InfoRow{"Lines", "none configured"})
	}
	rows = append(rows, InfoRow{"Provisioning", provisionWords(p.Provision)})
	for _, f := range p.Provision.Files {
		// What an admin must fix: the files the last pass refused.
		if f.Outcome == "rejected" {
			rows = append(rows, InfoRow{f.Name, strings.TrimSuffix("rejected: "+f.Reason, ": ")})
		}
	}
	if p.Security.Mode != "" {
		rows = append(rows, InfoRow{"Security", p.Security.Mode})
	}
	return rows
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func dot1xWords(d status.Dot1X) string {
	s := orNone(d.State, status.Dot1XDisabled)
	if d.Method != "" && d.State != status.Dot1XDisabled {
		s += " (" + d.Method + ")"
	}
	if d.Reason != "" {
		s += ": " + d.Reason
	}
	return s
}

func provisionWords(p status.Provision) string {
	if p.Result == "" {
		return "never"
	}
	s := p.Result
	if !p.At.IsZero() {
		s += ", " + p.At.Format("02 Jan 15:04")
	}
	if p.Server != "" {
		s += " from " + p.Server
	}
	return s
}
