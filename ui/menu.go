package ui

import (
	"fmt"
	"strings"

	"deskphone/status"
)

// mainMenu is the list MENU opens. Entries whose screens come later say so
// plainly.
func mainMenu() *List {
	return NewList("Menu",
		Item{Label: "Status", Open: func(*Env) Screen { return statusPage() }},
		Item{Label: "Network", Open: notYet("Network", "Network settings")},
		Item{Label: "802.1X", Open: notYet("802.1X", "802.1X settings")},
		Item{Label: "Security", Open: notYet("Security", "Security settings")},
		Item{Label: "Settings", Open: notYet("Settings", "Phone settings")},
	)
}

func notYet(title, what string) func(*Env) Screen {
	return func(*Env) Screen { return NotYet(title, what) }
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
