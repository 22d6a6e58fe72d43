package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/pricing"
	"github.com/frugal-dev/frugal/providers"
	"github.com/frugal-dev/frugal/runner"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/sqlite"
	"github.com/frugal-dev/frugal/tokenizer"
)

// harness is a runner wired as cmd/frugal wires it: a real SQLite ledger
// in a temporary home, the real adapters talking HTTP to a sim server
// that a cassette scripts.
type harness struct {
	home string
	db   *sqlite.DB
	srv  *sim.Server
	cat  *pricing.Catalog
	r    *runner.Runner
}

type harnessOptions struct {
	home      string // "": a new temp dir
	simOpts   sim.Options
	isolation frugal.Isolation
}

func newHarness(t *testing.T, cassette string, o harnessOptions) *harness {
	t.Helper()
	h := &harness{home: o.home}
	if h.home == "" {
		h.home = t.TempDir()
	}
	if cassette != "" {
		cas, err := sim.ParseCassette("test.cassette.yaml", []byte(cassette))
		if err != nil {
			t.Fatal(err)
		}
		o.simOpts.Cassette = cas
	}
	h.srv = sim.New(o.simOpts)
	t.Cleanup(h.srv.Close)
	var err error
	h.db, err = sqlite.Open(context.Background(), filepath.Join(h.home, "frugal.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })
	h.cat, err = pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	reg := providers.New(providers.Options{
		Sim:         func() (string, error) { return h.srv.URL, nil },
		CountTokens: tokenizer.Count,
	})
	b := brains.New(brains.Options{Ledger: h.db, Prices: h.cat, Resolver: reg, Estimate: tokenizer.EstimateRequest})
	h.r = runner.New(runner.Options{Home: h.home, Brains: b, Ledger: h.db, Isolation: o.isolation})
	return h
}

// writeAgent writes an agent file and its workspace files under a new
// directory and loads it.
func writeAgent(t *testing.T, agentYAML string, files map[string]string) *frugal.Agent {
	t.Helper()
	dir := t.TempDir()
	ws := filepath.Join(dir, "workspace")
	for name, content := range files {
		p := filepath.Join(ws, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(file, []byte(agentYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := config.LoadAgent(file)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// agentYAML is a minimal agent file on sim brains.
func agentYAML(name, goal, extra string) string {
	return "name: " + name + "\ngoal: " + goal + "\nworkspace: ./workspace\n" +
		"budget: { run: 1.00, day: 5.00 }\n" +
		"brains:\n  planner: sim/deepseek/deepseek-v4-flash\n  worker: sim/ollama/qwen2.5-coder:7b\n  judge: sim/anthropic/claude-sonnet-4-5\n" +
		"ladder: [worker, planner, judge]\n" + extra
}

// stepCalls counts the ledger's calls of one run step.
func stepCalls(t *testing.T, db *sqlite.DB, runID, step string) int64 {
	t.Helper()
	rows, _, err := db.Spend(context.Background(), frugal.SpendFilter{By: []string{"step"}, Run: runID})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Keys[0] == step {
			return r.Calls
		}
	}
	return 0
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("missing %q in:\n%s", sub, s)
		}
	}
}

func decisions(t *testing.T, home, agent string) string {
	t.Helper()
	return readFile(t, filepath.Join(home, "agents", agent, "decisions.md"))
}
