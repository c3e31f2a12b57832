package provision

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Encrypted files (FORMATS.md): AES-256-GCM under a per-device or per-site
// key, in an envelope whose header is the GCM additional data:
//
//	"DPE1" | key id (8) | nonce (12) | ciphertext and tag
//
// The key id is the first 8 bytes of the SHA-256 of the key, so a phone
// holding a device key and a site key knows which to use, and a file for
// another phone is refused by name rather than by a failed tag.
//
// Encrypt, then sign: a protected file is Sign(Encrypt(plain)). The phone
// checks the signature, a public-key check over the exact bytes it
// fetched, before it uses the secret key at all, so a forged or tampered
// file is refused without decrypting anything; and the signer vouches for
// the ciphertext it published, so a holder of a site key cannot re-wrap a
// signed plaintext for other phones. GCM's own tag still guards the
// ciphertext, so an unsigned encrypted file (where signatures are not
// required) is authenticated to whoever holds the key.
const (
	encMagic  = "DPE1"
	encHeader = 4 + 8 + 12
	KeySize   = 32
)

// IsEncrypted says whether data starts like an encrypted envelope.
func IsEncrypted(data []byte) bool {
	return bytes.HasPrefix(data, []byte(encMagic))
}

// DataKeyID names an encryption key.
func DataKeyID(key []byte) string {
	h := sha256.Sum256(key)
	return hex.EncodeToString(h[:8])
}

// Encrypt seals plain under key (32 bytes) with a random nonce.
func Encrypt(key, plain []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(key)
	out := make([]byte, encHeader, encHeader+len(plain)+aead.Overhead())
	copy(out, encMagic)
	copy(out[4:], h[:8])
	if _, err := rand.Read(out[12:encHeader]); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return aead.Seal(out, out[12:encHeader], plain, out[:encHeader]), nil
}

// Decrypt opens an encrypted envelope with whichever of keys it names.
func Decrypt(data []byte, keys ...[]byte) ([]byte, error) {
	if !IsEncrypted(data) {
		return nil, ErrNotEncrypted
	}
	if len(data) < encHeader+16 {
		return nil, fmt.Errorf("%w: encrypted file of %d bytes", ErrBadEnvelope, len(data))
	}
	id := hex.EncodeToString(data[4:12])
	for _, k := range keys {
		if len(k) != KeySize || DataKeyID(k) != id {
			continue
		}
		aead, err := newGCM(k)
		if err != nil {
			return nil, err
		}
		plain, err := aead.Open(nil, data[12:encHeader], data[encHeader:], data[:encHeader])
		if err != nil {
			return nil, fmt.Errorf("decrypt with key %s: authentication failed", id)
		}
		return plain, nil
	}
	return nil, fmt.Errorf("key %s: %w", id, ErrUnknownDataKey)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("encryption key of %d bytes, want %d", len(key), KeySize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// GenerateDataKey makes a key file: 64 hex digits and a newline.
func GenerateDataKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generate encryption key: %w", err)
	}
	return []byte(hex.EncodeToString(k) + "\n"), nil
}

// ParseDataKey reads a key file (64 hex digits).
func ParseDataKey(text []byte) ([]byte, error) {
	k, err := hex.DecodeString(strings.TrimSpace(string(text)))
	if err != nil || len(k) != KeySize {
		return nil, errors.New("encryption key: want 64 hex digits")
	}
	return k, nil
}

// EncryptFile is `firmware encrypt -key KEY FILE`: keyText is the key
// file, data the file; the result is the encrypted file (by convention
// FILE.enc; sign it after, as FILE.enc.sgn).
func EncryptFile(keyText, data []byte) ([]byte, error) {
	k, err := ParseDataKey(keyText)
	if err != nil {
		return nil, err
	}
	return Encrypt(k, data)
}
