package provision

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"deskphone/provision/settings"
	"deskphone/status"
)

// File outcomes and pass results, as status.Provision publishes them.
const (
	Applied   = "applied"
	Unchanged = "unchanged"
	Skipped   = "skipped"
	Rejected  = "rejected"

	ResultOK      = "ok"
	ResultPartial = "partial"
	ResultFailed  = "failed"
)

// Provisioner runs provisioning passes for one phone.
type Provisioner struct {
	Store   *settings.Store
	DataDir string
	Model   string // e.g. "1230": names the model's files
	MAC     string // any usual form; see NormalizeMAC
	Fetcher Fetcher
	// Trust verifies signed files; nil trusts no signature.
	Trust *Trust
	// RequireSigned refuses every configuration file that is not signed
	// by a "config" signer ([SEC_POLICY], [CTL] and [LANGUAGE] files and
	// firmware manifests must always be signed).
	RequireSigned bool
	// DataKeys are the device and site keys for encrypted files.
	DataKeys [][]byte
	// Slots is the firmware store for [FW]; nil skips [FW].
	Slots *Slots
	// Hardware is the id firmware manifests must name ("" = Model).
	Hardware string
	Log      *slog.Logger
	// Now is the clock (nil = time.Now).
	Now func() time.Time

	passMu sync.Mutex // one pass at a time: files are read, changed, written
}

// pass is the state of one provisioning pass.
type pass struct {
	p     *Provisioner
	ctx   context.Context
	mac   string
	files []status.FileResult
}

func (ps *pass) add(name, outcome, reason string) {
	ps.files = append(ps.files, status.FileResult{Name: name, Outcome: outcome, Reason: reason})
	if ps.p.Log != nil {
		ps.p.Log.Info("provision file", "file", name, "outcome", outcome, "reason", reason)
	}
}

// Pass asks the server for this phone's files (see requests), applies what
// it finds and reports each file's outcome. It never returns an error:
// what failed is in the result.
func (p *Provisioner) Pass(ctx context.Context, server string) status.Provision {
	p.passMu.Lock()
	defer p.passMu.Unlock()
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	res := status.Provision{At: now().UTC(), Server: redact(server)}
	ps := &pass{p: p, ctx: ctx}
	mac, err := NormalizeMAC(p.MAC)
	base, uerr := url.Parse(server)
	switch {
	case err != nil:
		ps.add("-", Rejected, err.Error())
	case uerr != nil || base.Host == "":
		ps.add("-", Rejected, fmt.Sprintf("server URL %q is not an absolute URL", redact(server)))
	default:
		ps.mac = mac
		if !strings.HasSuffix(base.Path, "/") {
			base.Path += "/"
		}
		ps.run(base)
	}
	res.Files = ps.files
	res.Result = summarize(ps.files)
	return res
}

// fetched is a top-level file after fetching and unwrapping.
type fetched struct {
	request
	url  *url.URL
	data []byte
}

func (ps *pass) run(base *url.URL) {
	var got []fetched
	foundMaster := false
	for _, r := range requests(ps.p.Model, ps.mac) {
		if ps.ctx.Err() != nil {
			ps.add(r.name, Skipped, "canceled")
			continue
		}
		if r.alt && foundMaster {
			continue
		}
		u := base.ResolveReference(&url.URL{Path: r.name})
		data, err := FetchBytes(ps.ctx, ps.p.Fetcher, u, MaxConfigSize)
		if errors.Is(err, ErrNotFound) {
			ps.add(r.name, Skipped, "not on the server")
			continue
		}
		if err != nil {
			ps.add(r.name, Rejected, err.Error())
			continue
		}
		if r.kind == "avaya" {
			foundMaster = true
		}
		data, err = ps.p.unwrap(r.name, data, false)
		if err != nil {
			ps.add(r.name, Rejected, err.Error())
			continue
		}
		got = append(got, fetched{request: r, url: u, data: data})
	}
	// The Htek per-phone file overrides the model's: what it sets is left
	// out of the model's file, so a pass does not set a value and then
	// set it back (two flash writes, and watchers woken for nothing).
	htek := map[string][]Assignment{}
	for _, f := range got {
		if f.kind == "htek" {
			htek[f.name], _ = ParseHtek(f.name, f.data)
		}
	}
	macFile := "cfg" + strings.ToLower(ps.mac) + ".xml"
	for _, f := range got {
		switch f.kind {
		case "avaya":
			ps.avayaMaster(f.url, f.name, f.data)
		case "htek":
			as, err := ParseHtek(f.name, f.data)
			if err != nil {
				ps.add(f.name, Rejected, err.Error())
				continue
			}
			if f.name != macFile {
				as = withoutOverridden(as, htek[macFile])
			}
			ps.applyFile(f.name, "htek", as)
		case "snom":
			ps.applySnom(f.name, f.data)
		}
	}
}

// withoutOverridden drops from as the settings that later sets too.
func withoutOverridden(as, later []Assignment) []Assignment {
	set := map[string]bool{}
	for _, a := range later {
		if d, ok := settings.Lookup(a.Name); ok {
			set[d.Name] = true
		}
	}
	var out []Assignment
	for _, a := range as {
		if d, ok := settings.Lookup(a.Name); ok && set[d.Name] {
			continue
		}
		out = append(out, a)
	}
	return out
}

// summarize: ok when every file found was applied or unchanged, partial
// when some were and some were rejected, failed when none was.
func summarize(files []status.FileResult) string {
	var good, bad int
	for _, f := range files {
		switch f.Outcome {
		case Applied, Unchanged:
			good++
		case Rejected:
			bad++
		}
	}
	switch {
	case good > 0 && bad == 0:
		return ResultOK
	case good > 0:
		return ResultPartial
	}
	return ResultFailed
}

// unwrap checks a fetched file's signature and decrypts it. An unsigned
// file passes only when neither mustSign nor RequireSigned asks for a
// signature. Nothing is written before this returns.
func (p *Provisioner) unwrap(name string, data []byte, mustSign bool) ([]byte, error) {
	switch {
	case IsSigned(data):
		var keys = p.signers(RoleConfig)
		payload, _, err := Verify(data, keys)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		data = payload
	case mustSign || p.RequireSigned:
		return nil, fmt.Errorf("%s: not signed, and a signature is required", name)
	}
	if IsEncrypted(data) {
		plain, err := Decrypt(data, p.DataKeys...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		data = plain
	}
	return data, nil
}

func (p *Provisioner) signers(role string) []ed25519.PublicKey {
	if p.Trust == nil {
		return nil
	}
	return p.Trust.Signers(role)
}

// redact hides a password in a URL's user info.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(bad URL)"
	}
	return u.Redacted()
}
