package provision

import (
	"strings"
	"testing"
)

func FuzzParseAvayaMaster(f *testing.F) {
	f.Add([]byte(avayaMaster))
	f.Add([]byte("[FW]\nVERSION SIP12x004.04.09.00\nFILENAME fw.bin\nDOWNLOAD_MODE FORCED\n"))
	f.Add([]byte("[DEVICE_CONFIG]\n" + strings.Repeat("x", 81) + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseAvayaMaster("f.cfg", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.cfg") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, s := range m.Sections {
			if !avayaSections[s.Name] || s.Version == "" || !validVersion(s.Version) {
				t.Fatalf("accepted section %+v", s)
			}
			for _, fn := range s.Filenames {
				if strings.HasPrefix(fn, "/") || strings.Contains(fn, "..") {
					t.Fatalf("accepted file name %q", fn)
				}
			}
		}
	})
}

func FuzzParseAvayaConfig(f *testing.F) {
	f.Add([]byte(avayaDevice))
	f.Add([]byte(avayaUser))
	f.Fuzz(func(t *testing.T, b []byte) {
		as, err := ParseAvayaConfig("d.cfg", b)
		if err != nil {
			return
		}
		for _, a := range as {
			if a.Name == "" || strings.ContainsAny(a.Name, " \t\n") || len(a.Name)+len(a.Value) > maxAvayaLine {
				t.Fatalf("accepted %+v", a)
			}
		}
	})
}

func FuzzParseHtek(f *testing.F) {
	f.Add([]byte(htekModel))
	f.Add([]byte(htekMAC("http://s")))
	f.Add([]byte(`<hl_provision version="1"><config version="1"><P35><x/></P35></config></hl_provision>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		as, err := ParseHtek("h.xml", b)
		if err != nil {
			return
		}
		for _, a := range as {
			if a.Name == "" || a.Line < 1 {
				t.Fatalf("accepted %+v", a)
			}
		}
	})
}

func FuzzParseSnom(f *testing.F) {
	f.Add([]byte(snomFile))
	f.Add([]byte(`<settings><phone-settings><user_name idx="x">1</user_name></phone-settings></settings>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ss, err := ParseSnom("s.xml", b)
		if err != nil {
			return
		}
		for _, s := range ss {
			if _, ok := snomPermKind(s.Perm); !ok || s.Name == "" {
				t.Fatalf("accepted %+v", s)
			}
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add(Manifest{Version: "4.4.10", Hardware: "1230", Length: 42}.Encode())
	f.Add([]byte("deskphone-manifest 1\nversion 1\nversion 2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		if m.Length <= 0 || m.Length > MaxImageSize || m.Version == "" || m.Hardware == "" {
			t.Fatalf("accepted %+v", m)
		}
		// What parses encodes to something that parses the same.
		m2, err := ParseManifest(m.Encode())
		if err != nil || m2 != m {
			t.Fatalf("round trip: %+v, %v", m2, err)
		}
	})
}

func FuzzParseTrustList(f *testing.F) {
	k := newKey(f)
	f.Add((&TrustList{Kind: "CTL", Version: 3, Signers: []Signer{{Key: pub(k), Roles: []string{RoleTrustList, RoleConfig}}}}).Encode())
	f.Add([]byte("deskphone-trustlist 1\nkind ITL\nversion 0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tl, err := ParseTrustList(b)
		if err != nil {
			return
		}
		tl2, err := ParseTrustList(tl.Encode())
		if err != nil || tl2.Version != tl.Version || tl2.Kind != tl.Kind || len(tl2.Signers) != len(tl.Signers) {
			t.Fatalf("round trip: %+v, %v", tl2, err)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	k := newKey(f)
	key := make([]byte, 32)
	enc, _ := Encrypt(key, []byte("SIP_DOMAIN1 x\n"))
	s1, _ := Sign(k, enc)
	f.Add(s1)
	f.Add(enc)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := &Provisioner{DataKeys: [][]byte{key}}
		tr := &Trust{anchors: nil}
		tr.anchors = append(tr.anchors, pub(k))
		p.Trust = tr
		out, err := p.unwrap("f", b, false)
		if err == nil && IsSigned(b) {
			// Only the one real signature can verify.
			if _, _, verr := Verify(b, tr.anchors); verr != nil {
				t.Fatalf("unwrap accepted what Verify refuses: %v", verr)
			}
		}
		_ = out
	})
}
