package provision

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Manifest describes a firmware image. It travels signed (sign.go, by a
// "firmware" signer of the trust list or a rootfs anchor), as text:
//
//	deskphone-manifest 1
//	version 4.4.10
//	hardware 1230
//	length 33554432
//	sha256 <64 lowercase hex digits>
//
// and is verified before a byte of the payload is fetched.
type Manifest struct {
	Version  string // compared as compareVersions
	Hardware string // the hardware id the image is built for
	Length   int64  // payload bytes, at most MaxImageSize
	SHA256   [32]byte
}

// MaxImageSize caps a firmware payload.
const MaxImageSize = 256 << 20

// Encode is the manifest's text (sign it with Sign to publish it).
func (m Manifest) Encode() []byte {
	return fmt.Appendf(nil, "deskphone-manifest 1\nversion %s\nhardware %s\nlength %d\nsha256 %x\n",
		m.Version, m.Hardware, m.Length, m.SHA256)
}

// ParseManifest parses a manifest's text (the payload of its signed
// envelope).
func ParseManifest(text []byte) (Manifest, error) {
	var m Manifest
	sc := bufio.NewScanner(bytes.NewReader(text))
	n, seen := 0, map[string]bool{}
	for sc.Scan() {
		n++
		f := strings.Fields(sc.Text())
		if n == 1 {
			if len(f) != 2 || f[0] != "deskphone-manifest" || f[1] != "1" {
				return m, errors.New("manifest: first line is not \"deskphone-manifest 1\"")
			}
			continue
		}
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 || seen[f[0]] {
			return m, fmt.Errorf("manifest line %d: want one \"key value\"", n)
		}
		seen[f[0]] = true
		switch f[0] {
		case "version":
			if !validVersion(f[1]) {
				return m, fmt.Errorf("manifest line %d: bad version", n)
			}
			m.Version = f[1]
		case "hardware":
			if !validVersion(f[1]) {
				return m, fmt.Errorf("manifest line %d: bad hardware id", n)
			}
			m.Hardware = f[1]
		case "length":
			l, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || l <= 0 || l > MaxImageSize {
				return m, fmt.Errorf("manifest line %d: length from 1 to %d", n, MaxImageSize)
			}
			m.Length = l
		case "sha256":
			h, err := hex.DecodeString(f[1])
			if err != nil || len(h) != 32 {
				return m, fmt.Errorf("manifest line %d: sha256 wants 64 hex digits", n)
			}
			m.SHA256 = [32]byte(h)
		default:
			return m, fmt.Errorf("manifest line %d: unknown key %q", n, clip(f[0]))
		}
	}
	if err := sc.Err(); err != nil {
		return m, fmt.Errorf("manifest: %w", err)
	}
	for _, k := range []string{"version", "hardware", "length", "sha256"} {
		if !seen[k] {
			return m, fmt.Errorf("manifest: no %s", k)
		}
	}
	return m, nil
}

// VerifyManifest checks a signed manifest against the firmware signers and
// parses it.
func VerifyManifest(data []byte, signers []ed25519.PublicKey) (Manifest, error) {
	payload, _, err := Verify(data, signers)
	if err != nil {
		return Manifest{}, fmt.Errorf("manifest: %w", err)
	}
	return ParseManifest(payload)
}
