// Command modelmon-demo is a simulated fleet of inference services that
// export model-quality gauges and a latency histogram through the OTel Go SDK,
// plus two helpers for watching what modelmon does with them:
//
//	modelmon-demo [flags]         run the fleet (see -h)
//	modelmon-demo sink [flags]    receive webhook notifications and print them
//	modelmon-demo jobs [flags]    print retraining jobs as they appear in a file queue
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "modelmon-demo:", err)
		os.Exit(1)
	}
}

// run dispatches to the subcommand; the fleet is the default.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "sink":
			return runSink(ctx, args[1:], stdout, stderr)
		case "jobs":
			return runJobs(ctx, args[1:], stdout, stderr)
		case "fleet":
			args = args[1:]
		}
	}
	return runFleet(ctx, args, stdout, stderr)
}
