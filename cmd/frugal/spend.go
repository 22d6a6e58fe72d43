package main

import "github.com/spf13/cobra"

func newSpendCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "spend",
		Short: "not implemented yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := a.stdout.Write([]byte("frugal spend: not implemented yet\n"))
			return err
		},
	}
}
