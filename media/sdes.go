package media

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/pion/srtp/v3"
)

// Suite is an SRTP crypto-suite name as written in an RFC 4568 a=crypto line.
type Suite string

// The suites the phone speaks, in its default preference order.
const (
	AES_CM_128_HMAC_SHA1_80 Suite = "AES_CM_128_HMAC_SHA1_80"
	AES_CM_128_HMAC_SHA1_32 Suite = "AES_CM_128_HMAC_SHA1_32"
	AES_256_CM_HMAC_SHA1_80 Suite = "AES_256_CM_HMAC_SHA1_80"
	AEAD_AES_128_GCM        Suite = "AEAD_AES_128_GCM"
	AEAD_AES_256_GCM        Suite = "AEAD_AES_256_GCM"
)

// DefaultSuites is our preference order: the suite every peer supports first.
var DefaultSuites = []Suite{AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM, AES_256_CM_HMAC_SHA1_80, AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_32}

type suiteInfo struct {
	keyLen, saltLen int
	profile         srtp.ProtectionProfile
}

var suites = map[Suite]suiteInfo{
	AES_CM_128_HMAC_SHA1_80: {16, 14, srtp.ProtectionProfileAes128CmHmacSha1_80},
	AES_CM_128_HMAC_SHA1_32: {16, 14, srtp.ProtectionProfileAes128CmHmacSha1_32},
	AES_256_CM_HMAC_SHA1_80: {32, 14, srtp.ProtectionProfileAes256CmHmacSha1_80},
	AEAD_AES_128_GCM:        {16, 12, srtp.ProtectionProfileAeadAes128Gcm},
	AEAD_AES_256_GCM:        {32, 12, srtp.ProtectionProfileAeadAes256Gcm},
}

// Supported reports whether the phone implements suite s.
func (s Suite) Supported() bool { _, ok := suites[s]; return ok }

// Profile is the pion/srtp protection profile of s.
func (s Suite) Profile() (srtp.ProtectionProfile, error) {
	i, ok := suites[s]
	if !ok {
		return 0, fmt.Errorf("crypto suite %q not supported", string(s))
	}
	return i.profile, nil
}

// ErrCrypto marks a malformed or unusable a=crypto line.
var ErrCrypto = errors.New("bad a=crypto")

// Crypto is one RFC 4568 a=crypto attribute with a single inline key.
// String masks the key; Value gives the wire form.
type Crypto struct {
	Tag      int
	Suite    Suite
	Key      []byte // master key
	Salt     []byte // master salt
	Lifetime string // as written ("2^31", "1024") or empty
	MKI      uint64 // MKI value, meaningful when MKILen > 0
	MKILen   int    // MKI length in bytes (1-128), 0 = no MKI
	Params   []string
}

// NewCrypto makes a crypto attribute with a fresh random key and salt.
func NewCrypto(tag int, s Suite) (Crypto, error) {
	i, ok := suites[s]
	if !ok {
		return Crypto{}, fmt.Errorf("new crypto: %w: suite %q not supported", ErrCrypto, string(s))
	}
	b := make([]byte, i.keyLen+i.saltLen)
	if _, err := rand.Read(b); err != nil {
		return Crypto{}, fmt.Errorf("new crypto: random key: %w", err)
	}
	return Crypto{Tag: tag, Suite: s, Key: b[:i.keyLen], Salt: b[i.keyLen:]}, nil
}

// ParseCrypto parses an a=crypto value ("1 AES_CM_128_HMAC_SHA1_80 inline:...");
// a leading "a=crypto:" or "crypto:" is accepted. Errors never echo the key.
func ParseCrypto(line string) (Crypto, error) {
	v := strings.TrimSpace(line)
	v = strings.TrimPrefix(v, "a=")
	v = strings.TrimPrefix(v, "crypto:")
	f := strings.Fields(v)
	if len(f) < 3 {
		return Crypto{}, fmt.Errorf("%w: want \"<tag> <suite> inline:<key>\", got %d fields", ErrCrypto, len(f))
	}
	var c Crypto
	tag, err := strconv.ParseUint(f[0], 10, 32)
	if err != nil || len(f[0]) > 9 {
		return Crypto{}, fmt.Errorf("%w: tag %q is not a 1-9 digit number", ErrCrypto, clip(f[0]))
	}
	c.Tag = int(tag)
	c.Suite = Suite(f[1])
	info, ok := suites[c.Suite]
	if !ok {
		return Crypto{}, fmt.Errorf("%w: tag %d: suite %q not supported", ErrCrypto, c.Tag, clip(f[1]))
	}
	kp := f[2]
	if strings.Contains(kp, ";") {
		return Crypto{}, fmt.Errorf("%w: tag %d: multiple key-params not supported", ErrCrypto, c.Tag)
	}
	if !strings.HasPrefix(kp, "inline:") {
		return Crypto{}, fmt.Errorf("%w: tag %d: key method is not inline", ErrCrypto, c.Tag)
	}
	parts := strings.Split(strings.TrimPrefix(kp, "inline:"), "|")
	if len(parts) > 3 {
		return Crypto{}, fmt.Errorf("%w: tag %d: too many '|' fields in key-info", ErrCrypto, c.Tag)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[0])
	if err != nil {
		// RFC 4568 keys are padded base64, but some peers drop the padding.
		raw, err = base64.RawStdEncoding.DecodeString(parts[0])
	}
	if err != nil {
		return Crypto{}, fmt.Errorf("%w: tag %d: key||salt is not base64", ErrCrypto, c.Tag)
	}
	if len(raw) != info.keyLen+info.saltLen {
		return Crypto{}, fmt.Errorf("%w: tag %d: key||salt is %d bytes, %s needs %d", ErrCrypto, c.Tag, len(raw), c.Suite, info.keyLen+info.saltLen)
	}
	c.Key = append([]byte(nil), raw[:info.keyLen]...)
	c.Salt = append([]byte(nil), raw[info.keyLen:]...)
	for _, p := range parts[1:] {
		if strings.Contains(p, ":") {
			if c.MKILen != 0 {
				return Crypto{}, fmt.Errorf("%w: tag %d: two MKI fields", ErrCrypto, c.Tag)
			}
			if err := c.parseMKI(p); err != nil {
				return Crypto{}, err
			}
			continue
		}
		if c.Lifetime != "" || c.MKILen != 0 {
			return Crypto{}, fmt.Errorf("%w: tag %d: lifetime must come once, before the MKI", ErrCrypto, c.Tag)
		}
		if err := checkLifetime(p); err != nil {
			return Crypto{}, fmt.Errorf("%w: tag %d: %v", ErrCrypto, c.Tag, err)
		}
		c.Lifetime = p
	}
	if len(f) > 3 {
		c.Params = append([]string(nil), f[3:]...)
	}
	return c, nil
}

func (c *Crypto) parseMKI(p string) error {
	val, ln, _ := strings.Cut(p, ":")
	v, err := strconv.ParseUint(val, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: tag %d: MKI value %q is not a number", ErrCrypto, c.Tag, clip(val))
	}
	n, err := strconv.Atoi(ln)
	if err != nil || n < 1 || n > 128 {
		return fmt.Errorf("%w: tag %d: MKI length %q not in 1-128", ErrCrypto, c.Tag, clip(ln))
	}
	if n < 8 && v>>(8*uint(n)) != 0 {
		return fmt.Errorf("%w: tag %d: MKI value does not fit in %d bytes", ErrCrypto, c.Tag, n)
	}
	c.MKI, c.MKILen = v, n
	return nil
}

func checkLifetime(p string) error {
	d := strings.TrimPrefix(p, "2^")
	if d == "" || len(d) > 20 {
		return fmt.Errorf("lifetime %q malformed", clip(p))
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return fmt.Errorf("lifetime %q malformed", clip(p))
		}
	}
	if strings.HasPrefix(p, "2^") {
		if n, _ := strconv.Atoi(d); n > 64 {
			return fmt.Errorf("lifetime %q exceeds 2^64", clip(p))
		}
	}
	return nil
}

// clip bounds what an error quotes from untrusted input.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Value is the attribute value for an SDP a=crypto line (contains the key).
func (c Crypto) Value() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s inline:%s", c.Tag, c.Suite, base64.StdEncoding.EncodeToString(append(append([]byte(nil), c.Key...), c.Salt...)))
	if c.Lifetime != "" {
		b.WriteString("|" + c.Lifetime)
	}
	if c.MKILen > 0 {
		fmt.Fprintf(&b, "|%d:%d", c.MKI, c.MKILen)
	}
	for _, p := range c.Params {
		b.WriteString(" " + p)
	}
	return b.String()
}

// String is safe for logs: the key is masked.
func (c Crypto) String() string {
	s := fmt.Sprintf("%d %s inline:****", c.Tag, c.Suite)
	if c.MKILen > 0 {
		s += fmt.Sprintf("|%d:%d", c.MKI, c.MKILen)
	}
	return s
}

// GoString masks the key under %#v too.
func (c Crypto) GoString() string { return "media.Crypto{" + c.String() + "}" }

// MKIBytes is the MKI as sent in SRTP packets (big-endian, MKILen bytes).
func (c Crypto) MKIBytes() []byte {
	if c.MKILen == 0 {
		return nil
	}
	b := big.NewInt(0).SetUint64(c.MKI).Bytes()
	out := make([]byte, c.MKILen)
	copy(out[c.MKILen-min(len(b), c.MKILen):], b)
	return out
}

// ChooseCrypto picks, by our preference order, the offered line we accept and
// returns it with our answer (same tag and suite, a fresh key). Lines with
// session parameters are skipped: RFC 4568 says to refuse what we do not
// implement, and we implement none of them.
func ChooseCrypto(offered []Crypto, prefs []Suite) (remote, local Crypto, err error) {
	if len(prefs) == 0 {
		prefs = DefaultSuites
	}
	for _, s := range prefs {
		for _, o := range offered {
			if o.Suite != s || len(o.Params) > 0 {
				continue
			}
			l, err := NewCrypto(o.Tag, s)
			if err != nil {
				return Crypto{}, Crypto{}, err
			}
			return o, l, nil
		}
	}
	return Crypto{}, Crypto{}, fmt.Errorf("%w: no offered crypto suite acceptable (%d offered)", ErrNotAcceptable, len(offered))
}
