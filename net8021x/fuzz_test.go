package net8021x

import (
	"log/slog"
	"testing"
)

// Seeds live in testdata/fuzz/FuzzXxx/ (committed); these f.Add calls are
// the same kinds of input, kept beside the targets for reading.

func FuzzEAPOL(f *testing.F) {
	f.Add(buildFrame(PAEGroupAddr, authMAC, eapolEAP, []byte{codeRequest, 1, 0, 5, typeIdentity}))
	f.Add([]byte{2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := parseFrame(b); err == nil && 14+4+len(p.Body) > len(b) {
			t.Fatalf("body of %d bytes from a %d-byte frame", len(p.Body), len(b))
		}
		if p, err := parseEAPOL(b); err == nil && 4+len(p.Body) > len(b) {
			t.Fatalf("body of %d bytes from %d bytes", len(p.Body), len(b))
		}
	})
}

func FuzzEAP(f *testing.F) {
	f.Add([]byte{codeRequest, 2, 0, 22, typeMD5, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{codeSuccess, 1, 0, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := parseEAP(b); err == nil && len(p.Data) > len(b) {
			t.Fatal("data past the input")
		}
		cfg := &Config{Mode: ModeMD5, Identity: "alice", Password: "pw", Logger: slog.New(slog.DiscardHandler)}
		p := newPeer(cfg)
		p.receive(buildEAP(codeRequest, 1, typeIdentity, nil))
		p.receive(b)
		p.receive(b) // as a duplicate too
		if len(b) > 0 {
			newMSCHAPv2(cfg).Process(1, b[1:])
		}
	})
}

func FuzzTLSFragment(f *testing.F) {
	// Input: a sequence of (length byte, fragment) pairs.
	f.Add([]byte{9, tlsFlagLength | tlsFlagMore, 0, 0, 0, 6, 1, 2, 3, 4, 4, 0, 5, 6, 7})
	f.Add([]byte{3, 0, 0x16, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := newTLSFramer(16, 256)
		for len(b) > 0 {
			n := min(int(b[0]), len(b)-1)
			frag := b[1 : 1+n]
			b = b[1+n:]
			res, msg, err := fr.receive(frag)
			if err != nil {
				return
			}
			if res == frameComplete && len(msg) > 256 {
				t.Fatalf("reassembled %d bytes past the cap", len(msg))
			}
		}
	})
}

func FuzzPEAPTLV(f *testing.F) {
	f.Add([]byte{0x80, 3, 0, 2, 0, 1})
	f.Add(append([]byte{0x80, 3, 0, 2, 0, 1, 0, 12, 0, 56}, make([]byte, 56)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		tlvs, err := parsePEAPTLVs(b)
		if err == nil {
			n := 0
			for _, v := range tlvs {
				n += 4 + len(v.Value)
			}
			if n != len(b) {
				t.Fatalf("TLVs cover %d of %d bytes", n, len(b))
			}
		}
		cfg := &Config{Identity: "alice", Password: "pw", Logger: slog.New(slog.DiscardHandler)}
		peapPhase2(newTLSEngine(), newInnerEAP(cfg, typeMSCHAPv2), &peapKeys{}, b)
	})
}

func FuzzTTLSAVP(f *testing.F) {
	f.Add(appendAVP(appendAVP(nil, avpUserName, []byte("alice")), avpEAPMessage, []byte{codeRequest, 1, 0, 5, typeIdentity}))
	f.Add([]byte{0, 0, 0, 26, 0xc0, 0, 0, 12, 0, 0, 1, 0x37})
	f.Fuzz(func(t *testing.T, b []byte) {
		if avps, err := parseTTLSAVPs(b); err == nil {
			for _, a := range avps {
				if len(a.Data) > len(b) {
					t.Fatal("AVP data past the input")
				}
			}
		}
		cfg := &Config{Identity: "alice", Password: "pw", Logger: slog.New(slog.DiscardHandler)}
		ttlsPhase2(newTLSEngine(), newInnerEAP(cfg, typeGTC), b)
	})
}
