package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/pricing"
)

func newPricesCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "prices [MODEL...]",
		Short: "Show the price catalog in force (built-in prices + $FRUGAL_HOME/prices.yaml)",
		Long: `Show what each model costs, in USD per million tokens, and how its prompt
cache behaves: the built-in catalog merged with $FRUGAL_HOME/prices.yaml.

With MODEL arguments, show how those models are priced, including provider
wildcards (ollama/anything) and simulated models (sim/provider/name).
--json prints the machine-readable form described in DESIGN.md.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			home, err := a.homeDir()
			if err != nil {
				return err
			}
			c, err := pricing.Load(home)
			if err != nil {
				return err
			}
			models := c.Models()
			if len(args) > 0 {
				models = models[:0]
				for _, m := range args {
					p, err := c.Lookup(m)
					if err != nil {
						return err
					}
					models = append(models, p)
				}
			}
			if asJSON {
				return writePricesJSON(a.stdout, c.Date(), models)
			}
			override := filepath.Join(home, pricing.OverrideFile)
			if _, err := os.Stat(override); errors.Is(err, fs.ErrNotExist) {
				override = ""
			}
			return writePricesTable(a.stdout, c.Date(), override, models)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: {date, models: [{model, input, cache_read, cache_write_5m, cache_write_1h, output, context_window, cache_ttl_s, min_cacheable_tokens}]}")
	return cmd
}

// ratesJSON writes each price as a JSON number spelled exactly as the
// decimal, never through a float.
type ratesJSON struct {
	Input        json.Number `json:"input"`
	CacheRead    json.Number `json:"cache_read"`
	CacheWrite5m json.Number `json:"cache_write_5m"`
	CacheWrite1h json.Number `json:"cache_write_1h"`
	Output       json.Number `json:"output"`
}

type longContextJSON struct {
	ThresholdTokens int64 `json:"threshold_tokens"`
	ratesJSON
}

type priceJSON struct {
	Model string `json:"model"`
	ratesJSON
	ContextWindow      int64            `json:"context_window"`
	CacheTTLSeconds    int64            `json:"cache_ttl_s"`
	MinCacheableTokens int64            `json:"min_cacheable_tokens"`
	LongContext        *longContextJSON `json:"long_context,omitempty"`
	Source             string           `json:"source,omitempty"`
}

func toRatesJSON(r frugal.Rates) ratesJSON {
	n := func(r frugal.Rate) json.Number { return json.Number(r.String()) }
	return ratesJSON{n(r.Input), n(r.CacheRead), n(r.CacheWrite5m), n(r.CacheWrite1h), n(r.Output)}
}

func writePricesJSON(w io.Writer, date string, models []frugal.Price) error {
	out := struct {
		Date   string      `json:"date"`
		Models []priceJSON `json:"models"`
	}{Date: date, Models: make([]priceJSON, 0, len(models))}
	for _, p := range models {
		j := priceJSON{
			Model:              p.Model,
			ratesJSON:          toRatesJSON(p.Rates),
			ContextWindow:      p.ContextWindow,
			CacheTTLSeconds:    int64(p.CacheTTL / time.Second),
			MinCacheableTokens: p.MinCacheableTokens,
			Source:             p.Source,
		}
		if lc := p.LongContext; lc != nil {
			j.LongContext = &longContextJSON{ThresholdTokens: lc.ThresholdTokens, ratesJSON: toRatesJSON(lc.Rates)}
		}
		out.Models = append(out.Models, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writePricesTable(w io.Writer, date, override string, models []frugal.Price) error {
	head := "USD per 1M tokens, built-in prices checked " + date
	if date == "" {
		head = "USD per 1M tokens"
	}
	if override != "" {
		head += "; overrides from " + override
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, head)
	fmt.Fprintln(tw, "MODEL\tINPUT\tCACHE READ\tWRITE 5M\tWRITE 1H\tOUTPUT\tCONTEXT\tTTL\tMIN CACHE")
	var long []frugal.Price
	for _, p := range models {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Model, p.Input, p.CacheRead, p.CacheWrite5m, p.CacheWrite1h, p.Output,
			tokens(p.ContextWindow), ttl(p.CacheTTL), tokens(p.MinCacheableTokens))
		if p.LongContext != nil {
			long = append(long, p)
		}
	}
	if len(long) > 0 {
		fmt.Fprintln(tw, "\nLONG CONTEXT: a call whose input exceeds the threshold pays these rates on every token")
		fmt.Fprintln(tw, "MODEL\tINPUT\tCACHE READ\tWRITE 5M\tWRITE 1H\tOUTPUT\tABOVE")
		for _, p := range long {
			lc := p.LongContext
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Model, lc.Input, lc.CacheRead, lc.CacheWrite5m, lc.CacheWrite1h, lc.Output, tokens(lc.ThresholdTokens))
		}
	}
	return tw.Flush()
}

// tokens shortens a token count for the table: 200000 is "200k", 1000000
// is "1M"; other counts print in full, and 0 (unknown) as "-".
func tokens(n int64) string {
	switch {
	case n == 0:
		return "-"
	case n%1_000_000 == 0:
		return strconv.FormatInt(n/1_000_000, 10) + "M"
	case n%1_000 == 0:
		return strconv.FormatInt(n/1_000, 10) + "k"
	}
	return strconv.FormatInt(n, 10)
}

// ttl prints 5m and 1h rather than 5m0s and 1h0m0s; 0 (no cache) as "-".
func ttl(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}
