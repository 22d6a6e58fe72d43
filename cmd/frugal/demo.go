package main

import "github.com/spf13/cobra"

func newDemoCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "not implemented yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := a.stdout.Write([]byte("frugal demo: not implemented yet\n"))
			return err
		},
	}
}
