package voicevlan

import (
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func readHex(t testing.TB, name string) []byte {
	t.Helper()
	s, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(s)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseLLDPD reads frames captured from lldpd.
func TestParseLLDPD(t *testing.T) {
	cases := []struct {
		file   string
		med    bool
		policy NetworkPolicy
	}{
		{"lldpd-med-tagged-vlan100.hex", true, NetworkPolicy{App: AppVoice, Tagged: true, VLAN: 100, Priority: 5, DSCP: 46}},
		{"lldpd-policy-untagged-nomed.hex", false, NetworkPolicy{App: AppVoice, Tagged: false, VLAN: 100, Priority: 5, DSCP: 46}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			d, err := ParseFrame(readHex(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if d.Source.String() != "02:00:00:00:aa:01" || d.ChassisSub != 4 || hex.EncodeToString(d.ChassisID) != "02000000aa01" {
				t.Errorf("source %s chassis %d/%x", d.Source, d.ChassisSub, d.ChassisID)
			}
			if d.PortSub != 3 || d.TTL != 4*time.Second || d.SystemName != "lab-switch" {
				t.Errorf("port subtype %d TTL %v name %q", d.PortSub, d.TTL, d.SystemName)
			}
			if (d.MED != nil) != c.med {
				t.Errorf("MED capabilities %+v, want present=%v", d.MED, c.med)
			}
			if c.med && (d.MED.DeviceType != 4 || d.MED.Capabilities != 0x003f) {
				t.Errorf("MED capabilities %+v, want network connectivity device, caps 0x3f", d.MED)
			}
			p, ok := d.Voice()
			if !ok || p != c.policy {
				t.Errorf("voice policy %+v (%v), want %+v", p, ok, c.policy)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	good := readHex(t, "lldpd-med-tagged-vlan100.hex")
	cases := []struct {
		name string
		f    []byte
		want string
	}{
		{"short frame", good[:10], "shorter than an Ethernet header"},
		{"empty LLDPDU", good[:14], "no chassis ID"},
		{"TLV header cut", append(append([]byte{}, good[:14]...), 0x02), "header cut short"},
		{"length past end", good[:20], "past the frame's end"},
		{"port ID first", append(append([]byte{}, good[:14]...), 0x04, 0x02, 0x03, 0x61), "want type 1"},
		{"end before TTL", append(append([]byte{}, good[:14+9+9]...), 0, 0), "want type 3"},
		{"short policy", append(append([]byte{}, good[:14+9+9+4]...), 0xfe, 0x07, 0x00, 0x12, 0xbb, 0x02, 0x01, 0x00, 0xc9, 0, 0), "network policy of 3 bytes"},
		{"short TTL", append(append([]byte{}, good[:14+9+9]...), 0x06, 0x01, 0x04), "TTL TLV of length 1"},
		{"short chassis", append(append([]byte{}, good[:14]...), 0x02, 0x01, 0x04), "length 1, want 2 to 256"},
		{"end with a value", append(append([]byte{}, good[:14+9+9+4]...), 0x00, 0x01, 0x00), "end TLV of length 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseFrame(c.f)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	notLLDP := append([]byte{}, good...)
	notLLDP[12], notLLDP[13] = 0x08, 0x00
	if _, err := ParseFrame(notLLDP); !errors.Is(err, ErrNotLLDP) {
		t.Errorf("IPv4 frame: %v, want ErrNotLLDP", err)
	}
}

// TestParsePolicyBits checks each field of the policy word on its own.
func TestParsePolicyBits(t *testing.T) {
	head := []byte{0x02, 0x07, 0x04, 2, 0, 0, 0, 0, 1, 0x04, 0x02, 0x07, 'p', 0x06, 0x02, 0, 120}
	cases := []struct {
		word [3]byte
		want NetworkPolicy
	}{
		{[3]byte{0x80, 0, 0}, NetworkPolicy{App: 1, Unknown: true}},
		{[3]byte{0x5f, 0xfe, 0x00}, NetworkPolicy{App: 1, Tagged: true, VLAN: 4095}},
		{[3]byte{0x00, 0x01, 0xc0}, NetworkPolicy{App: 1, Priority: 7}},
		{[3]byte{0x00, 0x00, 0x3f}, NetworkPolicy{App: 1, DSCP: 63}},
		{[3]byte{0x20, 0x00, 0x00}, NetworkPolicy{App: 1}}, // reserved X bit ignored
	}
	for _, c := range cases {
		b := append(append([]byte{}, head...), 0xfe, 0x08, 0x00, 0x12, 0xbb, 0x02, 1, c.word[0], c.word[1], c.word[2], 0, 0)
		d, err := Parse(b)
		if err != nil {
			t.Fatalf("%x: %v", c.word, err)
		}
		if p, _ := d.Voice(); p != c.want {
			t.Errorf("%x: %+v, want %+v", c.word, p, c.want)
		}
		if d.TTL != 120*time.Second {
			t.Errorf("TTL %v", d.TTL)
		}
	}
}

func TestVLANName(t *testing.T) {
	for _, c := range []struct {
		parent string
		vid    int
		want   string
	}{{"lan0", 100, "lan0.100"}, {"enp0s31f6abcdef", 4094, "enp0s31f6a.4094"}} {
		if got := VLANName(c.parent, c.vid); got != c.want {
			t.Errorf("VLANName(%q, %d) = %q, want %q", c.parent, c.vid, got, c.want)
		}
	}
}

// FuzzParseFrame: no panic, and whatever parses holds the mandatory TLVs
// and sane policy fields.
func FuzzParseFrame(f *testing.F) {
	f.Add(readHex(f, "lldpd-med-tagged-vlan100.hex"))
	f.Add(readHex(f, "lldpd-policy-untagged-nomed.hex"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseFrame(b)
		if err != nil {
			return
		}
		if d.ChassisID == nil || d.PortID == nil || d.TTL < 0 {
			t.Fatalf("parsed without the mandatory TLVs: %+v", d)
		}
		for _, p := range d.Policies {
			if p.VLAN > 4095 || p.Priority > 7 || p.DSCP > 63 {
				t.Fatalf("policy out of range: %+v", p)
			}
		}
	})
}
