package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"
)

// Set at link time by the Makefile (-X main.version=... -X main.buildTime=...).
var (
	version   = "dev"
	buildTime = "" // RFC 3339
)

// built is the build time, the zero time when it is unknown. The clock
// issue uses it as a lower bound for a phone without a real-time clock.
func built() time.Time {
	t, err := time.Parse(time.RFC3339, buildTime)
	if err != nil {
		return time.Time{}
	}
	return t
}

func versionString() string {
	s := fmt.Sprintf("deskphone firmware %s (%s/%s, %s", version, runtime.GOOS, runtime.GOARCH, runtime.Version())
	if t := built(); !t.IsZero() {
		s += ", built " + t.UTC().Format(time.RFC3339)
	}
	return s + ")"
}

func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, versionString())
	return nil
}
