package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// commandHelperEnv makes this test binary run as the firmware binary itself
// (`firmware sip ...`, `firmware call ...`): the lab tests start it inside a
// network namespace without building the binary separately.
const commandHelperEnv = "FIRMWARE_COMMAND_HELPER"

func init() {
	if os.Getenv(commandHelperEnv) != "1" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
