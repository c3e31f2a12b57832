package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"

	"deskphone/sipcore"
)

// accountFlags are the flags `firmware sip` and `firmware call` share: the
// one line's account, its trust, where the command listens, and logging.
type accountFlags struct {
	registrar, transport, user, password, caFile, listen *string
	verbose                                              *bool
}

func addAccountFlags(fs *flag.FlagSet) *accountFlags {
	return &accountFlags{
		registrar: fs.String("registrar", "", "registrar HOST[:PORT]"),
		transport: fs.String("transport", "udp", "udp, tcp or tls"),
		user:      fs.String("user", "", "SIP user"),
		password:  fs.String("password", "", "SIP password"),
		caFile:    fs.String("ca", "", "PEM file of the CA(s) the registrar's TLS certificate must chain to"),
		listen:    fs.String("listen", sipcore.DefaultListen, "local UDP and TCP address for requests to the phone"),
		verbose:   fs.Bool("v", false, "log the engine's details to stderr"),
	}
}

// line is the account as line 1, enabled, with the registrar split.
func (a *accountFlags) line() (sipcore.Line, error) {
	host, port, err := splitRegistrar(*a.registrar)
	if err != nil {
		return sipcore.Line{}, fmt.Errorf("%w: -registrar: %v", errUsage, err)
	}
	return sipcore.Line{Index: 1, Enabled: true, User: *a.user, Password: *a.password,
		Registrar: host, RegistrarPort: port, Transport: sipcore.Transport(*a.transport)}, nil
}

// config completes cfg with the listen address and the -ca roots, and
// validates it: a bad value is a usage error.
func (a *accountFlags) config(cfg sipcore.Config) (sipcore.Config, error) {
	cfg.Listen = *a.listen
	if *a.caFile != "" {
		roots, err := loadRoots(*a.caFile)
		if err != nil {
			return cfg, err
		}
		cfg.TLS.Roots = roots
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, nil
}

// logger logs warnings to w, or everything with -v.
func (a *accountFlags) logger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if *a.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
