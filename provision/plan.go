package provision

import (
	"fmt"
	"strings"
)

// The files a phone asks its server for, in this order (each vendor's
// phones ask for their own; this phone reads all three formats):
//
//  1. Avaya master: <model>SIP.cfg (e.g. 1230SIP.cfg), or when the server
//     has none, 12xxSIP.cfg; the master then names further files by section
//  2. Htek: cfg<model>.xml (model-wide), then cfg<mac>.xml (this phone;
//     lower-case hex), so the per-phone file overrides the model's
//  3. Snom: <MAC>.xml (upper-case hex)
//
// A file the server does not have is skipped; every file found is applied,
// each as one change, in this order.
type request struct {
	name string
	kind string // "avaya", "htek", "snom"
	alt  bool   // the Avaya fallback: asked only when the file before it is missing
}

func requests(model, mac string) []request {
	return []request{
		{name: model + "SIP.cfg", kind: "avaya"},
		{name: "12xxSIP.cfg", kind: "avaya", alt: true},
		{name: "cfg" + model + ".xml", kind: "htek"},
		{name: "cfg" + strings.ToLower(mac) + ".xml", kind: "htek"},
		{name: strings.ToUpper(mac) + ".xml", kind: "snom"},
	}
}

// RequestedFiles lists the file names of requests(model, mac), for
// documentation and the CLI.
func RequestedFiles(model, mac string) []string {
	var out []string
	for _, r := range requests(model, mac) {
		out = append(out, r.name)
	}
	return out
}

// NormalizeMAC gives 12 hex digits (upper case) from a MAC written with or
// without ':' or '-' separators.
func NormalizeMAC(mac string) (string, error) {
	m := strings.ToUpper(strings.NewReplacer(":", "", "-", "", ".", "").Replace(strings.TrimSpace(mac)))
	if len(m) != 12 || strings.Trim(m, "0123456789ABCDEF") != "" {
		return "", fmt.Errorf("MAC %q: want 12 hex digits", clip(mac))
	}
	return m, nil
}
