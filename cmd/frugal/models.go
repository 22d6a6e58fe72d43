package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal/providers"
)

func newModelsCmd(a *app) *cobra.Command {
	var asJSON, check bool
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List the providers frugal can call: configured, keyed, priced (and reachable, with --check)",
		Long: `List every provider: the built-in presets merged with frugal.yaml's providers:
section. For each: its wire format, base URL, the environment variable that
holds its key and whether it is set (never the key itself), whether it runs
without a key (local), where its settings come from, and the models of that
provider the price catalog knows (frugal prices shows their prices).

--check pings every provider whose key is set or that needs none, all at
once, with a cheap authenticated GET of its model list (no model is called,
nothing is spent), and reports reachable, unreachable or unauthorized; it
gives up after about 3 seconds.

--json prints {"providers": [{"name", "type", "base_url", "api_key_env",
"api_key_set", "local", "source", "models": ["provider/model", ...],
"check": {"ok", "status", "error"}}]}; "check" only with --check.

sim/<provider>/<model> runs any priced model offline in the in-process
simulator, speaking <provider>'s wire format.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := a.registry()
			if err != nil {
				return err
			}
			cat, err := a.prices()
			if err != nil {
				return err
			}
			var checks map[string]providers.CheckResult
			if check {
				checks = reg.CheckAll(cmd.Context())
			}
			var out modelsJSON
			prices := cat.Models()
			for _, p := range reg.Providers() {
				m := providerJSON{
					Name: p.Name, Type: p.Type, BaseURL: p.BaseURL, KeyEnv: p.KeyEnv, KeySet: p.KeySet,
					Local: p.Local, Source: p.Source, Models: []string{},
				}
				for _, pr := range prices {
					if strings.HasPrefix(pr.Model, p.Name+"/") {
						m.Models = append(m.Models, pr.Model)
					}
				}
				if c, ok := checks[p.Name]; ok {
					m.Check = &checkJSON{OK: c.OK, Status: c.Status, HTTPStatus: c.HTTPStatus, Error: c.Error}
				}
				out.Providers = append(out.Providers, m)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			return writeModelsTable(a.stdout, out, check)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (see --help for the shape)")
	cmd.Flags().BoolVar(&check, "check", false, "ping each provider that has its key or needs none (about 3 s at most)")
	return cmd
}

type modelsJSON struct {
	Providers []providerJSON `json:"providers"`
}

type providerJSON struct {
	Name    string     `json:"name"`
	Type    string     `json:"type"`
	BaseURL string     `json:"base_url"`
	KeyEnv  string     `json:"api_key_env"`
	KeySet  bool       `json:"api_key_set"`
	Local   bool       `json:"local"`
	Source  string     `json:"source"`
	Models  []string   `json:"models"`
	Check   *checkJSON `json:"check,omitempty"`
}

type checkJSON struct {
	OK         bool   `json:"ok"`
	Status     string `json:"status"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Error      string `json:"error,omitempty"`
}

func writeModelsTable(w io.Writer, out modelsJSON, check bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "PROVIDER\tTYPE\tBASE URL\tAPI KEY\tSOURCE\tMODELS"
	if check {
		head += "\tCHECK"
	}
	fmt.Fprintln(tw, head)
	for _, p := range out.Providers {
		key := "none needed"
		switch {
		case p.KeyEnv != "" && p.KeySet:
			key = p.KeyEnv + " (set)"
		case p.KeyEnv != "" && p.Local:
			key = p.KeyEnv + " (optional, not set)"
		case p.KeyEnv != "":
			key = p.KeyEnv + " (NOT SET)"
		}
		models := "-"
		if len(p.Models) > 0 {
			names := make([]string, len(p.Models))
			for i, m := range p.Models {
				names[i] = strings.TrimPrefix(m, p.Name+"/")
				if names[i] == "*" {
					names[i] = "* (any model, one price)"
				}
			}
			models = strings.Join(names, ", ")
		}
		line := strings.Join([]string{p.Name, p.Type, p.BaseURL, key, p.Source, models}, "\t")
		if check && p.Check != nil {
			c := p.Check.Status
			if p.Check.Error != "" {
				c += ": " + p.Check.Error
			}
			line += "\t" + c
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nsim/<provider>/<model> runs any priced model offline in the in-process simulator (e.g. frugal ask sim/anthropic/claude-haiku-4-5 hi).")
	return err
}
