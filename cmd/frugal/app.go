package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/examples"
	"github.com/frugal-dev/frugal/pricing"
	"github.com/frugal-dev/frugal/providers"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/sqlite"
	"github.com/frugal-dev/frugal/tokenizer"
)

// app is the composition root: what every subcommand may need, opened
// lazily so that `frugal prices` never touches the database.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	home       string // --home; resolved by homeDir
	configPath string // --config

	db      *sqlite.DB
	cfg     *config.Config
	catalog *pricing.Catalog
	simSrv  *sim.Server
	// simOptions configure the in-process simulator started for sim/…
	// models (the demo sets its cassette).
	simOptions sim.Options

	closers  []func() error
	exitCode int // set by commands that end without an error
}

// homeDir returns the data directory: --home, $FRUGAL_HOME or ~/.frugal.
func (a *app) homeDir() (string, error) {
	if a.home != "" {
		return a.home, nil
	}
	if h := a.getenv("FRUGAL_HOME"); h != "" {
		return h, nil
	}
	u, err := os.UserHomeDir()
	if err != nil {
		return "", frugal.Errorf(frugal.EINVALID, "no home directory: set FRUGAL_HOME (%v)", err)
	}
	return filepath.Join(u, ".frugal"), nil
}

func (a *app) onClose(f func() error) { a.closers = append(a.closers, f) }

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		_ = a.closers[i]()
	}
	a.closers = nil
}

// logger reports warnings on stderr; API keys are redacted by their type.
func (a *app) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// config loads frugal.yaml: --config (which must exist) or the home's
// (which may not).
func (a *app) config() (*config.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	var err error
	if a.configPath != "" {
		a.cfg, err = config.LoadExisting(a.configPath)
		return a.cfg, err
	}
	home, err := a.homeDir()
	if err != nil {
		return nil, err
	}
	a.cfg, err = config.Load(filepath.Join(home, "frugal.yaml"))
	return a.cfg, err
}

// prices is the catalog in force: embedded, then $FRUGAL_HOME/prices.yaml,
// then frugal.yaml's per-model overrides.
func (a *app) prices() (*pricing.Catalog, error) {
	if a.catalog != nil {
		return a.catalog, nil
	}
	home, err := a.homeDir()
	if err != nil {
		return nil, err
	}
	cat, err := pricing.Load(home)
	if err != nil {
		return nil, err
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	a.catalog = withConfigPrices(cat, cfg)
	return a.catalog, nil
}

// withConfigPrices applies frugal.yaml's per-model price overrides to cat.
// A model the catalog does not know is priced only when the override gives
// both its input and output prices: never a silent $0.
func withConfigPrices(cat *pricing.Catalog, cfg *config.Config) *pricing.Catalog {
	var over []frugal.Price
	for _, prov := range sortedKeys(cfg.Providers) {
		for _, model := range sortedKeys(cfg.Providers[prov].Prices) {
			ref := prov + "/" + model
			o := cfg.Providers[prov].Prices[model]
			base, err := cat.Lookup(ref)
			if err != nil {
				if o.Input == nil || o.Output == nil {
					continue
				}
				base = frugal.Price{Model: ref}
			}
			p := o.Apply(base)
			p.Model = ref
			p.Source = "frugal.yaml override"
			over = append(over, p)
		}
	}
	return cat.With(over...)
}

// registry resolves model references with presets, frugal.yaml and the
// environment's keys; sim/… models start the in-process simulator.
func (a *app) registry() (*providers.Registry, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	cat, err := a.prices()
	if err != nil {
		return nil, err
	}
	return providers.New(providers.Options{
		Config: cfg,
		Getenv: a.getenv,
		Sim:    a.startSim,
		MinCacheableTokens: func(model string) int64 {
			for _, prov := range []string{"anthropic/", "sim/anthropic/"} {
				if p, err := cat.Lookup(prov + model); err == nil && p.MinCacheableTokens > 0 {
					return p.MinCacheableTokens
				}
			}
			return 0
		},
		CountTokens:   tokenizer.Count,
		ContextWindow: contextWindowOf(cat),
	}), nil
}

// startSim starts the in-process simulator on loopback, once. Its
// cassette is $FRUGAL_SIM_CASSETTE, or the shipped examples' cassette, so
// that `frugal run examples/…/agent.yaml` plays offline as in the demo.
func (a *app) startSim() (string, error) {
	if a.simSrv == nil {
		if a.simOptions.Cassette == nil {
			cas, err := a.simCassette()
			if err != nil {
				return "", err
			}
			a.simOptions.Cassette = cas
		}
		a.simSrv = sim.New(a.simOptions)
		a.onClose(func() error { a.simSrv.Close(); return nil })
	}
	return a.simSrv.URL, nil
}

func (a *app) simCassette() (*sim.Cassette, error) {
	if path := a.getenv("FRUGAL_SIM_CASSETTE"); path != "" {
		return sim.LoadCassette(path)
	}
	raw, err := examples.Cassette()
	if err != nil {
		return nil, err
	}
	return sim.ParseCassette("examples/"+examples.CassetteFile, raw)
}

// brains returns the metered call client over the ledger.
func (a *app) brains(ctx context.Context) (*brains.Client, error) {
	db, err := a.ledger(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := a.prices()
	if err != nil {
		return nil, err
	}
	reg, err := a.registry()
	if err != nil {
		return nil, err
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return brains.New(brains.Options{
		Ledger:           db,
		Prices:           cat,
		Resolver:         reg,
		Estimate:         tokenizer.EstimateRequest,
		DefaultMaxOutput: cfg.Defaults.MaxOutput,
		Lease:            cfg.Defaults.Lease,
		Logger:           a.logger(),
	}), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
