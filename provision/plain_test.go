package provision

import (
	"strings"
	"testing"
)

func TestParsePlain(t *testing.T) {
	src := "# phone\n\nphone.name = Front desk\nP8626=3\n  sip.line1.label = \"  padded \"\nempty = \"\"\n"
	got, err := ParsePlain("x.cfg", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Assignment{
		{3, "phone.name", "Front desk"},
		{4, "P8626", "3"},
		{5, "sip.line1.label", "  padded "},
		{6, "empty", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParsePlainErrorsNameTheLine(t *testing.T) {
	for src, want := range map[string]string{
		"a = 1\nno equals sign\n":          "x.cfg:2: want name = value",
		"= 1\n":                            "x.cfg:1: bad setting name",
		"a b = 1\n":                        "x.cfg:1: bad setting name",
		"a = \"unterminated\n":             "x.cfg:1: a: bad quoted value",
		"a = " + strings.Repeat("x", 5000): "x.cfg:1:",
	} {
		_, err := ParsePlain("x.cfg", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePlain(%.20q) error %v, want %q", src, err, want)
		}
	}
}

func FuzzParsePlain(f *testing.F) {
	f.Add([]byte("phone.name = Desk\nP8626 = 1\n# c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		as, err := ParsePlain("fuzz", data)
		if err != nil {
			return
		}
		for _, a := range as {
			if a.Name == "" || a.Line < 1 {
				t.Fatalf("accepted an assignment without name or line: %+v", a)
			}
		}
	})
}
