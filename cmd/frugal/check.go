package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/pricing"
)

func newCheckCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Validate agent files (and frugal.yaml) without running anything",
		Long: `Validate agent files without running them: every key, amount, duration,
schedule, model and gate, the workspace and the JSON Schemas the gates name.
Every model must have a price (built-in catalog, $FRUGAL_HOME/prices.yaml or
a price override in frugal.yaml), since an unpriced call cannot be capped.
A file named frugal.yaml is checked as the configuration instead.

Problems are printed one per line as file:line: field: message, and the exit
status is 2. --json prints {"ok", "files": [{"file", "kind", "ok", "agent",
"problems": [{"file", "line", "column", "field", "message"}]}]}.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return frugal.Errorf(frugal.EINVALID, "check needs at least one file (frugal check AGENT.yaml)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(a, args, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// checkResult is the outcome for one file (the --json form).
type checkResult struct {
	File     string           `json:"file"`
	Kind     string           `json:"kind"` // "agent" or "config"
	OK       bool             `json:"ok"`
	Agent    *frugal.Agent    `json:"agent,omitempty"`
	Problems []config.Problem `json:"problems,omitempty"`
	Omitted  int              `json:"omitted_problems,omitempty"`
	summary  string
}

func runCheck(a *app, files []string, asJSON bool) error {
	var results []checkResult
	// The configuration and the price catalog are read once, and only when
	// an agent file needs them; their own problems are reported as such.
	var env *checkEnv
	for _, f := range files {
		if isConfigFile(f) {
			results = append(results, checkConfigFile(f))
			continue
		}
		if env == nil {
			var rs []checkResult
			env, rs = loadCheckEnv(a)
			results = append(results, rs...)
		}
		results = append(results, env.checkAgent(f))
	}
	ok := true
	for _, r := range results {
		ok = ok && r.OK
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			OK    bool          `json:"ok"`
			Files []checkResult `json:"files"`
		}{ok, results}); err != nil {
			return err
		}
	} else {
		printCheck(a.stdout, a.stderr, results)
	}
	if !ok {
		return exitError{exitInvalid}
	}
	return nil
}

func isConfigFile(path string) bool {
	b := filepath.Base(path)
	return b == "frugal.yaml" || b == "frugal.yml"
}

// checkEnv is what agent checks consult beyond the file.
type checkEnv struct {
	catalog *pricing.Catalog
	cfg     *config.Config
}

// loadCheckEnv reads the price catalog and frugal.yaml the way a run
// would. Problems in them are results of their own; the checks go on
// with what could be read.
func loadCheckEnv(a *app) (*checkEnv, []checkResult) {
	env := &checkEnv{cfg: config.Default()}
	var results []checkResult
	home, homeErr := a.homeDir()
	cfgPath := a.configPath
	if cfgPath != "" {
		if c, err := config.LoadExisting(cfgPath); err != nil {
			results = append(results, resultOf(cfgPath, "config", err))
		} else {
			env.cfg = c
		}
	} else if homeErr == nil {
		p := filepath.Join(home, "frugal.yaml")
		if c, err := config.Load(p); err != nil {
			results = append(results, resultOf(p, "config", err))
		} else {
			env.cfg = c
		}
	}
	if homeErr != nil {
		home = ""
	}
	cat, err := pricing.Load(home)
	if err != nil {
		results = append(results, resultOf(filepath.Join(home, pricing.OverrideFile), "prices", err))
		cat, err = pricing.Default()
		if err != nil {
			cat = nil
		}
	}
	if cat != nil {
		cat = withConfigPrices(cat, env.cfg)
	}
	env.catalog = cat
	return env, results
}

func (e *checkEnv) checkAgent(path string) checkResult {
	var opts config.AgentOptions
	if e.catalog != nil {
		opts = agentOptions(e.catalog)
	}
	ag, err := config.LoadAgentWith(path, opts)
	if err != nil {
		return resultOf(path, "agent", err)
	}
	return checkResult{File: path, Kind: "agent", OK: true, Agent: ag, summary: agentSummary(ag)}
}

func checkConfigFile(path string) checkResult {
	c, err := config.LoadExisting(path)
	if err != nil {
		return resultOf(path, "config", err)
	}
	caps := len(c.Budgets)
	return checkResult{File: path, Kind: "config", OK: true,
		summary: fmt.Sprintf("%s (%s, %s)", path, plural(len(c.Providers), "provider"), plural(caps, "cap"))}
}

// resultOf turns an error into a failed result: the file's problems, or
// the error as one problem without a line.
func resultOf(path, kind string, err error) checkResult {
	r := checkResult{File: path, Kind: kind}
	var ps *config.Problems
	if errors.As(err, &ps) {
		r.Problems, r.Omitted = ps.List, ps.Omitted
		return r
	}
	r.Problems = []config.Problem{{File: path, Message: strings.TrimPrefix(err.Error(), path+": ")}}
	return r
}

// agentSummary is the ok line: name, tiers, ladder, gates and caps.
func agentSummary(ag *frugal.Agent) string {
	var budget []string
	for _, c := range []struct {
		name string
		m    frugal.Money
	}{{"run", ag.Budget.Run}, {"day", ag.Budget.Day}, {"month", ag.Budget.Month}} {
		if c.m > 0 {
			budget = append(budget, c.name+" "+config.USD(c.m))
		}
	}
	return fmt.Sprintf("%s (tiers: %s, ladder: %s, %s, budget %s)", ag.Name,
		strings.Join(config.TierNames(ag), ", "), strings.Join(ag.Ladder, " -> "),
		plural(len(ag.Verify), "gate"), strings.Join(budget, " "))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// printCheck writes ok lines to stdout and problems to stderr, one per
// line, so that editors and CI can jump to file:line.
func printCheck(stdout, stderr io.Writer, results []checkResult) {
	for _, r := range results {
		if r.OK {
			fmt.Fprintf(stdout, "ok: %s\n", r.summary)
			continue
		}
		for _, p := range r.Problems {
			fmt.Fprintln(stderr, p.String())
		}
		if r.Omitted > 0 {
			fmt.Fprintf(stderr, "%s: … and %d more problems\n", r.File, r.Omitted)
		}
	}
}
