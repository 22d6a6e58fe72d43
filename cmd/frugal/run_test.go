package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal/examples"
)

// runJSON is the `frugal run --json` contract of shared/DESIGN.md.
type runJSON struct {
	RunID  string `json:"run_id"`
	Agent  string `json:"agent"`
	Status string `json:"status"`
	Steps  int    `json:"steps"`
	Calls  int64  `json:"calls"`
	Tokens struct {
		Input      *int64 `json:"input"`
		CacheRead  *int64 `json:"cache_read"`
		CacheWrite *int64 `json:"cache_write"`
		Output     *int64 `json:"output"`
	} `json:"tokens"`
	Cost   *int64 `json:"cost_micro_usd"`
	ByTier map[string]struct {
		Calls int64  `json:"calls"`
		Cost  *int64 `json:"cost_micro_usd"`
	} `json:"by_tier"`
}

func decodeRun(t *testing.T, out string) runJSON {
	t.Helper()
	var r runJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("run --json: %v\n%s", err, out)
	}
	if r.RunID == "" || r.Cost == nil || r.Tokens.Input == nil || r.Tokens.CacheRead == nil || r.Tokens.CacheWrite == nil || r.Tokens.Output == nil {
		t.Fatalf("run --json lacks contract fields:\n%s", out)
	}
	return r
}

func TestRunDeferredExits3ThenResumeExits0(t *testing.T) {
	home, dir := t.TempDir(), t.TempDir()
	if err := examples.CopyTo(dir); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "deferred", "agent.yaml")
	code, out, errOut := cli(t, "run", "--home", home, "--json", file)
	if code != exitDeferred {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out, errOut)
	}
	r := decodeRun(t, out)
	if r.Status != "deferred" || r.Agent != "deferred" || r.Calls != 1 || r.ByTier["planner"].Calls != 1 {
		t.Fatalf("deferred run: %+v", r)
	}
	data, _ := os.ReadFile(file)
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), "run: 0.001", "run: 0.05", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cli(t, "resume", "--home", home, "--json", r.RunID)
	if code != exitOK {
		t.Fatalf("resume: exit %d\n%s\n%s", code, out, errOut)
	}
	r2 := decodeRun(t, out)
	if r2.RunID != r.RunID || r2.Status != "done" || r2.ByTier["planner"].Calls != 2 || r2.ByTier["worker"].Calls == 0 {
		t.Fatalf("resumed run: %+v", r2)
	}
	// Resuming a finished run is bad input.
	if code, _, errOut := cli(t, "resume", "--home", home, r.RunID); code != exitInvalid || !strings.Contains(errOut, "already done") {
		t.Fatalf("resume a done run: exit %d: %s", code, errOut)
	}
	if code, _, errOut := cli(t, "resume", "--home", home, "r-nope"); code != exitInvalid || !strings.Contains(errOut, "no run") {
		t.Fatalf("resume unknown: exit %d: %s", code, errOut)
	}
}

func TestRunBadAgentFileExits2(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "agent.yaml")
	os.WriteFile(file, []byte("name: x\ngoal: g\nworkspace: ./nope\nbrains: {planner: nope}\nbogus: 1\n"), 0o644)
	code, _, errOut := cli(t, "run", "--home", t.TempDir(), file)
	if code != exitInvalid || !strings.Contains(errOut, "agent.yaml:") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, _, _ := cli(t, "run", "--home", t.TempDir()); code != exitInvalid {
		t.Fatalf("no argument: exit %d", code)
	}
}

func TestDemo(t *testing.T) {
	home := t.TempDir()
	code, out, errOut := cli(t, "demo", "--home", home)
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"SIMULATED", "of fix-failing-test: done", "of escalate: done", "of release-check: done",
		"of deferred: deferred", "of deferred: done (1/1 steps), resumed", "spend (frugal spend", "TOTAL",
		"sim/anthropic/claude-sonnet-4-5", "all on anthropic/claude-sonnet-4-5",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// The ledger the demo wrote is the one frugal spend reads.
	code, out, _ = cli(t, "spend", "--home", home, "--by", "agent", "--json")
	if code != exitOK || !strings.Contains(out, `"agent": "escalate"`) {
		t.Fatalf("spend after demo: exit %d\n%s", code, out)
	}
}

// frugal.yaml's budgets: reach the ledger and are enforced.
func TestConfigBudgetsApplied(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "frugal.yaml"), []byte("budgets:\n  - { scope: global, window: day, limit: 0.000001 }\n"), 0o600)
	code, out, _ := cli(t, "budget", "--home", home, "--json")
	if code != exitOK || !strings.Contains(out, `"limit_micro_usd": 1`) {
		t.Fatalf("budget: exit %d\n%s", code, out)
	}
	code, _, errOut := cli(t, "ask", "--home", home, "sim/anthropic/claude-haiku-4-5", "hi")
	if code != exitDeferred || !strings.Contains(errOut, "global/day cap") {
		t.Fatalf("ask over a frugal.yaml cap: exit %d: %s", code, errOut)
	}
}
