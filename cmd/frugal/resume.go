package main

import (
	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/runner"
)

func newResumeCmd(a *app) *cobra.Command {
	var f runFlags
	c := &cobra.Command{
		Use:   "resume RUN_ID",
		Short: "Continue a deferred or interrupted run from its durable state",
		Long: `Continue a run that a spend cap deferred or a crash interrupted, from the
step where it stopped: nothing already done is paid for again. The agent
file is read again, so a raised cap or a changed brain applies.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			home, err := a.homeDir()
			if err != nil {
				return err
			}
			_, file, _, err := runner.FindRun(home, args[0])
			if err != nil {
				return err
			}
			if file == "" {
				return frugal.Errorf(frugal.EINVALID, "run %s does not say which agent file it came from; run the agent file again with frugal run", args[0])
			}
			ag, err := a.loadAgent(file)
			if err != nil {
				return err
			}
			return a.runAgent(cmd.Context(), ag, args[0], f)
		},
	}
	f.register(c)
	return c
}
