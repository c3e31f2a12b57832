package main

import (
	"errors"
	"io"
	"log/slog"
	"testing"
)

// rebooterForTest records the exec instead of replacing the test process.
func rebooterForTest(execs *int) *rebooter {
	return &rebooter{cancel: func() {}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		execve: func(string, []string, []string) error { *execs++; return nil }}
}

func TestRebootHappensEvenWhenAPartIsStuck(t *testing.T) {
	stuck := errors.New("shutdown: components did not stop in time")
	for _, tc := range []struct {
		name      string
		requested bool
		byInit    bool
		stopErr   error
		execs     int
		err       error
	}{
		{"clean stop, no reboot", false, false, nil, 0, nil},
		{"stuck, no reboot", false, false, stuck, 0, stuck},
		{"reboot", true, false, nil, 1, nil},
		{"reboot with a stuck part", true, false, stuck, 1, nil},
		{"reboot under init", true, true, nil, 0, nil},
		{"reboot under init, stuck", true, true, stuck, 0, stuck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var execs int
			r := rebooterForTest(&execs)
			if tc.requested {
				r.Request("test")
			}
			err := r.finish(tc.stopErr, tc.byInit)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Errorf("finish: %v, want %v", err, tc.err)
			}
			if execs != tc.execs {
				t.Errorf("%d execs, want %d", execs, tc.execs)
			}
		})
	}
}
