package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkDir writes an agent file named name with body src beside a
// workspace "repo", and returns its path.
func checkDir(t *testing.T, name, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "repo"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const checkGood = `name: keep-tests-green
goal: Keep the tests green.
workspace: repo
budget: { run: 0.50, day: 2.00, month: 20.00 }
brains:
  planner: deepseek/deepseek-chat
  worker: [ollama/qwen2.5-coder:7b, deepseek/deepseek-chat]
  judge: anthropic/claude-sonnet-4-5
verify:
  - run: go test ./...
  - contains: ok
limits: { context_tokens: 3000, max_output: 1024 }
`

func TestCheckGood(t *testing.T) {
	path := checkDir(t, "agent.yaml", checkGood)
	code, stdout, stderr := cli(t, "--home", t.TempDir(), "check", path)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want := "ok: keep-tests-green (tiers: planner, worker, judge, ladder: worker -> planner -> judge, 2 gates, budget run $0.50 day $2 month $20)\n"
	if stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	// The sample in config/testdata passes too, on a machine that runs its
	// local worker with a 32k window (its limits ask for 12000 + 2048).
	home := t.TempDir()
	prices := "models:\n  - model: ollama/qwen2.5-coder:7b\n    input: 0\n    output: 0\n    context_window: 32768\n    source: my machine\n"
	if err := os.WriteFile(filepath.Join(home, "prices.yaml"), []byte(prices), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "--home", home, "check", "../../config/testdata/agents/good.yaml"); code != 0 {
		t.Errorf("config/testdata/agents/good.yaml: exit %d: %s", code, stderr)
	}
}

func TestCheckBad(t *testing.T) {
	src := strings.NewReplacer("day: 2.00", "day: abc", "go test ./...", "''", "judge: anthropic", "judge: nowhere-ai").Replace(checkGood) + "retries: 3\n"
	path := checkDir(t, "agent.yaml", src)
	code, stdout, stderr := cli(t, "--home", t.TempDir(), "check", path)
	if code != exitInvalid || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	want := []string{
		path + `:4: budget.day: "abc" is not a USD amount (e.g. 0.50 or 20)`,
		path + `:8: brains.judge: unknown model "nowhere-ai/claude-sonnet-4-5": add it to $FRUGAL_HOME/prices.yaml (see frugal prices)`,
		path + `:10: verify[0].run: is empty`,
		path + `:13: retries: unknown key (allowed: name, goal, workspace, schedule, budget, brains, ladder, verify, limits, isolation)`,
	}
	if got := strings.Split(strings.TrimSpace(stderr), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, strings.Join(want, "\n"))
	}

	code, stdout, _ = cli(t, "--home", t.TempDir(), "check", "--json", path)
	var got struct {
		OK    bool `json:"ok"`
		Files []struct {
			File     string `json:"file"`
			Kind     string `json:"kind"`
			OK       bool   `json:"ok"`
			Problems []struct {
				File    string `json:"file"`
				Line    int    `json:"line"`
				Column  int    `json:"column"`
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"problems"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if code != exitInvalid || got.OK || len(got.Files) != 1 || got.Files[0].OK || got.Files[0].Kind != "agent" {
		t.Fatalf("exit %d, %+v", code, got)
	}
	ps := got.Files[0].Problems
	if len(ps) != 4 || ps[0].Line != 4 || ps[0].Field != "budget.day" || ps[0].File != path || ps[0].Column != 27 ||
		ps[3].Line != 13 || ps[3].Field != "retries" {
		t.Errorf("problems %+v", ps)
	}
}

// A model whose context window cannot hold the agent's limits is a
// problem on its line: Ollama would cut the prompts silently.
func TestCheckContextWindow(t *testing.T) {
	src := strings.Replace(checkGood, "limits: { context_tokens: 3000, max_output: 1024 }", "limits: { context_tokens: 12000 }", 1)
	path := checkDir(t, "agent.yaml", src)
	code, _, stderr := cli(t, "--home", t.TempDir(), "check", path)
	want := path + ":7: brains.worker[0]: ollama/qwen2.5-coder:7b has a 4096-token context window, smaller than limits.context_tokens 12000 + max_output 2048"
	if code != exitInvalid || !strings.HasPrefix(stderr, want) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// A user who runs the model with a bigger window says so in prices.yaml.
	home := t.TempDir()
	prices := "models:\n  - model: ollama/qwen2.5-coder:7b\n    input: 0\n    output: 0\n    context_window: 32768\n    source: my machine\n"
	if err := os.WriteFile(filepath.Join(home, "prices.yaml"), []byte(prices), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "--home", home, "check", path); code != 0 {
		t.Fatalf("with a 32k window: exit %d, %s", code, stderr)
	}
}

func TestCheckMissingAndNoArgs(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.yaml")
	code, _, stderr := cli(t, "check", missing)
	if code != exitInvalid || stderr != missing+": agent file "+missing+" does not exist\n" {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = cli(t, "check")
	if code != exitInvalid || !strings.Contains(stderr, "check needs at least one file") {
		t.Errorf("no args: exit %d, stderr %q", code, stderr)
	}
}

// TestCheckConfig: a model priced only in frugal.yaml is known; a bad
// frugal.yaml is reported, as a file argument or in FRUGAL_HOME.
func TestCheckConfig(t *testing.T) {
	src := strings.Replace(checkGood, "judge: anthropic/claude-sonnet-4-5", "judge: acme/wise-1", 1)
	path := checkDir(t, "agent.yaml", src)
	home := t.TempDir()
	if code, _, stderr := cli(t, "--home", home, "check", path); code != exitInvalid || !strings.Contains(stderr, `:8: brains.judge: unknown model "acme/wise-1"`) {
		t.Fatalf("unpriced model: exit %d, %s", code, stderr)
	}
	cfg := "providers:\n  acme:\n    type: openai\n    base_url: https://api.acme.test/v1\n    api_key_env: ACME_KEY\n    models:\n      wise-1: { input: 3, output: 15 }\n"
	if err := os.WriteFile(filepath.Join(home, "frugal.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := cli(t, "--home", home, "check", path); code != 0 || !strings.HasPrefix(stdout, "ok: keep-tests-green") {
		t.Errorf("model priced in frugal.yaml: exit %d, %s%s", code, stdout, stderr)
	}
	cfgFile := filepath.Join(home, "frugal.yaml")
	if code, stdout, _ := cli(t, "--home", home, "check", cfgFile); code != 0 || stdout != "ok: "+cfgFile+" (1 provider, 0 caps)\n" {
		t.Errorf("check frugal.yaml: exit %d, %q", code, stdout)
	}

	bad := "providers:\n  acme:\n    api_key: sk-live-0123456789abcdef\n"
	if err := os.WriteFile(cfgFile, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, "--home", home, "check", path)
	if code != exitInvalid || !strings.Contains(stderr, cfgFile+":3: providers.acme.api_key: a key does not belong in frugal.yaml") {
		t.Errorf("bad frugal.yaml in home: exit %d, %s", code, stderr)
	}
	if strings.Contains(stderr, "sk-live") {
		t.Errorf("the key leaked into the output: %s", stderr)
	}
	code, _, stderr = cli(t, "--config", filepath.Join(home, "other.yaml"), "check", path)
	if code != exitInvalid || !strings.Contains(stderr, fmt.Sprintf("config file %s does not exist", filepath.Join(home, "other.yaml"))) {
		t.Errorf("--config missing: exit %d, %s", code, stderr)
	}
}
