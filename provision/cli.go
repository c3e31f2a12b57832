package provision

import (
	"context"
	"fmt"
	"io"

	"deskphone/status"
)

// RunCommand is `firmware provision -server URL [-data DIR] [-mac MAC]`:
// one pass against server with p, printing each file fetched, applied,
// unchanged, skipped or rejected with its reason. The exit code is 1 if
// anything was rejected (or nothing could be applied), 0 otherwise.
func RunCommand(ctx context.Context, out io.Writer, p *Provisioner, server string) int {
	res := p.Pass(ctx, server)
	PrintResult(out, res)
	if res.Result != ResultOK {
		return 1
	}
	return 0
}

// PrintResult writes a pass's result, one file a line.
func PrintResult(w io.Writer, res status.Provision) {
	fmt.Fprintf(w, "provision %s from %s at %s\n", res.Result, res.Server, res.At.Format("2006-01-02T15:04:05Z"))
	for _, f := range res.Files {
		if f.Reason != "" {
			fmt.Fprintf(w, "  %-9s %s: %s\n", f.Outcome, f.Name, f.Reason)
		} else {
			fmt.Fprintf(w, "  %-9s %s\n", f.Outcome, f.Name)
		}
	}
}
