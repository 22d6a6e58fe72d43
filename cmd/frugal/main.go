// Command frugal is the cost-native agent runtime's command line: it wires
// the packages together and maps domain errors to exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
)

// Exit codes, fixed by shared/DESIGN.md.
const (
	exitOK       = 0
	exitFailed   = 1
	exitInvalid  = 2
	exitDeferred = 3
	exitPaused   = 4
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	a.close()
	if err == nil {
		return a.exitCode
	}
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	fmt.Fprintln(stderr, "frugal:", err)
	return exitCodeFor(err)
}

// exitError ends a command with a code after it has already said why.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func exitCodeFor(err error) int {
	switch frugal.ErrorCode(err) {
	case frugal.EINVALID, frugal.ENOTFOUND:
		return exitInvalid
	case frugal.EBUDGET:
		return exitDeferred
	case frugal.EGUARD:
		return exitPaused
	}
	return exitFailed
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "frugal",
		Short:         "A cost-native, brain-agnostic agent runtime",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.home, "home", "", "data directory (default $FRUGAL_HOME or ~/.frugal)")
	root.PersistentFlags().StringVar(&a.configPath, "config", "", "config file (default $FRUGAL_HOME/frugal.yaml)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return frugal.Errorf(frugal.EINVALID, "%v (see %s --help)", err, c.CommandPath())
	})
	root.AddCommand(
		newDemoCmd(a),
		newPricesCmd(a),
		newSpendCmd(a),
		newBudgetCmd(a),
		newCheckCmd(a),
		newRunCmd(a),
		newResumeCmd(a),
		newAskCmd(a),
		newModelsCmd(a),
	)
	return root
}
