package lab_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"deskphone/lab"
)

// TestPackagesMatchMakefile: lab.mk's LAB_PACKAGES (what make test installs)
// and lab.Packages (what the lab's error messages name) are the same list.
func TestPackagesMatchMakefile(t *testing.T) {
	b, err := os.ReadFile("lab.mk")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "LAB_PACKAGES :=")
	if !ok {
		t.Fatal("lab.mk has no LAB_PACKAGES")
	}
	var pkgs []string
	for _, line := range strings.Split(rest, "\n") {
		cont := strings.HasSuffix(strings.TrimSpace(line), "\\")
		pkgs = append(pkgs, strings.Fields(strings.TrimSuffix(strings.TrimSpace(line), "\\"))...)
		if !cont {
			break
		}
	}
	got, want := slices.Sorted(slices.Values(pkgs)), slices.Sorted(slices.Values(lab.Packages))
	if !slices.Equal(got, want) {
		t.Errorf("lab.mk LAB_PACKAGES %v\nlab.Packages          %v", got, want)
	}
	if !strings.Contains(lab.InstallCommand(), "apt-get install -y") {
		t.Errorf("install command %q", lab.InstallCommand())
	}
}
