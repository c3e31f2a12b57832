package settings

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestSlotRoundTrip(t *testing.T) {
	vals := map[string]string{
		"b.name":  "line\nbreak \"quoted\" \x00\xff ü",
		"a.empty": "",
		"c":       "=",
	}
	data := encodeSlot(42, vals)
	s, err := parseSlot(data)
	if err != nil {
		t.Fatal(err)
	}
	if s.gen != 42 || !equalMaps(s.vals, vals) {
		t.Fatalf("got %d %q", s.gen, s.vals)
	}
	body := "deskphone-settings 1\ngeneration 42\na.empty=\"\"\nb.name=\"line\\nbreak \\\"quoted\\\" \\x00\\xff ü\"\nc=\"=\"\n"
	sum := sha256.Sum256([]byte(body))
	if want := body + "sha256 " + hex.EncodeToString(sum[:]) + "\n"; string(data) != want {
		t.Errorf("encoded\n%s\nwant\n%s", data, want)
	}
}

// TestSlotRefused rebuilds slot files with a valid checksum around bodies
// the writer would never produce: the parser must still refuse them.
func TestSlotRefused(t *testing.T) {
	seal := func(body string) []byte {
		sum := sha256.Sum256([]byte(body))
		return []byte(body + "sha256 " + hex.EncodeToString(sum[:]) + "\n")
	}
	for name, data := range map[string][]byte{
		"other format":       seal("deskphone-settings 2\ngeneration 1\n"),
		"generation 0":       seal("deskphone-settings 1\ngeneration 0\n"),
		"generation 01":      seal("deskphone-settings 1\ngeneration 01\n"),
		"no generation":      seal("deskphone-settings 1\n"),
		"unsorted":           seal("deskphone-settings 1\ngeneration 1\nb=\"1\"\na=\"1\"\n"),
		"repeated":           seal("deskphone-settings 1\ngeneration 1\na=\"1\"\na=\"2\"\n"),
		"unquoted":           seal("deskphone-settings 1\ngeneration 1\na=1\n"),
		"not canonical":      seal("deskphone-settings 1\ngeneration 1\na=\"\\u0041\"\n"),
		"bad name":           seal("deskphone-settings 1\ngeneration 1\nA B=\"1\"\n"),
		"empty line":         seal("deskphone-settings 1\ngeneration 1\n\n"),
		"upper-case sum":     []byte(strings.ToUpper(string(encodeSlot(1, nil)))),
		"no final newline":   bytes.TrimSuffix(encodeSlot(1, nil), []byte("\n")),
		"checksum of other":  bytes.Replace(encodeSlot(1, map[string]string{"a": "1"}), []byte(`a="1"`), []byte(`a="2"`), 1),
		"too large":          seal("deskphone-settings 1\ngeneration 1\na=\"" + strings.Repeat("x", maxSlotBytes) + "\"\n"),
		"only checksum line": []byte("sha256 " + strings.Repeat("0", 64) + "\n"),
	} {
		if s, err := parseSlot(data); err == nil {
			t.Errorf("%s: accepted (%+v)", name, s)
		}
	}
}

// FuzzParseSlot: the parser never panics, and what it accepts has a
// checksum that verifies and is exactly what the writer writes for it.
func FuzzParseSlot(f *testing.F) {
	f.Add(encodeSlot(1, nil))
	f.Add(encodeSlot(3, map[string]string{"dot1x.mode": "2", "phone.name": "x\ny"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseSlot(data)
		if err != nil {
			return
		}
		cut := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
		sum := sha256.Sum256(data[:cut])
		if string(data[cut:]) != "sha256 "+hex.EncodeToString(sum[:])+"\n" {
			t.Fatalf("accepted a slot whose checksum does not verify: %q", data)
		}
		if again := encodeSlot(s.gen, s.vals); !bytes.Equal(again, data) {
			t.Fatalf("accepted a slot the writer would not write:\n%q\nwriter: %q", data, again)
		}
	})
}

// FuzzParseSlotBody reaches the line parser behind the checksum: it seals
// the fuzzed body with a valid checksum. What is accepted must be exactly
// what the writer writes for it.
func FuzzParseSlotBody(f *testing.F) {
	f.Add([]byte("deskphone-settings 1\ngeneration 7\na.b=\"x\"\nc_d=\"\\n\"\n"))
	f.Add([]byte("deskphone-settings 1\ngeneration 1\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		sum := sha256.Sum256(body)
		data := append(append([]byte(nil), body...), "sha256 "+hex.EncodeToString(sum[:])+"\n"...)
		s, err := parseSlot(data)
		if err != nil {
			return
		}
		if again := encodeSlot(s.gen, s.vals); !bytes.Equal(again, data) {
			t.Fatalf("accepted a slot the writer would not write:\n%q\nwriter: %q", data, again)
		}
	})
}
