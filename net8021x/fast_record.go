package net8021x

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
)

// The TLS 1.2 record layer of EAP-FAST's own TLS client (fast_tls.go):
// plaintext records until ChangeCipherSpec, then AES-CBC with an explicit
// IV and HMAC-SHA1, MAC-then-encrypt (RFC 5246 6.2.3.2). Nothing else is
// needed: hostapd's EAP-FAST server offers only CBC-SHA suites.

// TLS content types.
const (
	recChangeCipherSpec = 20
	recAlert            = 21
	recHandshake        = 22
	recAppData          = 23
)

const (
	tlsVersion12     = 0x0303
	recordHeaderLen  = 5
	maxRecordPayload = 1 << 14
	// maxCipherText is a record's largest fragment (RFC 5246 6.2.3).
	maxCipherText = maxRecordPayload + 2048
)

// record is one TLS record; data is the fragment as received.
type record struct {
	typ     uint8
	version uint16
	data    []byte
}

// parseRecords splits a whole EAP-FAST message into its TLS records.
func parseRecords(b []byte) ([]record, error) {
	var out []record
	for len(b) > 0 {
		if len(b) < recordHeaderLen {
			return nil, fmt.Errorf("TLS record header of %d bytes, need 5: %w", len(b), errMalformed)
		}
		r := record{typ: b[0], version: binary.BigEndian.Uint16(b[1:3])}
		n := int(binary.BigEndian.Uint16(b[3:5]))
		switch r.typ {
		case recChangeCipherSpec, recAlert, recHandshake, recAppData:
		default:
			return nil, fmt.Errorf("TLS record type %d unknown: %w", r.typ, errMalformed)
		}
		if r.version>>8 != 3 {
			return nil, fmt.Errorf("TLS record version %#04x: %w", r.version, errMalformed)
		}
		if n > maxCipherText {
			return nil, fmt.Errorf("TLS record of %d bytes, limit %d: %w", n, maxCipherText, errMalformed)
		}
		if len(b)-recordHeaderLen < n {
			return nil, fmt.Errorf("TLS record length %d past the %d bytes received: %w", n, len(b)-recordHeaderLen, errMalformed)
		}
		r.data = b[recordHeaderLen : recordHeaderLen+n]
		out = append(out, r)
		b = b[recordHeaderLen+n:]
	}
	return out, nil
}

// appendRecord appends one record with the given fragment.
func appendRecord(b []byte, typ uint8, version uint16, frag []byte) []byte {
	b = append(b, typ)
	b = binary.BigEndian.AppendUint16(b, version)
	b = binary.BigEndian.AppendUint16(b, uint16(len(frag)))
	return append(b, frag...)
}

// cbcState is one direction's AES-CBC + HMAC-SHA1 state.
type cbcState struct {
	block  cipher.Block
	macKey []byte
	seq    uint64
}

func newCBCState(key, macKey []byte) (*cbcState, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("TLS record key: %w", err)
	}
	return &cbcState{block: b, macKey: macKey}, nil
}

// mac is HMAC-SHA1(seq | type | version | length | data).
func (c *cbcState) mac(typ uint8, data []byte) []byte {
	var hdr [13]byte
	binary.BigEndian.PutUint64(hdr[:8], c.seq)
	hdr[8] = typ
	binary.BigEndian.PutUint16(hdr[9:11], tlsVersion12)
	binary.BigEndian.PutUint16(hdr[11:13], uint16(len(data)))
	h := hmac.New(sha1.New, c.macKey)
	h.Write(hdr[:])
	h.Write(data)
	return h.Sum(nil)
}

// seal encrypts one record's payload: IV | CBC(data | MAC | padding).
func (c *cbcState) seal(typ uint8, data []byte, rand io.Reader) ([]byte, error) {
	bs := c.block.BlockSize()
	mac := c.mac(typ, data)
	c.seq++
	plain := make([]byte, 0, len(data)+len(mac)+bs)
	plain = append(plain, data...)
	plain = append(plain, mac...)
	pad := bs - (len(plain)+1)%bs
	if pad == bs {
		pad = 0
	}
	for range pad + 1 {
		plain = append(plain, byte(pad))
	}
	out := make([]byte, bs+len(plain))
	if _, err := io.ReadFull(rand, out[:bs]); err != nil {
		return nil, fmt.Errorf("TLS record IV: %w", err)
	}
	cipher.NewCBCEncrypter(c.block, out[:bs]).CryptBlocks(out[bs:], plain)
	return out, nil
}

// errBadRecordMAC is a record that does not decrypt or authenticate; the
// padding and MAC failures are one error, as TLS requires.
var errBadRecordMAC = fmt.Errorf("TLS record MAC or padding check failed (bad_record_mac): %w", errMalformed)

// open decrypts and authenticates one record's fragment.
func (c *cbcState) open(typ uint8, frag []byte) ([]byte, error) {
	bs := c.block.BlockSize()
	if len(frag) < bs+2*bs || len(frag)%bs != 0 {
		// IV plus at least MAC(20)+padding byte, in whole blocks.
		return nil, fmt.Errorf("encrypted TLS record of %d bytes, not IV + whole blocks: %w", len(frag), errMalformed)
	}
	plain := make([]byte, len(frag)-bs)
	cipher.NewCBCDecrypter(c.block, frag[:bs]).CryptBlocks(plain, frag[bs:])
	pad := int(plain[len(plain)-1])
	good := 1
	if pad+1+sha1.Size > len(plain) {
		good, pad = 0, 0
	}
	for _, p := range plain[len(plain)-1-pad:] {
		good &= subtle.ConstantTimeByteEq(p, byte(pad))
	}
	n := len(plain) - 1 - pad - sha1.Size
	data, mac := plain[:n], plain[n:n+sha1.Size]
	want := c.mac(typ, data)
	c.seq++
	if subtle.ConstantTimeCompare(mac, want)&good != 1 {
		return nil, errBadRecordMAC
	}
	return data, nil
}
