package main

import "github.com/spf13/cobra"

func newBudgetCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "budget",
		Short: "not implemented yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := a.stdout.Write([]byte("frugal budget: not implemented yet\n"))
			return err
		},
	}
}
