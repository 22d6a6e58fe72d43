package main

import "github.com/spf13/cobra"

func newPricesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "prices",
		Short: "not implemented yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := a.stdout.Write([]byte("frugal prices: not implemented yet\n"))
			return err
		},
	}
}
