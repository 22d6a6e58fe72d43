package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/pricing"
	"github.com/frugal-dev/frugal/runner"
)

type runFlags struct {
	json      bool
	isolation string
	progress  bool
	quiet     bool
}

func (f *runFlags) register(c *cobra.Command) {
	c.Flags().BoolVar(&f.json, "json", false, "print the run summary as JSON on stdout")
	c.Flags().StringVar(&f.isolation, "isolation", "", "override the agent's isolation: auto, process or bwrap")
	c.Flags().BoolVar(&f.progress, "progress", false, "print progress on stderr even when it is not a terminal")
	c.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
}

func newRunCmd(a *app) *cobra.Command {
	var f runFlags
	c := &cobra.Command{
		Use:   "run AGENT.yaml",
		Short: "Run an agent once (continues its deferred or interrupted run if it has one)",
		Long: `Run an agent once: plan with the planner tier, do each step mechanically or
in a fresh worker session, verify with the agent's gates, retry with the
failure as feedback and escalate up the ladder.

Exit codes: 0 done, 1 failed, 2 bad input, 3 deferred by a spend cap
(resume with frugal resume RUN_ID or a later frugal run), 4 paused by the
loop guard.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ag, err := a.loadAgent(args[0])
			if err != nil {
				return err
			}
			return a.runAgent(cmd.Context(), ag, "", f)
		},
	}
	f.register(c)
	return c
}

// loadAgent validates an agent file, including that each of its models has
// a price.
func (a *app) loadAgent(path string) (*frugal.Agent, error) {
	cat, err := a.prices()
	if err != nil {
		return nil, err
	}
	return config.LoadAgentWith(path, agentOptions(cat))
}

// agentOptions are the checks of an agent file that need the price
// catalog: every model priced, every context window big enough.
func agentOptions(cat *pricing.Catalog) config.AgentOptions {
	return config.AgentOptions{
		CheckModel: func(m frugal.ModelRef) error {
			_, err := cat.Lookup(string(m))
			return err
		},
		ContextWindow: contextWindowOf(cat),
	}
}

// contextWindowOf returns a model's context window from cat; 0 unknown.
func contextWindowOf(cat *pricing.Catalog) func(frugal.ModelRef) int64 {
	return func(m frugal.ModelRef) int64 {
		p, err := cat.Lookup(string(m))
		if err != nil {
			return 0
		}
		return p.ContextWindow
	}
}

// runAgent runs (or resumes) ag and reports its summary; the exit code
// follows the run's status.
func (a *app) runAgent(ctx context.Context, ag *frugal.Agent, resumeID string, f runFlags) error {
	r, err := a.runner(ctx, f)
	if err != nil {
		return err
	}
	var sum runner.Summary
	if resumeID != "" {
		sum, err = r.Resume(ctx, ag, resumeID)
	} else {
		sum, err = r.Run(ctx, ag)
	}
	if sum.RunID != "" {
		if f.json {
			if jerr := writeJSON(a.stdout, sum); jerr != nil {
				return jerr
			}
		} else {
			printSummary(a.stdout, sum)
		}
	}
	if err != nil {
		return err
	}
	a.exitCode = statusExit(sum.Status)
	return nil
}

func (a *app) runner(ctx context.Context, f runFlags) (*runner.Runner, error) {
	home, err := a.homeDir()
	if err != nil {
		return nil, err
	}
	b, err := a.brains(ctx)
	if err != nil {
		return nil, err
	}
	db, err := a.ledger(ctx)
	if err != nil {
		return nil, err
	}
	var progress io.Writer
	if !f.quiet && (f.progress || isTerminal(a.stderr)) {
		progress = a.stderr
	}
	iso := frugal.Isolation(f.isolation)
	switch iso {
	case "", frugal.IsolationAuto, frugal.IsolationProcess, frugal.IsolationBwrap:
	default:
		return nil, frugal.Errorf(frugal.EINVALID, "--isolation %q: want auto, process or bwrap", f.isolation)
	}
	return runner.New(runner.Options{
		Home: home, Brains: b, Ledger: db, Progress: progress, Isolation: iso, Logger: a.logger(),
	}), nil
}

func statusExit(s runner.Status) int {
	switch s {
	case runner.StatusDone:
		return exitOK
	case runner.StatusDeferred:
		return exitDeferred
	case runner.StatusPaused:
		return exitPaused
	}
	return exitFailed
}

// printSummary writes a run's summary for people.
func printSummary(w io.Writer, s runner.Summary) {
	fmt.Fprintf(w, "run %s of %s: %s (%d/%d steps)", s.RunID, s.Agent, s.Status, s.Done, s.Steps)
	if s.Resumed {
		fmt.Fprint(w, ", resumed")
	}
	fmt.Fprintf(w, "\n  %d calls · in %d (+%d cached, %d written) · out %d · %s\n",
		s.Calls, s.Tokens.Input, s.Tokens.CacheRead, s.Tokens.CacheWrite, s.Tokens.Output, s.Cost)
	tiers := make([]string, 0, len(s.ByTier))
	for t := range s.ByTier {
		tiers = append(tiers, t)
	}
	sort.Strings(tiers)
	for _, t := range tiers {
		fmt.Fprintf(w, "  %-9s %3d calls  %s\n", t, s.ByTier[t].Calls, s.ByTier[t].Cost)
	}
	if d := s.Deferral; d != nil {
		fmt.Fprintf(w, "  deferred by %s\n", d.Message)
		fmt.Fprintf(w, "  resume with: frugal resume %s (after the cap resets or is raised)\n", s.RunID)
	}
	if s.Error != "" && s.Status != runner.StatusDeferred {
		fmt.Fprintf(w, "  why: %s\n", s.Error)
	}
	if s.Resumable {
		fmt.Fprintf(w, "  stopped before finishing; continue with: frugal resume %s (or frugal run again)\n", s.RunID)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// exactArgs is cobra.ExactArgs with an EINVALID error (exit code 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return frugal.Errorf(frugal.EINVALID, "%s takes %d argument(s), got %d (see %s --help)", cmd.CommandPath(), n, len(args), cmd.CommandPath())
		}
		return nil
	}
}
