package net8021x

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"deskphone/provision/flash"
)

// PAC is an EAP-FAST Protected Access Credential (RFC 5422): the shared
// PAC-Key and the opaque ticket the server decodes it from, for one server
// authority (A-ID). Key and Opaque are secrets: String and LogValue mask
// them.
type PAC struct {
	AID      []byte    // authority identity of the server that issued it
	AIDInfo  string    // the authority's human-readable name
	IID      string    // the identity it was issued to
	Key      []byte    // PAC-Key, 32 octets
	Opaque   []byte    // PAC-Opaque, sent back in the ClientHello
	Expires  time.Time // PAC-Lifetime (zero: no lifetime given)
	Received time.Time // when the phone stored it, by its clock
}

// String describes the PAC without its secrets.
func (p *PAC) String() string {
	return fmt.Sprintf("PAC A-ID %x (%q) for %q, expires %s, key ****", p.AID, p.AIDInfo, p.IID, p.Expires.UTC().Format(time.RFC3339))
}

// LogValue keeps the secrets out of slog output.
func (p *PAC) LogValue() slog.Value { return slog.StringValue(p.String()) }

// expired tells whether the PAC may no longer be used at now.
func (p *PAC) expired(now time.Time) bool {
	return !p.Expires.IsZero() && !now.Before(p.Expires)
}

// PACRefreshFraction: a PAC with less than this part of its lifetime left
// is still used, and a new one requested in the same authentication.
const PACRefreshFraction = 4

// needsRefresh tells whether a new PAC should be asked for.
func (p *PAC) needsRefresh(now time.Time) bool {
	if p.Expires.IsZero() || p.Received.IsZero() {
		return false
	}
	life := p.Expires.Sub(p.Received)
	return p.Expires.Sub(now) < life/PACRefreshFraction
}

// parsePACTLV decodes the server's PAC TLV value (PAC-Key, PAC-Opaque,
// PAC-Info) and checks it belongs to the server we talk to.
func parsePACTLV(v []byte, aid []byte) (*PAC, error) {
	attrs, err := parseTLVList(v, "PAC attribute")
	if err != nil {
		return nil, err
	}
	p := &PAC{}
	var info []byte
	for _, a := range attrs {
		switch a.typ {
		case pacAttrKey:
			p.Key = bytes.Clone(a.value)
		case pacAttrOpaque:
			p.Opaque = bytes.Clone(a.value)
		case pacAttrInfo:
			info = a.value
		case pacAttrLifetime:
			// RFC 5422 puts it in PAC-Info; accept it outside too.
			if len(a.value) != 4 {
				return nil, fmt.Errorf("PAC-Lifetime of %d bytes, want 4: %w", len(a.value), errMalformed)
			}
			p.Expires = time.Unix(int64(binary.BigEndian.Uint32(a.value)), 0)
		}
	}
	infoAttrs, err := parseTLVList(info, "PAC-Info attribute")
	if err != nil {
		return nil, err
	}
	pacType := uint16(pacTypeTunnel)
	for _, a := range infoAttrs {
		switch a.typ {
		case pacAttrLifetime:
			if len(a.value) != 4 {
				return nil, fmt.Errorf("PAC-Lifetime of %d bytes, want 4: %w", len(a.value), errMalformed)
			}
			p.Expires = time.Unix(int64(binary.BigEndian.Uint32(a.value)), 0)
		case pacAttrAID:
			p.AID = bytes.Clone(a.value)
		case pacAttrIID:
			p.IID = printable(a.value)
		case pacAttrAIDInfo:
			p.AIDInfo = printable(a.value)
		case pacAttrType:
			if len(a.value) != 2 {
				return nil, fmt.Errorf("PAC-Type of %d bytes, want 2: %w", len(a.value), errMalformed)
			}
			pacType = binary.BigEndian.Uint16(a.value)
		}
	}
	switch {
	case len(p.Key) != 32:
		return nil, fmt.Errorf("PAC-Key of %d bytes, want 32: %w", len(p.Key), errMalformed)
	case len(p.Opaque) == 0:
		return nil, fmt.Errorf("PAC without PAC-Opaque: %w", errMalformed)
	case len(p.Opaque) > 1024:
		return nil, fmt.Errorf("PAC-Opaque of %d bytes, limit 1024: %w", len(p.Opaque), errMalformed)
	case info == nil:
		return nil, fmt.Errorf("PAC without PAC-Info: %w", errMalformed)
	case len(p.AID) == 0:
		return nil, fmt.Errorf("PAC-Info without A-ID: %w", errMalformed)
	case aid != nil && !bytes.Equal(p.AID, aid):
		return nil, fmt.Errorf("PAC for A-ID %x from the server of A-ID %x: %w", p.AID, aid, errMalformed)
	case pacType != pacTypeTunnel:
		return nil, fmt.Errorf("PAC-Type %d, only tunnel PACs (1) are used: %w", pacType, errMalformed)
	}
	return p, nil
}

// PACStore keeps PACs on the phone's flash, one file per A-ID in Dir,
// each replaced crash-safely (provision/flash).
type PACStore struct {
	Dir string
}

// pacFile is the file format: JSON, binary fields in hex.
type pacFile struct {
	AID      string    `json:"a_id"`
	AIDInfo  string    `json:"a_id_info,omitempty"`
	IID      string    `json:"i_id,omitempty"`
	Key      string    `json:"pac_key"`
	Opaque   string    `json:"pac_opaque"`
	Expires  time.Time `json:"expires"`
	Received time.Time `json:"received"`
}

func (s PACStore) name(aid []byte) string { return "fast-pac-" + hex.EncodeToString(aid) + ".json" }

// Path is the file holding the PAC of aid.
func (s PACStore) Path(aid []byte) string { return filepath.Join(s.Dir, s.name(aid)) }

// ErrNoPAC: no PAC is stored for the A-ID.
var ErrNoPAC = errors.New("no EAP-FAST PAC stored")

// Load reads the PAC of aid. A missing file is ErrNoPAC; a damaged one an
// error naming the file and what is wrong with it.
func (s PACStore) Load(aid []byte) (*PAC, error) {
	path := s.Path(aid)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoPAC
	}
	if err != nil {
		return nil, fmt.Errorf("load PAC %s: %w", path, err)
	}
	p, err := decodePACFile(b)
	if err != nil {
		return nil, fmt.Errorf("load PAC %s: %w", path, err)
	}
	if !bytes.Equal(p.AID, aid) {
		return nil, fmt.Errorf("load PAC %s: it holds A-ID %x", path, p.AID)
	}
	return p, nil
}

func decodePACFile(b []byte) (*PAC, error) {
	var f pacFile
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a PAC file: %w", err)
	}
	p := &PAC{AIDInfo: f.AIDInfo, IID: f.IID, Expires: f.Expires, Received: f.Received}
	var err error
	if p.AID, err = hex.DecodeString(f.AID); err != nil || len(p.AID) == 0 {
		return nil, fmt.Errorf("a_id %q is not hex", f.AID)
	}
	if p.Key, err = hex.DecodeString(f.Key); err != nil || len(p.Key) != 32 {
		return nil, errors.New("pac_key is not 32 bytes of hex") // the value is secret: not quoted
	}
	if p.Opaque, err = hex.DecodeString(f.Opaque); err != nil || len(p.Opaque) == 0 {
		return nil, errors.New("pac_opaque is not hex")
	}
	return p, nil
}

// Save stores p for its A-ID, replacing the previous PAC atomically.
func (s PACStore) Save(p *PAC) error {
	f := pacFile{AID: hex.EncodeToString(p.AID), AIDInfo: p.AIDInfo, IID: p.IID, Key: hex.EncodeToString(p.Key),
		Opaque: hex.EncodeToString(p.Opaque), Expires: p.Expires.UTC(), Received: p.Received.UTC()}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("save PAC: %w", err)
	}
	if err := flash.WriteFile(s.Dir, s.name(p.AID), append(b, '\n')); err != nil {
		return fmt.Errorf("save PAC for A-ID %x: %w", p.AID, err)
	}
	return nil
}

// Quarantine moves a damaged PAC file aside (to .bad), so that a new PAC
// can be stored without losing what was there.
func (s PACStore) Quarantine(aid []byte) error {
	path := s.Path(aid)
	if err := os.Rename(path, path+".bad"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("quarantine PAC %s: %w", path, err)
	}
	return nil
}

// Remove deletes the PAC of aid.
func (s PACStore) Remove(aid []byte) error {
	if err := os.Remove(s.Path(aid)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove PAC: %w", err)
	}
	return nil
}
