package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sqlite"
)

func newBudgetCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "budget",
		Short: "Show the spend caps: spent, reserved, limit, remaining and reset time",
		Long: `Show every spend cap with what is spent and reserved in its current window,
its limit, what remains and when it resets (UTC calendar days, ISO weeks from
Monday, months; run and total caps never reset). A run cap of an agent, key
or the global scope limits each run on its own and is shown for the most
recent run it covers.

--json prints {"caps": [{"scope", "name", "window", "limit_micro_usd",
"spent_micro_usd", "reserved_micro_usd", "remaining_micro_usd", "resets_at"}]}
with resets_at RFC 3339 or null, and "run" for run caps.

Set and remove caps with 'frugal budget set' and 'frugal budget rm'.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.ledger(cmd.Context())
			if err != nil {
				return err
			}
			caps, err := db.CapReport(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeCapsJSON(a.stdout, caps)
			}
			return writeCapsTable(a.stdout, caps)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (see DESIGN.md, machine-readable output)")
	cmd.AddCommand(newBudgetSetCmd(a), newBudgetRmCmd(a))
	return cmd
}

// capFlags are the flags naming one cap.
type capFlags struct {
	scope, name, window string
}

func (f *capFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.scope, "scope", "global", "what the cap limits: global, agent, run or key")
	cmd.Flags().StringVar(&f.name, "name", "", "the agent, run or key name (none for global)")
	cmd.Flags().StringVar(&f.window, "window", "", "the period: day, week, month (UTC calendar), total, or run (each run on its own)")
}

func (f *capFlags) budget() (frugal.Budget, error) {
	if f.window == "" {
		return frugal.Budget{}, frugal.Errorf(frugal.EINVALID, "--window is required: day, week, month, total or run")
	}
	b := frugal.Budget{Scope: frugal.Scope(f.scope), Name: f.name, Window: frugal.Window(f.window)}
	return b, b.Validate()
}

func newBudgetSetCmd(a *app) *cobra.Command {
	var f capFlags
	var limit string
	cmd := &cobra.Command{
		Use:   "set --scope SCOPE [--name NAME] --window WINDOW --limit USD",
		Short: "Add a spend cap or change its limit",
		Example: `  frugal budget set --window day --limit 5
  frugal budget set --scope agent --name keep-tests-green --window month --limit 20
  frugal budget set --scope agent --name keep-tests-green --window run --limit 0.50`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit == "" {
				return frugal.Errorf(frugal.EINVALID, "--limit is required: a dollar amount such as 2 or 0.50")
			}
			amount, err := frugal.ParseUSD(limit)
			if err != nil {
				return frugal.Errorf(frugal.EINVALID, "--limit: %w", err)
			}
			b, err := f.budget()
			if err != nil {
				return err
			}
			b.Limit = amount
			if err := b.Validate(); err != nil {
				return err
			}
			db, err := a.ledger(cmd.Context())
			if err != nil {
				return err
			}
			if err := db.SetBudget(cmd.Context(), b); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "set %s\n", b)
			return err
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&limit, "limit", "", "the cap in US dollars, e.g. 2 or 0.50 (exact to the micro-dollar)")
	return cmd
}

func newBudgetRmCmd(a *app) *cobra.Command {
	var f capFlags
	cmd := &cobra.Command{
		Use:   "rm --scope SCOPE [--name NAME] --window WINDOW",
		Short: "Remove a spend cap (the spend it counted stays recorded)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := f.budget()
			if err != nil {
				return err
			}
			db, err := a.ledger(cmd.Context())
			if err != nil {
				return err
			}
			if err := db.DeleteBudget(cmd.Context(), b.Scope, b.Name, b.Window); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "removed the %s\n", capLabel(b))
			return err
		},
	}
	f.register(cmd)
	return cmd
}

// capLabel names a cap without its limit.
func capLabel(b frugal.Budget) string {
	if b.Scope == frugal.ScopeGlobal {
		return fmt.Sprintf("global/%s cap", b.Window)
	}
	return fmt.Sprintf("%s %q/%s cap", b.Scope, b.Name, b.Window)
}

type capJSON struct {
	Scope     frugal.Scope  `json:"scope"`
	Name      string        `json:"name"`
	Window    frugal.Window `json:"window"`
	Limit     frugal.Money  `json:"limit_micro_usd"`
	Spent     frugal.Money  `json:"spent_micro_usd"`
	Reserved  frugal.Money  `json:"reserved_micro_usd"`
	Remaining frugal.Money  `json:"remaining_micro_usd"`
	ResetsAt  *string       `json:"resets_at"`
	Run       *string       `json:"run,omitempty"` // run-window caps: the run reported on
}

func writeCapsJSON(w io.Writer, caps []sqlite.CapLine) error {
	out := struct {
		Caps []capJSON `json:"caps"`
	}{Caps: []capJSON{}}
	for _, c := range caps {
		j := capJSON{Scope: c.Scope, Name: c.Name, Window: c.Window, Limit: c.Limit, Spent: c.Spent,
			Reserved: c.Reserved, Remaining: c.Remaining}
		if !c.ResetsAt.IsZero() {
			s := c.ResetsAt.UTC().Format(time.RFC3339)
			j.ResetsAt = &s
		}
		if c.Window == frugal.WindowRun || c.Scope == frugal.ScopeRun {
			run := c.Run
			j.Run = &run
		}
		out.Caps = append(out.Caps, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeCapsTable(w io.Writer, caps []sqlite.CapLine) error {
	if len(caps) == 0 {
		_, err := io.WriteString(w, "No spend caps are set. Add one with, for example:\n  frugal budget set --window day --limit 5\n")
		return err
	}
	table := [][]string{{"SCOPE", "NAME", "WINDOW", "LIMIT", "SPENT", "RESERVED", "REMAINING", "RESETS"}}
	for _, c := range caps {
		name := c.Name
		if name == "" {
			name = "-"
		}
		resets := "never"
		if !c.ResetsAt.IsZero() {
			resets = c.ResetsAt.UTC().Format(time.RFC3339)
		}
		if c.Window == frugal.WindowRun && c.Scope != frugal.ScopeRun {
			if c.Run == "" {
				resets = "per run (none yet)"
			} else {
				resets = "per run (latest: " + c.Run + ")"
			}
		}
		table = append(table, []string{string(c.Scope), name, string(c.Window), c.Limit.String(), c.Spent.String(),
			c.Reserved.String(), c.Remaining.String(), resets})
	}
	return writeTable(w, table, "lllrrrrl")
}
