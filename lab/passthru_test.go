package lab

import (
	"slices"
	"testing"
)

func TestParseStations(t *testing.T) {
	out := "02:00:00:00:01:01\nflags=[AUTH][AUTHORIZED]\ndot1xAuthEapolLogoffFramesRx=0\n" +
		"02:00:00:00:02:01\nflags=[AUTH]\ndot1xAuthSessionUserName=peapuser\nconnected_time=3\n"
	got := parseStations(out)
	if want := []string{"02:00:00:00:01:01", "02:00:00:00:02:01"}; !slices.Equal(got, want) {
		t.Errorf("stations %q, want %q", got, want)
	}
	if got := parseStations(""); len(got) != 0 {
		t.Errorf("no stations: %q", got)
	}
}
