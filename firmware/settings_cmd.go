package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"deskphone/provision/settings"
)

func cmdSettings(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("settings", stderr)
	dataDir := fs.String("data", "./var", "the phone's flash")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: firmware settings [-data DIR] list | get NAME | set NAME VALUE | factory-reset")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: list, get, set or factory-reset", errUsage)
	}
	store, err := settings.Open(*dataDir)
	if err != nil {
		return fmt.Errorf("open settings: %w", err)
	}
	if r := store.Recovery(); r != "" {
		fmt.Fprintf(stderr, "note: %s\n", r)
	}
	switch {
	case rest[0] == "factory-reset" && len(rest) == 1:
		if err := store.Reset(); err != nil {
			return fmt.Errorf("factory reset: %w", err)
		}
		fmt.Fprintln(stdout, "factory reset: every setting is back to its default")
		return nil
	case rest[0] == "list" && len(rest) == 1:
		return listSettings(stdout, store)
	case rest[0] == "get" && len(rest) == 2:
		def, ok := settings.Lookup(rest[1])
		if !ok {
			return fmt.Errorf("unknown setting %q", rest[1])
		}
		fmt.Fprintln(stdout, store.Display(def.Name))
		return nil
	case rest[0] == "set" && len(rest) == 3:
		def, ok := settings.Lookup(rest[1])
		if !ok {
			return fmt.Errorf("unknown setting %q", rest[1])
		}
		return store.Set(def.Name, rest[2])
	}
	fs.Usage()
	return fmt.Errorf("%w: %s", errUsage, strings.Join(rest, " "))
}

func listSettings(w io.Writer, store *settings.Store) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVALUE\tHTEK\tSNOM\tAVAYA")
	for _, def := range settings.Schema() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", def.Name, store.Display(def.Name),
			dash(def.Htek), dash(def.Snom), dash(def.Avaya))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
