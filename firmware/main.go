// Command firmware is the deskphone's one binary: `firmware run` is the
// phone; the other subcommands are the admin's and field engineer's tools
// over the same code (settings, and later 802.1X, SIP and provisioning
// checks). It wires packages together and holds no protocol logic.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

// command is one subcommand. New diagnostic subcommands (8021x, sip,
// provision, sign, ...) are added to the commands table below.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands []command

func init() {
	commands = []command{
		{"run", "run the phone", cmdRun},
		{"version", "print the firmware version", cmdVersion},
		{"settings", "list, get or set the phone's settings", cmdSettings},
		{"8021x", "one 802.1X authentication on an interface", cmdDot1X},
		{"sip", "register one SIP line and answer check-sync NOTIFYs", cmdSIP},
		{"call", "register one SIP line, call a URI and check the audio both ways", cmdCall},
		{"provision", "one provisioning pass against a server", cmdProvision},
		{"sign", "sign a file for the phone's trust list, or make a signing key", cmdSign},
		{"encrypt", "encrypt a file with a device or site key, or make a key", cmdEncrypt},
	}
}

// errUsage marks a failure that was a wrong command line (exit status 2).
var errUsage = errors.New("usage")

// errSilent is a failure the command has already reported on stdout (exit 1).
var errSilent = errors.New("failed")

func main() {
	// One processor for Go code: the phone's work is a 20 ms media tick and
	// small bursts of signalling, and on one P a frame costs one thread
	// wakeup instead of hand-offs between threads (make bench-media: CPU per
	// call at or below baresip's only this way). GOMAXPROCS in the
	// environment still decides when set.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	// Collect when the heap has grown by half, not doubled: in a call the
	// phone allocates little (a collection every few seconds costs about a
	// millisecond), and the heap's headroom is resident memory (make
	// bench-media: the whole phone under 16 MB in a call). GOGC in the
	// environment still decides when set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errSilent):
			return 1
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "firmware %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "firmware %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "firmware: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: firmware <command> [flags]")
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "Run 'firmware <command> -h' for a command's flags.")
}

// newFlags makes a command's flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("firmware "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, turning a bad flag into errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}
