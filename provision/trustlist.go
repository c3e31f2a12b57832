package provision

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"deskphone/provision/flash"
)

// A trust list (CTL/ITL style) names the keys the phone trusts and for
// what. It is a signed envelope (sign.go) whose payload is text:
//
//	deskphone-trustlist 1
//	kind CTL
//	version 7
//	signer <base64 Ed25519 public key> tl,config
//	signer <base64 Ed25519 public key> firmware
//
// kind is CTL or ITL, version a decimal at least 1 that grows with every
// update, and each signer has roles: "tl" may sign trust lists, "config"
// configuration files, "firmware" firmware manifests. The phone keeps one
// list of each kind in its data directory (trust.ctl, trust.itl).

// Roles of trust list signers.
const (
	RoleTrustList = "tl"
	RoleConfig    = "config"
	RoleFirmware  = "firmware"
)

// TLAlarm is the outcome of a trust list update, as the Cisco alarm codes.
type TLAlarm int

// The outcomes. When each applies:
//
//	1 TL_SUCCESS          an installed list was replaced by a higher version
//	                      signed by a "tl" signer of that list (or the same
//	                      version and bytes came again: nothing changes)
//	2 CTL_INITIAL_SUCCESS the first CTL, signed by a "tl" signer of the
//	                      installed ITL or by a rootfs anchor
//	3 ITL_INITIAL_SUCCESS the first ITL, likewise by the CTL or an anchor
//	4 TL_INITIAL_SUCCESS  the first list of a phone with no list and no
//	                      anchor: accepted on first use, self-signed by a
//	                      "tl" signer it names
//	5 TL_FAILED_OLD_CTL   a CTL update not signed by a "tl" signer of the
//	                      installed CTL; the old CTL stays
//	6 TL_FAILED_NO_TL     a first list whose signer is not trusted (not an
//	                      anchor, nor in the other list): the phone still
//	                      has no list of that kind
//	7 TL_FAILED           malformed, not signed, a signature that does not
//	                      verify, or the list could not be stored
//	8 TL_FAILED_OLD_ITL   as 5, for the ITL
//	9 TL_FAILED_OLD_TL    an update whose version is not higher than the
//	                      installed one's (a replay or rollback), or the
//	                      same version with other content; the old stays
const (
	TLSuccess         TLAlarm = 1
	CTLInitialSuccess TLAlarm = 2
	ITLInitialSuccess TLAlarm = 3
	TLInitialSuccess  TLAlarm = 4
	TLFailedOldCTL    TLAlarm = 5
	TLFailedNoTL      TLAlarm = 6
	TLFailed          TLAlarm = 7
	TLFailedOldITL    TLAlarm = 8
	TLFailedOldTL     TLAlarm = 9
)

var alarmNames = map[TLAlarm]string{
	1: "TL_SUCCESS", 2: "CTL_INITIAL_SUCCESS", 3: "ITL_INITIAL_SUCCESS", 4: "TL_INITIAL_SUCCESS",
	5: "TL_FAILED_OLD_CTL", 6: "TL_FAILED_NO_TL", 7: "TL_FAILED", 8: "TL_FAILED_OLD_ITL", 9: "TL_FAILED_OLD_TL",
}

func (a TLAlarm) String() string {
	if n, ok := alarmNames[a]; ok {
		return n
	}
	return "TL_ALARM_" + strconv.Itoa(int(a))
}

// OK says whether the update was accepted.
func (a TLAlarm) OK() bool { return a >= 1 && a <= 4 }

// Signer is one trusted key with its roles.
type Signer struct {
	Key   ed25519.PublicKey
	Roles []string
}

// Has says whether s has role r.
func (s Signer) Has(r string) bool {
	for _, x := range s.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// TrustList is a parsed list.
type TrustList struct {
	Kind    string // "CTL" or "ITL"
	Version uint64
	Signers []Signer
	raw     []byte // the signed file, as stored
}

// ParseTrustList parses the payload of a trust list (after Verify).
func ParseTrustList(payload []byte) (*TrustList, error) {
	sc := bufio.NewScanner(bytes.NewReader(payload))
	tl := &TrustList{}
	n := 0
	for sc.Scan() {
		n++
		f := strings.Fields(sc.Text())
		switch {
		case n == 1:
			if len(f) != 2 || f[0] != "deskphone-trustlist" || f[1] != "1" {
				return nil, errors.New("trust list: first line is not \"deskphone-trustlist 1\"")
			}
		case len(f) == 0:
		case f[0] == "kind" && len(f) == 2 && (f[1] == "CTL" || f[1] == "ITL") && tl.Kind == "":
			tl.Kind = f[1]
		case f[0] == "version" && len(f) == 2 && tl.Version == 0:
			v, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil || v == 0 {
				return nil, fmt.Errorf("trust list line %d: bad version", n)
			}
			tl.Version = v
		case f[0] == "signer" && len(f) == 3:
			k, err := base64.StdEncoding.DecodeString(f[1])
			if err != nil || len(k) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("trust list line %d: bad Ed25519 key", n)
			}
			roles := strings.Split(f[2], ",")
			for _, r := range roles {
				if r != RoleTrustList && r != RoleConfig && r != RoleFirmware {
					return nil, fmt.Errorf("trust list line %d: unknown role %q", n, clip(r))
				}
			}
			tl.Signers = append(tl.Signers, Signer{Key: k, Roles: roles})
		default:
			return nil, fmt.Errorf("trust list line %d: not understood", n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("trust list: %w", err)
	}
	if tl.Kind == "" || tl.Version == 0 || len(tl.Signers) == 0 {
		return nil, errors.New("trust list: needs kind, version and at least one signer")
	}
	return tl, nil
}

// Encode is the payload text of tl (sign it with Sign to publish it).
func (tl *TrustList) Encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "deskphone-trustlist 1\nkind %s\nversion %d\n", tl.Kind, tl.Version)
	for _, s := range tl.Signers {
		fmt.Fprintf(&b, "signer %s %s\n", base64.StdEncoding.EncodeToString(s.Key), strings.Join(s.Roles, ","))
	}
	return b.Bytes()
}

func (tl *TrustList) keys(role string) []ed25519.PublicKey {
	if tl == nil {
		return nil
	}
	var out []ed25519.PublicKey
	for _, s := range tl.Signers {
		if s.Has(role) {
			out = append(out, s.Key)
		}
	}
	return out
}

// Trust is the phone's trust store: the anchors from the read-only rootfs
// and the installed CTL and ITL. It is safe for concurrent use.
type Trust struct {
	dir     string
	anchors []ed25519.PublicKey // may sign anything: the first lists, configs, firmware

	mu       sync.RWMutex
	ctl, itl *TrustList
	last     TrustUpdate // the last update attempt since start
}

// TrustUpdate is the outcome of a trust list update attempt.
type TrustUpdate struct {
	At     time.Time
	Result TLAlarm // 0 when there was none
}

// TrustInfo is what the Security menu shows of the trust store.
type TrustInfo struct {
	CTL, ITL bool
	Signer   string // key id that signed the installed CTL (else ITL)
	Last     TrustUpdate
}

// Info reports the installed lists and the last update attempt.
func (t *Trust) Info() TrustInfo {
	t.mu.RLock()
	defer t.mu.RUnlock()
	info := TrustInfo{CTL: t.ctl != nil, ITL: t.itl != nil, Last: t.last}
	for _, l := range []*TrustList{t.ctl, t.itl} {
		if l == nil {
			continue
		}
		if _, id, _, err := splitSigned(l.raw); err == nil {
			info.Signer = id
			break
		}
	}
	return info
}

func tlFile(kind string) string { return "trust." + strings.ToLower(kind) }

// OpenTrust loads the installed lists from the data directory dir. The
// signature was checked when a list was installed, against the list it
// replaced, which is gone; the stored file is the phone's own flash, as
// trusted as its settings, so loading checks only that it parses. A stored
// list that does not is not loaded, and the error says so.
func OpenTrust(dir string, anchors []ed25519.PublicKey) (*Trust, error) {
	t := &Trust{dir: dir, anchors: anchors}
	var errs []error
	for _, kind := range []string{"CTL", "ITL"} {
		data, err := os.ReadFile(filepath.Join(dir, tlFile(kind)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("load %s: %w", tlFile(kind), err))
			continue
		}
		tl, err := parseSignedList(data)
		if err != nil || tl.Kind != kind {
			errs = append(errs, fmt.Errorf("load %s: refused: %v", tlFile(kind), err))
			continue
		}
		if kind == "CTL" {
			t.ctl = tl
		} else {
			t.itl = tl
		}
	}
	return t, errors.Join(errs...)
}

// parseSignedList parses a stored signed list (see OpenTrust).
func parseSignedList(data []byte) (*TrustList, error) {
	payload, _, _, err := splitSigned(data)
	if err != nil {
		return nil, err
	}
	tl, err := ParseTrustList(payload)
	if err != nil {
		return nil, err
	}
	tl.raw = data
	return tl, nil
}

// Signers is every key trusted for role: the anchors, and the signers of
// both lists that have the role.
func (t *Trust) Signers(role string) []ed25519.PublicKey {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := append([]ed25519.PublicKey(nil), t.anchors...)
	out = append(out, t.ctl.keys(role)...)
	return append(out, t.itl.keys(role)...)
}

// Versions is the installed versions ("CTL 3, ITL 1", "none") for status.
func (t *Trust) Versions() string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var parts []string
	for _, l := range []*TrustList{t.ctl, t.itl} {
		if l != nil {
			parts = append(parts, fmt.Sprintf("%s %d", l.Kind, l.Version))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Update installs a signed list if the rules allow (see TLAlarm) and says
// what happened; the error explains a failure. Nothing is written unless
// the list is accepted.
func (t *Trust) Update(data []byte) (alarm TLAlarm, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer func() { t.last = TrustUpdate{At: time.Now(), Result: alarm} }()
	payload, id, _, err := splitSigned(data)
	if err != nil {
		return TLFailed, fmt.Errorf("trust list: %w", err)
	}
	nl, err := ParseTrustList(payload)
	if err != nil {
		return TLFailed, err
	}
	cur, other := t.ctl, t.itl
	if nl.Kind == "ITL" {
		cur, other = t.itl, t.ctl
	}
	var ok TLAlarm
	switch {
	case cur != nil:
		if nl.Version < cur.Version || nl.Version == cur.Version && !bytes.Equal(data, cur.raw) {
			return TLFailedOldTL, fmt.Errorf("trust list %s version %d: not above the installed %d", nl.Kind, nl.Version, cur.Version)
		}
		if _, _, err := Verify(data, cur.keys(RoleTrustList)); err != nil {
			if errors.Is(err, ErrBadSignature) {
				return TLFailed, fmt.Errorf("trust list %s: %w", nl.Kind, err)
			}
			if nl.Kind == "CTL" {
				return TLFailedOldCTL, fmt.Errorf("trust list CTL: signer %s is not in the installed CTL", id)
			}
			return TLFailedOldITL, fmt.Errorf("trust list ITL: signer %s is not in the installed ITL", id)
		}
		if nl.Version == cur.Version {
			return TLSuccess, nil
		}
		ok = TLSuccess
	case other != nil || len(t.anchors) > 0:
		keys := append(append([]ed25519.PublicKey(nil), t.anchors...), other.keys(RoleTrustList)...)
		if _, _, err := Verify(data, keys); err != nil {
			if errors.Is(err, ErrBadSignature) {
				return TLFailed, fmt.Errorf("trust list %s: %w", nl.Kind, err)
			}
			return TLFailedNoTL, fmt.Errorf("first %s: signer %s is not trusted", nl.Kind, id)
		}
		ok = CTLInitialSuccess
		if nl.Kind == "ITL" {
			ok = ITLInitialSuccess
		}
	default:
		if _, _, err := Verify(data, nl.keys(RoleTrustList)); err != nil {
			if errors.Is(err, ErrBadSignature) {
				return TLFailed, fmt.Errorf("trust list %s: %w", nl.Kind, err)
			}
			return TLFailedNoTL, fmt.Errorf("first %s: not self-signed by a tl signer it names", nl.Kind)
		}
		ok = TLInitialSuccess
	}
	if err := flash.WriteFile(t.dir, tlFile(nl.Kind), data); err != nil {
		return TLFailed, fmt.Errorf("trust list %s: %w", nl.Kind, err)
	}
	nl.raw = append([]byte(nil), data...)
	if nl.Kind == "CTL" {
		t.ctl = nl
	} else {
		t.itl = nl
	}
	return ok, nil
}
