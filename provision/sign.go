package provision

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
)

// Signed files (FORMATS.md): the payload in an envelope with an appended
// Ed25519 signature over everything before it:
//
//	"DPS1" | alg (1 = Ed25519) | key id (8) | payload length (4, big endian) | payload | signature (64)
//
// The key id is the first 8 bytes of the SHA-256 of the 32-byte public
// key. Ed25519 alone: one algorithm, deterministic signatures, small keys,
// and no parameters to get wrong; the alg byte leaves room for another.
const (
	signMagic    = "DPS1"
	algEd25519   = 1
	signHeader   = 4 + 1 + 8 + 4
	maxSignedLen = 1 << 30
)

// Errors of signed files.
var (
	ErrNotSigned      = errors.New("not signed")
	ErrUnknownSigner  = errors.New("signed by a key not in the trust list")
	ErrBadSignature   = errors.New("signature does not verify")
	ErrBadEnvelope    = errors.New("malformed envelope")
	ErrNotEncrypted   = errors.New("not encrypted")
	ErrUnknownDataKey = errors.New("encrypted under a key this phone does not have")
)

// KeyID names a public key: hex of the first 8 bytes of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// IsSigned says whether data starts like a signed envelope.
func IsSigned(data []byte) bool {
	return bytes.HasPrefix(data, []byte(signMagic))
}

// Sign wraps payload in a signed envelope.
func Sign(key ed25519.PrivateKey, payload []byte) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("sign: not an Ed25519 private key")
	}
	if len(payload) > maxSignedLen {
		return nil, fmt.Errorf("sign: payload of %d bytes, at most %d", len(payload), maxSignedLen)
	}
	pub := key.Public().(ed25519.PublicKey)
	h := sha256.Sum256(pub)
	out := make([]byte, 0, signHeader+len(payload)+ed25519.SignatureSize)
	out = append(out, signMagic...)
	out = append(out, algEd25519)
	out = append(out, h[:8]...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(payload)))
	out = append(out, payload...)
	return append(out, ed25519.Sign(key, out)...), nil
}

// Verify checks a signed envelope against the trusted keys and returns the
// payload and the signer's key id. Nothing of the payload may be used
// before Verify returns it.
func Verify(data []byte, trusted []ed25519.PublicKey) ([]byte, string, error) {
	payload, id, sig, err := splitSigned(data)
	if err != nil {
		return nil, "", err
	}
	for _, k := range trusted {
		if KeyID(k) != id {
			continue
		}
		if ed25519.Verify(k, data[:len(data)-ed25519.SignatureSize], sig) {
			return payload, id, nil
		}
		return nil, id, fmt.Errorf("key %s: %w", id, ErrBadSignature)
	}
	return nil, id, fmt.Errorf("key %s: %w", id, ErrUnknownSigner)
}

// splitSigned parses the envelope without verifying it.
func splitSigned(data []byte) (payload []byte, id string, sig []byte, err error) {
	if !IsSigned(data) {
		return nil, "", nil, ErrNotSigned
	}
	if len(data) < signHeader+ed25519.SignatureSize {
		return nil, "", nil, fmt.Errorf("%w: signed file of %d bytes", ErrBadEnvelope, len(data))
	}
	if data[4] != algEd25519 {
		return nil, "", nil, fmt.Errorf("%w: unknown signature algorithm %d", ErrBadEnvelope, data[4])
	}
	id = hex.EncodeToString(data[5:13])
	n := binary.BigEndian.Uint32(data[13:17])
	if uint64(len(data)) != uint64(signHeader)+uint64(n)+ed25519.SignatureSize {
		return nil, id, nil, fmt.Errorf("%w: payload length %d does not match the file", ErrBadEnvelope, n)
	}
	return data[signHeader : signHeader+int(n)], id, data[signHeader+int(n):], nil
}

// GenerateSigningKey makes an Ed25519 key pair: the private key as PEM
// "PRIVATE KEY" (PKCS #8), the public key as PEM "PUBLIC KEY" (PKIX).
func GenerateSigningKey() (privPEM, pubPEM []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate signing key: %w", err)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, fmt.Errorf("generate signing key: %w", err)
	}
	pk, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, fmt.Errorf("generate signing key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pk}), nil
}

// ParseSigningKey reads a PEM PKCS #8 Ed25519 private key.
func ParseSigningKey(pemData []byte) (ed25519.PrivateKey, error) {
	b, _ := pem.Decode(pemData)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("signing key: no PEM PRIVATE KEY block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key: %T, want Ed25519", k)
	}
	return ek, nil
}

// ParsePublicKey reads a PEM PKIX Ed25519 public key.
func ParsePublicKey(pemData []byte) (ed25519.PublicKey, error) {
	b, _ := pem.Decode(pemData)
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("public key: no PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	ek, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key: %T, want Ed25519", k)
	}
	return ek, nil
}

// SignFile is `firmware sign -key KEY FILE`: keyPEM is the signer's
// private key, data the file; the result is the signed file (by
// convention FILE.sgn).
func SignFile(keyPEM, data []byte) ([]byte, error) {
	k, err := ParseSigningKey(keyPEM)
	if err != nil {
		return nil, err
	}
	return Sign(k, data)
}
