package provision

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"deskphone/provision/settings"
)

// item is one setting a file sets, on its way to the store.
type item struct {
	Assignment
	perm    string // PermWritable, PermReadOnly or PermKeepUser
	derived bool   // made by translate from another item; an explicit setting wins
}

// apply maps a file's settings through the schema and applies them to the
// store as one change, all or nothing. An unknown name is reported, not
// fatal; an invalid value rejects the whole file, naming file, line and
// setting, and the old configuration stays.
func (ps *pass) apply(name, vendor string, items []item) (outcome, reason string) {
	items = translate(vendor, items)
	store := ps.p.Store
	cur := store.Values()
	defaults := settings.Defaults()
	recs, err := LoadPermRecords(ps.p.DataDir)
	if err != nil {
		return Rejected, err.Error()
	}
	changes := map[string]string{}
	perm := map[string]string{}
	explicit := map[string]bool{}
	var unknown, kept []string
	for _, it := range items {
		d, ok := settings.Lookup(it.Name)
		if !ok {
			unknown = append(unknown, fmt.Sprintf("%s (line %d)", clip(it.Name), it.Line))
			continue
		}
		v, err := d.Normalize(it.Value)
		if err != nil {
			return Rejected, fmt.Sprintf("%s:%d: %v", name, it.Line, err)
		}
		if it.derived && explicit[d.Name] {
			continue
		}
		if !it.derived {
			explicit[d.Name] = true
		}
		changes[d.Name], perm[d.Name] = v, it.perm
	}
	for n := range changes {
		if perm[n] == PermKeepUser && recs.userChanged(n, cur[n], defaults[n]) {
			// The user's own value survives: provisioning gave only a
			// default.
			delete(changes, n)
			kept = append(kept, n)
		}
	}
	certs, err := ps.fetchCerts(changes)
	if err != nil {
		return Rejected, fmt.Sprintf("%s: %v", name, err)
	}
	same := true
	for n, v := range changes {
		if cur[n] != v {
			same = false
		}
	}
	if !same {
		if err := store.Apply(changes); err != nil {
			return Rejected, fmt.Sprintf("%s: %v", name, err)
		}
	}
	var notes []string
	for _, rel := range sortedKeys(certs) {
		if err := installFile(ps.p.DataDir, rel, certs[rel]); err != nil {
			return Rejected, fmt.Sprintf("%s: settings applied, but %v", name, err)
		}
		notes = append(notes, "installed "+rel)
	}
	recsChanged := false
	for n, v := range changes {
		r := PermRecord{Perm: perm[n], Hash: valueHash(v)}
		if recs[n] != r {
			recs[n], recsChanged = r, true
		}
	}
	if recsChanged {
		if err := recs.Save(ps.p.DataDir); err != nil {
			notes = append(notes, "perm records not saved: "+err.Error())
		}
	}
	if len(kept) > 0 {
		sort.Strings(kept)
		notes = append(notes, "kept the user's value of "+strings.Join(kept, ", "))
	}
	if len(unknown) > 0 {
		notes = append(notes, "unknown: "+strings.Join(unknown, ", "))
	}
	outcome = Applied
	if same && len(certs) == 0 {
		outcome = Unchanged
	}
	return outcome, strings.Join(notes, "; ")
}

// applyFile applies plain items (every perm writable) and reports.
func (ps *pass) applyFile(name, vendor string, as []Assignment) {
	items := make([]item, len(as))
	for i, a := range as {
		items[i] = item{Assignment: a, perm: PermWritable}
	}
	o, r := ps.apply(name, vendor, items)
	ps.add(name, o, r)
}

func (ps *pass) applySnom(name string, data []byte) {
	ss, err := ParseSnom(name, data)
	if err != nil {
		ps.add(name, Rejected, err.Error())
		return
	}
	items := make([]item, len(ss))
	for i, s := range ss {
		k, _ := snomPermKind(s.Perm)
		items[i] = item{Assignment: s.Assignment, perm: k}
	}
	o, r := ps.apply(name, "snom", items)
	ps.add(name, o, r)
}

// translate rewrites the vendor values whose form differs from this
// phone's, adding derived items:
//
//   - Htek P47 "host:port" is the registrar and its port (P48)
//   - Avaya AUTOLOGIN_ID_KEY0n "user@domain" is the user and the domain
//     (SIP_DOMAINn)
func translate(vendor string, items []item) []item {
	out := make([]item, 0, len(items))
	for _, it := range items {
		switch {
		case vendor == "htek" && strings.EqualFold(it.Name, "P47"):
			if h, p, err := net.SplitHostPort(it.Value); err == nil {
				it.Value = h
				out = append(out, it, item{Assignment: Assignment{Line: it.Line, Name: "P48", Value: p}, perm: it.perm, derived: true})
				continue
			}
		case vendor == "avaya" && strings.HasPrefix(strings.ToUpper(it.Name), "AUTOLOGIN_ID_KEY0"):
			if u, dom, ok := strings.Cut(it.Value, "@"); ok {
				n := it.Name[len("AUTOLOGIN_ID_KEY0"):]
				it.Value = u
				out = append(out, it, item{Assignment: Assignment{Line: it.Line, Name: "SIP_DOMAIN" + n, Value: dom}, perm: it.perm, derived: true})
				continue
			}
		}
		out = append(out, it)
	}
	return out
}

// fetchCerts downloads and checks the 802.1X certificates a change names
// (dot1x.ca_cert_url, dot1x.device_cert_url), before anything is applied:
// a certificate that cannot be had or is not what it should be rejects
// the file. It fetches again when the URL changed or the file is missing.
func (ps *pass) fetchCerts(changes map[string]string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, c := range []struct{ setting, file string }{
		{"dot1x.ca_cert_url", Dot1XCAFile},
		{"dot1x.device_cert_url", Dot1XDeviceFile},
	} {
		raw := changes[c.setting]
		if raw == "" {
			continue
		}
		_, statErr := os.Stat(filepath.Join(ps.p.DataDir, c.file))
		if cur, _ := ps.p.Store.Get(c.setting); cur == raw && statErr == nil {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: bad URL", c.setting)
		}
		data, err := FetchBytes(ps.ctx, ps.p.Fetcher, u, MaxCertSize)
		if err != nil {
			return nil, err
		}
		if c.file == Dot1XCAFile {
			certs, err := parseCerts(data)
			if err == nil {
				err = checkCA(certs)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %v", u.Redacted(), err)
			}
			out[c.file] = certsPEM(certs)
		} else {
			if err := checkKeyPair(data); err != nil {
				return nil, fmt.Errorf("%s: %v", u.Redacted(), err)
			}
			out[c.file] = data
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
