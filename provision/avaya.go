package provision

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// avayaMaster acts on each section of an Avaya master file, in the file's
// order. A section whose DOWNLOAD_MODE is AUTO is fetched only when its
// VERSION is higher than the one stored for it (provision.versions);
// FORCED always fetches. A section's stored version is updated only when
// its files were applied.
func (ps *pass) avayaMaster(master *url.URL, name string, data []byte) {
	m, err := ParseAvayaMaster(name, data)
	if err != nil {
		ps.add(name, Rejected, err.Error())
		return
	}
	reason := ""
	if len(m.Unknown) > 0 {
		reason = "not acted on: " + strings.Join(m.Unknown, ", ")
	}
	versions, err := loadVersions(ps.p.DataDir)
	if err != nil {
		ps.add(name, Rejected, err.Error())
		return
	}
	// The master is "applied" when a section it names was, "unchanged"
	// otherwise; its line comes first, its outcome is known at the end.
	ps.add(name, Unchanged, reason)
	at := len(ps.files) - 1
	defer func() {
		for _, f := range ps.files[at+1:] {
			if f.Outcome == Applied {
				ps.files[at].Outcome = Applied
			}
		}
	}()
	for _, s := range m.Sections {
		if ps.ctx.Err() != nil {
			ps.add("["+s.Name+"]", Skipped, "canceled")
			continue
		}
		if !s.Forced && s.Name != "FW" {
			if old, ok := versions[s.Name]; ok && compareVersions(s.Version, old) <= 0 {
				ps.add("["+s.Name+"]", Unchanged, fmt.Sprintf("VERSION %s, installed %s (AUTO)", s.Version, old))
				continue
			}
		}
		if ps.avayaSection(master, s) {
			versions[s.Name] = s.Version
			if err := saveVersions(ps.p.DataDir, versions); err != nil {
				ps.add("["+s.Name+"]", Rejected, err.Error())
			}
		}
	}
}

// sectionURL is where a section's file is: PROTOCOL and SERVER_IP replace
// the master's scheme and host (a changed protocol without SERVER_IP uses
// the master's host on the protocol's default port); a file on the
// master's server is relative to the master's folder; credentials come
// from SRV_USER_NAME and SRV_USER_PASS.
func sectionURL(master *url.URL, s AvayaSection, file string) *url.URL {
	u := *master
	u.User = nil
	samePlace := true
	if s.Protocol != "" && !strings.EqualFold(s.Protocol, u.Scheme) {
		u.Scheme = strings.ToLower(s.Protocol)
		u.Host = master.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]"
		}
		samePlace = false
	}
	if s.ServerIP != "" && s.ServerIP != u.Host {
		u.Host = s.ServerIP
		samePlace = false
	}
	if samePlace {
		u.Path = path.Join(path.Dir(master.Path), file)
	} else {
		u.Path = "/" + file
	}
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	if s.User != "" {
		u.User = url.UserPassword(s.User, s.Password)
	}
	return &u
}

// avayaSection fetches and installs one section's files and says whether
// all of them were applied.
func (ps *pass) avayaSection(master *url.URL, s AvayaSection) bool {
	files := s.Filenames
	if s.Name == "USER_CONFIG" && len(files) == 0 {
		files = []string{"SIP" + ps.mac + ".cfg"}
	}
	ok := true
	for _, f := range files {
		if s.Name == "DEV_CERT" {
			f = strings.ReplaceAll(f, "*", ps.mac)
		}
		label := "[" + s.Name + "] " + f
		u := sectionURL(master, s, f)
		var outcome, reason string
		switch s.Name {
		case "FW":
			outcome, reason = ps.firmware(u, s)
		case "USER_KEYS":
			outcome, reason = ps.userKeys(u, s)
		default:
			outcome, reason = ps.sectionFile(u, s)
		}
		ps.add(label, outcome, reason)
		ok = ok && (outcome == Applied || outcome == Unchanged)
	}
	return ok
}

// sectionFile handles the sections whose file comes as a configuration
// file (fetched whole, checked, decrypted).
func (ps *pass) sectionFile(u *url.URL, s AvayaSection) (string, string) {
	name := path.Base(u.Path)
	data, err := FetchBytes(ps.ctx, ps.p.Fetcher, u, MaxConfigSize)
	if errors.Is(err, ErrNotFound) {
		return Skipped, "not on the server"
	}
	if err != nil {
		return Rejected, err.Error()
	}
	// [SEC_POLICY], [CTL] and [LANGUAGE] are accepted only when signed
	// by a trusted signer, as the Avaya phones require.
	mustSign := s.Name == "SEC_POLICY" || s.Name == "LANGUAGE"
	if s.Name == "CTL" {
		if ps.p.Trust == nil {
			return Rejected, "no trust store on this phone"
		}
		alarm, err := ps.p.Trust.Update(data)
		if err != nil {
			return Rejected, fmt.Sprintf("%s (%d): %v", alarm, int(alarm), err)
		}
		return Applied, fmt.Sprintf("%s (%d), trust list %s", alarm, int(alarm), ps.p.Trust.Versions())
	}
	data, err = ps.p.unwrap(name, data, mustSign)
	if err != nil {
		return Rejected, err.Error()
	}
	switch s.Name {
	case "DEVICE_CONFIG", "USER_CONFIG", "SEC_POLICY":
		as, err := ParseAvayaConfig(name, data)
		if err != nil {
			return Rejected, err.Error()
		}
		items := make([]item, len(as))
		for i, a := range as {
			items[i] = item{Assignment: a, perm: PermWritable}
		}
		return ps.apply(name, "avaya", items)
	case "DEV_CERT":
		pemData, err := deviceCertPEM(data, s.PKCS12Pass)
		if err != nil {
			return Rejected, fmt.Sprintf("%s: %v", name, err)
		}
		if err := installFile(ps.p.DataDir, DeviceCertFile, pemData); err != nil {
			return Rejected, err.Error()
		}
		return Applied, "installed " + DeviceCertFile
	default: // DIALING_PLAN, LANGUAGE, TONES: kept for their users
		rel := path.Join("files", strings.ToLower(s.Name), name)
		if err := installFile(ps.p.DataDir, rel, data); err != nil {
			return Rejected, err.Error()
		}
		return Applied, "stored " + rel
	}
}

// deviceCertPEM decodes a PKCS#12 file into PEM: the certificate, its
// chain, and the private key. The certificate must be valid now and its
// key at least 2048-bit RSA or 256-bit EC.
func deviceCertPEM(p12 []byte, password string) ([]byte, error) {
	key, cert, chain, err := pkcs12.DecodeChain(p12, password)
	if err != nil {
		return nil, fmt.Errorf("PKCS#12: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("PKCS#12 key: %w", err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	for _, c := range chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})...)
	if err := checkKeyPair(out); err != nil {
		return nil, err
	}
	return out, nil
}

// userKeys installs a root certificate from [USER_KEYS]. Over an
// unauthenticated protocol (anything but HTTPS) it is accepted only when
// provision.insecure_bootstrap allows it, and the result says so.
func (ps *pass) userKeys(u *url.URL, s AvayaSection) (string, string) {
	insecure := !strings.EqualFold(u.Scheme, "https")
	if insecure && !ps.p.Store.Bool("provision.insecure_bootstrap") {
		return Rejected, fmt.Sprintf("%s: a root over %s needs provision.insecure_bootstrap on", u.Redacted(), strings.ToUpper(u.Scheme))
	}
	data, err := FetchBytes(ps.ctx, ps.p.Fetcher, u, MaxCertSize)
	if errors.Is(err, ErrNotFound) {
		return Skipped, "not on the server"
	}
	if err != nil {
		return Rejected, err.Error()
	}
	certs, err := parseCerts(data)
	if err == nil {
		err = checkCA(certs)
	}
	if err != nil {
		return Rejected, fmt.Sprintf("%s: %v", u.Redacted(), err)
	}
	base := strings.TrimSuffix(path.Base(u.Path), path.Ext(u.Path)) + ".pem"
	if err := installFile(ps.p.DataDir, path.Join(RootsDir, base), certsPEM(certs)); err != nil {
		return Rejected, err.Error()
	}
	reason := fmt.Sprintf("installed root %q", clip(certs[0].Subject.CommonName))
	if insecure {
		reason += fmt.Sprintf("; INSECURE bootstrap over %s (allowed by provision.insecure_bootstrap)", strings.ToUpper(u.Scheme))
	}
	return Applied, reason
}

// firmware installs the image of [FW]: FILENAME is the image, and
// FILENAME.mf beside it its signed manifest. AUTO installs only a higher
// version than the running one; FORCED allows a downgrade.
func (ps *pass) firmware(u *url.URL, s AvayaSection) (string, string) {
	if ps.p.Slots == nil {
		return Skipped, "no firmware store"
	}
	st, err := ps.p.Slots.State()
	if err != nil {
		return Rejected, err.Error()
	}
	if st.Trying != "" {
		if st.Versions[st.Trying] == s.Version {
			return Unchanged, fmt.Sprintf("image %s installed, on trial until it reaches service", s.Version)
		}
		return Skipped, fmt.Sprintf("image %s is on trial: %s waits for it to be marked good or rolled back", st.Versions[st.Trying], s.Version)
	}
	if !s.Forced && s.Version == st.RolledBack {
		return Skipped, fmt.Sprintf("image %s was rolled back (it never reached service); FORCED installs it again", s.Version)
	}
	if !s.Forced && compareVersions(s.Version, st.Versions[st.Active]) <= 0 {
		return Unchanged, fmt.Sprintf("VERSION %s, running %s (AUTO)", s.Version, st.Versions[st.Active])
	}
	mu := *u
	mu.Path += ".mf"
	hw := ps.p.Hardware
	if hw == "" {
		hw = ps.p.Model
	}
	var signers = ps.p.signers(RoleFirmware)
	m, err := ps.p.Slots.Install(ps.ctx, ps.p.Fetcher, ImageSource{
		Manifest: &mu, Payload: u, Signers: signers, Hardware: hw, Forced: s.Forced})
	if errors.Is(err, ErrNotFound) {
		return Skipped, err.Error()
	}
	if err != nil {
		return Rejected, err.Error()
	}
	return Applied, fmt.Sprintf("image %s installed, to be tried at the next boot", m.Version)
}
