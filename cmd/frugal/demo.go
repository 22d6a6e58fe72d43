package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/examples"
	"github.com/frugal-dev/frugal/runner"
	"github.com/frugal-dev/frugal/sqlite"
)

// demoFrontier is the model the naive comparison prices every call at.
const demoFrontier = "anthropic/claude-sonnet-4-5"

func newDemoCmd(a *app) *cobra.Command {
	var keep bool
	var f runFlags
	c := &cobra.Command{
		Use:   "demo",
		Short: "Offline tour: the shipped example agents through the real runtime, on simulated brains",
		Long: `Run the shipped examples (examples/) through the real runtime, offline: a
fresh SQLite ledger in a temporary home (or --home), and simulated brains
(sim/<provider>/<model>: the sim servers speak each provider's wire format
over loopback HTTP and are priced as the real models). Then print the spend
report and what the same calls would have cost on a frontier model.

The examples show a failing test fixed after one failed verify, a step
escalated to a higher tier, a mechanical step with no model call and a
judgment call, and a run deferred by its cap then resumed.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.demo(cmd.Context(), keep, f)
		},
	}
	c.Flags().BoolVar(&keep, "keep", false, "keep the temporary home (ledger, transcripts, workspaces) and print its path")
	f.register(c)
	return c
}

func (a *app) demo(ctx context.Context, keep bool, f runFlags) error {
	start := time.Now()
	temporary := a.home == "" && !keep
	if a.home == "" {
		tmp, err := os.MkdirTemp("", "frugal-demo-")
		if err != nil {
			return frugal.Errorf(frugal.EUNAVAILABLE, "demo: temporary home: %w", err)
		}
		a.home = tmp
		if !keep {
			a.onClose(func() error { return os.RemoveAll(tmp) })
		}
	}
	if err := makeHome(a.home); err != nil {
		return err
	}
	dir := filepath.Join(a.home, "examples")
	if err := examples.CopyTo(dir); err != nil {
		return err
	}
	r, err := a.runner(ctx, f)
	if err != nil {
		return err
	}
	out := a.stdout
	fmt.Fprintf(out, "frugal demo · offline · SIMULATED brains (sim/…: the sim servers speak each provider's wire format on loopback; calls are priced as the real models)\n")
	if temporary {
		fmt.Fprintf(out, "home %s (temporary: removed at the end; --keep keeps it)\n\n", a.home)
	} else {
		fmt.Fprintf(out, "home %s\n\n", a.home)
	}

	for i, name := range examples.Names {
		file := filepath.Join(dir, name, "agent.yaml")
		ag, err := a.loadAgent(file)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "── %d/%d %s: %s\n", i+1, len(examples.Names), name, ag.Goal)
		sum, err := r.Run(ctx, ag)
		if err != nil {
			return fmt.Errorf("demo %s: %w", name, err)
		}
		printSummary(out, sum)
		if sum.Status == runner.StatusDeferred {
			// Raise the cap the way a user would: edit the agent file.
			if err := raiseRunCap(file, 5*frugal.Cent); err != nil {
				return err
			}
			fmt.Fprintf(out, "  (demo) raising the run cap in %s from %s to %s, then: frugal resume %s\n", filepath.Base(file), ag.Budget.Run, 5*frugal.Cent, sum.RunID)
			if ag, err = a.loadAgent(file); err != nil {
				return err
			}
			if sum, err = r.Resume(ctx, ag, sum.RunID); err != nil {
				return fmt.Errorf("demo %s: resume: %w", name, err)
			}
			printSummary(out, sum)
		}
		if sum.Status != runner.StatusDone {
			a.exitCode = exitFailed
		}
		fmt.Fprintln(out)
	}

	db, err := a.ledger(ctx)
	if err != nil {
		return err
	}
	by := []string{"agent", "tier", "model"}
	rows, total, err := db.Spend(ctx, frugal.SpendFilter{By: by})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "spend (frugal spend --by agent,tier,model):")
	if err := writeSpendTable(out, by, rows, total); err != nil {
		return err
	}
	naive, err := a.naiveCost(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nthe same %d calls, all on %s: %s; frugal paid %s", total.Calls, demoFrontier, naive, total.Cost)
	if naive > 0 {
		fmt.Fprintf(out, " (%.0f%% less)", 100-100*float64(total.Cost)/float64(naive))
	}
	fmt.Fprintf(out, "\ndone in %s", time.Since(start).Round(100*time.Millisecond))
	if keep {
		fmt.Fprintf(out, "; kept %s (transcripts in agents/*/runs/)", a.home)
	}
	fmt.Fprintln(out)
	return nil
}

// naiveCost prices every recorded call at the frontier model, as if every
// step had been sent to it (the same tokens, which flatters the naive way:
// one growing session would also re-read its history).
func (a *app) naiveCost(ctx context.Context, db *sqlite.DB) (frugal.Money, error) {
	cat, err := a.prices()
	if err != nil {
		return 0, err
	}
	p, err := cat.Lookup(demoFrontier)
	if err != nil {
		return 0, err
	}
	calls, err := db.Calls(ctx, sqlite.CallFilter{Limit: 10000})
	if err != nil {
		return 0, err
	}
	var sum frugal.Money
	for _, c := range calls {
		sum += p.Cost(c.Usage)
	}
	return sum, nil
}

// runCapRe finds the run cap of an agent file's budget line.
var runCapRe = regexp.MustCompile(`(budget:\s*\{\s*run:\s*)[0-9.]+`)

// raiseRunCap rewrites the run cap of an example's agent file to m, as a
// user would edit it.
func raiseRunCap(file string, m frugal.Money) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !runCapRe.Match(data) {
		return fmt.Errorf("demo: %s has no budget: { run: … } to raise", file)
	}
	usd := strings.TrimPrefix(config.USD(m), "$")
	return os.WriteFile(file, runCapRe.ReplaceAll(data, []byte("${1}"+usd)), 0o644)
}
