package lcd

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzWrapFit feeds the text functions what arrives from the network and
// from configuration files (line labels, RADIUS and SIP reasons): wrapped
// lines must fit and keep every character, cut text must fit.
func FuzzWrapFit(f *testing.F) {
	f.Add("802.1X authentication failed: wrong credentials", 128)
	f.Add("sip:averyveryverylongusername@example.com", 20)
	f.Add("Réception\nline two  with  spaces", 60)
	f.Add("\xff\xfe bad utf-8", 7)
	f.Fuzz(func(t *testing.T, s string, w int) {
		if len(s) > 1000 {
			return
		}
		w = 7 + abs(w)%400 // at least one glyph of either font
		for _, font := range []*Font{Small, Large} {
			lines := font.Wrap(s, w)
			for _, l := range lines {
				if font.Width(l) > w {
					t.Fatalf("%s: line %q is %d px, width %d", font.Name, l, font.Width(l), w)
				}
			}
			got := ""
			for _, l := range lines {
				got += squeeze(l) // line by line: joined, stray bytes could fuse into a rune
			}
			if want := squeeze(s); got != want {
				t.Fatalf("%s: Wrap lost text: %q from %q", font.Name, got, want)
			}
			if fit := font.Fit(s, w); font.Width(fit) > w {
				t.Fatalf("%s: Fit gave %q, %d px", font.Name, fit, font.Width(fit))
			}
			if fit := font.FitLeft(s, w); font.Width(fit) > w {
				t.Fatalf("%s: FitLeft gave %q, %d px", font.Name, fit, font.Width(fit))
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if -n < 0 { // the most negative int
			return 0
		}
		return -n
	}
	return n
}

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
