// Package golden compares rendered LCD frames with PNG files kept under a
// package's testdata. `go test ./ui/... -update` rewrites the files; a
// mismatch writes NAME.got.png next to the golden file for a person to look at.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update is the package-level -update flag of every test binary that checks
// golden frames.
var update = flag.Bool("update", false, "rewrite the golden PNG files under testdata/")

// Check compares img with testdata/name.png.
func Check(t testing.TB, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	got := encode(t, img)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("write golden %s: %v", path, err)
		}
		os.Remove(gotPath(path))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run go test ./ui/... -update to create it)", path, err)
	}
	if diff := Diff(img, want); diff != "" {
		gp := gotPath(path)
		if abs, err := filepath.Abs(gp); err == nil {
			gp = abs
		}
		if err := os.WriteFile(gp, got, 0o644); err != nil {
			t.Fatalf("%s: %s; and writing %s failed: %v", path, diff, gp, err)
		}
		t.Fatalf("%s: %s; this run's frame is in %s (go test ./ui/... -update accepts it)", path, diff, gp)
	}
	os.Remove(gotPath(path))
}

// Diff compares the pixels (not the PNG bytes, which an encoder may vary) of
// img with the PNG file want, and describes the first difference.
func Diff(img image.Image, want []byte) string {
	w, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		return fmt.Sprintf("golden file is not a PNG: %v", err)
	}
	if img.Bounds() != w.Bounds() {
		return fmt.Sprintf("size %v, golden %v", img.Bounds().Size(), w.Bounds().Size())
	}
	n, first := 0, image.Point{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := img.At(x, y).RGBA()
			r2, g2, b2, _ := w.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				if n == 0 {
					first = image.Pt(x, y)
				}
				n++
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d pixels differ, the first at %v", n, first)
}

func gotPath(path string) string { return strings.TrimSuffix(path, ".png") + ".got.png" }

func encode(t testing.TB, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("encode PNG: %v", err)
	}
	return buf.Bytes()
}
