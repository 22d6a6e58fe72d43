package config_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/config"
)

var update = flag.Bool("update", false, "rewrite golden files")

// agentDir returns a directory holding a workspace "repo" and a valid
// schema "schema/report.schema.json", as an agent file's neighbours.
func agentDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "repo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "schema"), 0o755); err != nil {
		t.Fatal(err)
	}
	schema := `{"type": "object", "required": ["status"]}`
	if err := os.WriteFile(filepath.Join(dir, "schema", "report.schema.json"), []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// problemsOf returns the problems inside err, failing when err is not an
// EINVALID error carrying them.
func problemsOf(t *testing.T, err error) []config.Problem {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if code := frugal.ErrorCode(err); code != frugal.EINVALID {
		t.Fatalf("code %q, want %q (err: %v)", code, frugal.EINVALID, err)
	}
	var ps *config.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v carries no *config.Problems", err)
	}
	return ps.List
}

func TestLoadAgentGood(t *testing.T) {
	a, err := config.LoadAgent("testdata/agents/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := filepath.Abs("testdata/agents")
	dir, _ = filepath.EvalSymlinks(dir)
	want := &frugal.Agent{
		Name:      "keep-tests-green",
		Goal:      "Keep the test suite of ./repo green; fix what breaks.",
		Workspace: filepath.Join(dir, "repo"),
		Schedule:  "every 6h",
		Budget:    frugal.AgentBudget{Run: 500_000, Day: 2_000_000, Month: 20_000_000},
		Brains: map[string][]frugal.ModelRef{
			"planner": {"deepseek/deepseek-chat"},
			"worker":  {"ollama/qwen2.5-coder:7b", "deepseek/deepseek-chat"},
			"judge":   {"anthropic/claude-sonnet-4-5"},
		},
		Ladder: []string{"worker", "planner", "judge"},
		Verify: []frugal.Gate{
			{Run: "go test ./...", Timeout: 5 * time.Minute},
			{JSONSchema: filepath.Join(dir, "schema", "report.schema.json"), File: "out/report.json"},
			{Contains: "ok"},
		},
		Limits: frugal.Limits{AttemptsPerRung: 2, ContextTokens: 12000, DigestTokens: 1500, ToolTurns: 12,
			MaxOutput: 2048, WallTime: 30 * time.Minute, CommandTimeout: 2 * time.Minute},
		Isolation: frugal.IsolationAuto,
	}
	abs, _ := filepath.Abs("testdata/agents/good.yaml")
	want.File = abs
	// The schema path is resolved from the file's directory without
	// following symlinks; compare it cleaned.
	a.Verify[1].JSONSchema, _ = filepath.EvalSymlinks(a.Verify[1].JSONSchema)
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got\n%+v\nwant\n%+v", a, want)
	}
	if got := config.TierNames(a); !reflect.DeepEqual(got, []string{"planner", "worker", "judge"}) {
		t.Errorf("TierNames = %v", got)
	}
}

func TestParseAgentDefaults(t *testing.T) {
	dir := agentDir(t)
	src := `name: tiny
goal: say hello
workspace: repo
budget: {day: 1}
brains:
  worker: ollama/qwen2.5-coder:7b
  planner: deepseek/deepseek-chat
`
	a, err := config.ParseAgent("tiny.yaml", []byte(src), dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Limits != frugal.DefaultLimits {
		t.Errorf("limits %+v, want defaults %+v", a.Limits, frugal.DefaultLimits)
	}
	if !reflect.DeepEqual(a.Ladder, []string{"worker", "planner"}) {
		t.Errorf("default ladder %v, want [worker planner]", a.Ladder)
	}
	if a.Isolation != frugal.IsolationAuto || a.Schedule != "" || len(a.Verify) != 0 {
		t.Errorf("isolation %q schedule %q verify %v", a.Isolation, a.Schedule, a.Verify)
	}
	if a.File != "tiny.yaml" {
		t.Errorf("File %q", a.File)
	}
	if !filepath.IsAbs(a.Workspace) || filepath.Base(a.Workspace) != "repo" {
		t.Errorf("workspace %q is not the absolute repo dir", a.Workspace)
	}
	if got := a.Budgets(); len(got) != 1 || got[0].Window != frugal.WindowDay || got[0].Limit != frugal.Dollar {
		t.Errorf("budgets %v", got)
	}
}

func TestParseAgentPartialLimits(t *testing.T) {
	dir := agentDir(t)
	src := minimal + "limits:\n  tool_turns: 3\n  wall_time: 1d\n  context_tokens: 20_000\n"
	a, err := config.ParseAgent("a.yaml", []byte(src), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := frugal.DefaultLimits
	want.ToolTurns, want.WallTime, want.ContextTokens = 3, 24*time.Hour, 20_000
	if a.Limits != want {
		t.Errorf("limits %+v, want %+v", a.Limits, want)
	}
}

// TestMoneyExact: amounts come from the token text, never a float64, so
// tenths add up exactly and a seventh decimal is refused.
func TestMoneyExact(t *testing.T) {
	dir := agentDir(t)
	cases := []struct {
		budget  string
		want    frugal.AgentBudget
		problem string
	}{
		{"{ run: 0.1, day: 0.2, month: 0.3 }", frugal.AgentBudget{Run: 100_000, Day: 200_000, Month: 300_000}, ""},
		{"{ run: \"$1.25\", month: 30 }", frugal.AgentBudget{Run: 1_250_000, Month: 30_000_000}, ""},
		{"{ day: 0.000001 }", frugal.AgentBudget{Day: 1}, ""},
		{"{ run: 0, day: 3 }", frugal.AgentBudget{Day: 3_000_000}, ""},
		{"{ day: 0.1234567 }", frugal.AgentBudget{}, `budget.day: "0.1234567" is not a USD amount`},
		{"{ day: 1e3 }", frugal.AgentBudget{}, `budget.day: "1e3" is not a USD amount`},
		{"{ day: -1 }", frugal.AgentBudget{}, `budget.day: "-1" is negative`},
		{"{ day: .inf }", frugal.AgentBudget{}, `budget.day: ".inf" is not a USD amount`},
		{"{ day: }", frugal.AgentBudget{}, `budget.day: no value`},
		{"{ run: 0, day: 0 }", frugal.AgentBudget{}, `budget: no cap set`},
		{"{ run: 3, day: 2 }", frugal.AgentBudget{}, `budget.day: $2 is below the run cap $3`},
		{"{ day: 2.5, month: 2 }", frugal.AgentBudget{}, `budget.month: $2 is below the day cap $2.50`},
	}
	for _, c := range cases {
		src := strings.Replace(minimal, "budget: {run: 1}", "budget: "+c.budget, 1)
		a, err := config.ParseAgent("m.yaml", []byte(src), dir)
		if c.problem == "" {
			if err != nil {
				t.Errorf("%s: %v", c.budget, err)
			} else if a.Budget != c.want {
				t.Errorf("%s: budget %+v, want %+v", c.budget, a.Budget, c.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "m.yaml:4: "+c.problem) {
			t.Errorf("%s: error %v, want it to contain %q", c.budget, err, "m.yaml:4: "+c.problem)
		}
	}
}

// minimal is the smallest valid agent file; cases edit it.
const minimal = `name: a
goal: g
workspace: repo
budget: {run: 1}
brains: {planner: p/m, worker: w/m}
`

// TestAgentProblems checks, one problem at a time, the field path, the
// message and the line: the line holding `at` in the source.
func TestAgentProblems(t *testing.T) {
	dir := agentDir(t)
	if err := os.WriteFile(filepath.Join(dir, "plain.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "schema", "broken.json"), []byte(`{"type": `), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "schema", "wrong.json"), []byte(`{"type": 12}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		src    string
		at     string // a substring of the line the problem is on ("" for line 1)
		field  string
		substr string
	}{
		{"unknown top key", minimal + "goals: x\n", "goals:", "goals", `unknown key (allowed: name, goal, workspace, schedule, budget, brains, ladder, verify, limits, isolation); did you mean "goal"?`},
		{"unknown budget key", edit(minimal, "budget: {run: 1}", "budget:\n  run: 1\n  weekly: 3\n"), "weekly", "budget.weekly", "unknown key (allowed: run, day, month)"},
		{"unknown limit key", minimal + "limits:\n  turns: 3\n", "turns", "limits.turns", `unknown key (allowed: attempts_per_rung, context_tokens, digest_tokens, tool_turns, max_output, wall_time, command_timeout)`},
		{"unknown gate key", minimal + "verify:\n  - run: make\n    retries: 3\n", "retries", "verify[0].retries", "unknown key (allowed: run, jsonschema, regex, contains, file_exists, file_changed, file, timeout)"},
		{"missing name", edit(minimal, "name: a\n", ""), "", "name", "missing"},
		{"missing goal", edit(minimal, "goal: g\n", ""), "", "goal", "missing"},
		{"missing workspace", edit(minimal, "workspace: repo\n", ""), "", "workspace", "missing"},
		{"missing budget", edit(minimal, "budget: {run: 1}\n", ""), "", "budget", "missing"},
		{"missing brains", edit(minimal, "brains: {planner: p/m, worker: w/m}\n", ""), "", "brains", "missing"},
		{"bad name", edit(minimal, "name: a", "name: ../etc"), "name:", "name", `"../etc" is not a valid name`},
		{"long name", edit(minimal, "name: a", "name: "+strings.Repeat("a", 65)), "name:", "name", "is not a valid name"},
		{"empty goal", edit(minimal, "goal: g", "goal: '  '"), "goal:", "goal", "is empty"},
		{"goal a list", edit(minimal, "goal: g", "goal: [a, b]"), "goal:", "goal", "want a string, got a list"},
		{"workspace missing dir", edit(minimal, "workspace: repo", "workspace: nope"), "workspace:", "workspace", "directory " + filepath.Join(dir, "nope") + " does not exist"},
		{"workspace a file", edit(minimal, "workspace: repo", "workspace: plain.txt"), "workspace:", "workspace", "plain.txt is not a directory"},
		{"workspace root", edit(minimal, "workspace: repo", "workspace: /"), "workspace:", "workspace", "/ is the file system root"},
		{"short schedule", minimal + "schedule: every 30s\n", "schedule:", "schedule", `"30s" is shorter than the minimum interval of 1m`},
		{"bad cron", minimal + "schedule: 0 * *\n", "schedule:", "schedule", "has 3 fields; a cron expression has 5"},
		{"bad cron field", minimal + "schedule: 61 * * * *\n", "schedule:", "schedule", "is not a schedule"},
		{"no planner", edit(minimal, "brains: {planner: p/m, worker: w/m}", "brains: {worker: w/m}"), "brains:", "brains", "no planner tier"},
		{"no worker", edit(minimal, "brains: {planner: p/m, worker: w/m}", "brains: {planner: p/m}"), "brains:", "brains", "no worker tier"},
		{"model without provider", edit(minimal, "worker: w/m", "worker: qwen"), "brains:", "brains.worker", `"qwen" is not provider/model`},
		{"model empty name", edit(minimal, "worker: w/m", "worker: ollama/"), "brains:", "brains.worker", `"ollama/" is not provider/model`},
		{"fallback twice", edit(minimal, "brains: {planner: p/m, worker: w/m}", "brains:\n  planner: p/m\n  worker:\n    - w/m\n    - w/m # again\n"), "w/m # again", "brains.worker[1]", "is listed twice"},
		{"empty fallbacks", edit(minimal, "worker: w/m", "worker: []"), "brains:", "brains.worker", "empty list"},
		{"bad provider", edit(minimal, "worker: w/m", "worker: Open AI/gpt"), "brains:", "brains.worker", `provider "Open AI" is not a provider name`},
		{"bad tier", edit(minimal, "worker: w/m}", "worker: w/m, Boss: x/y}"), "brains:", "brains.Boss", "is not a tier name"},
		{"ladder unknown tier", minimal + "ladder: [worker, judge]\n", "ladder:", "ladder[1]", `tier "judge" is not in brains (have: planner, worker)`},
		{"ladder twice", minimal + "ladder: [worker, worker]\n", "ladder:", "ladder[1]", "on the ladder twice"},
		{"ladder empty", minimal + "ladder: []\n", "ladder:", "ladder", "empty"},
		{"ladder a string", minimal + "ladder: worker\n", "ladder:", "ladder", `want a list, got a string "worker"`},
		{"gate no kind", minimal + "verify:\n  - file: out.json\n", "file: out.json", "verify[0]", "a gate needs one of run, jsonschema, regex, contains, file_exists, file_changed"},
		{"gate two kinds", minimal + "verify:\n  - run: make\n    contains: ok\n", "run: make", "verify[0]", "a gate checks one thing, this one has run and contains"},
		{"gate bad regex", minimal + "verify:\n  - regex: '(['\n", "regex:", "verify[0].regex", "is not a valid regular expression"},
		{"gate empty run", minimal + "verify:\n  - run: ''\n", "run: ''", "verify[0].run", "is empty"},
		{"gate empty contains", minimal + "verify:\n  - contains: ''\n", "contains:", "verify[0].contains", "is empty"},
		{"schema missing", minimal + "verify:\n  - jsonschema: schema/none.json\n", "jsonschema:", "verify[0].jsonschema", "schema file " + filepath.Join(dir, "schema", "none.json") + " does not exist"},
		{"schema not json", minimal + "verify:\n  - jsonschema: schema/broken.json\n", "jsonschema:", "verify[0].jsonschema", "is not JSON"},
		{"schema invalid", minimal + "verify:\n  - jsonschema: schema/wrong.json\n", "jsonschema:", "verify[0].jsonschema", "is not a valid JSON Schema"},
		{"gate file escapes", minimal + "verify:\n  - contains: ok\n    file: ../secret\n", "file:", "verify[0].file", "must be a path inside the workspace"},
		{"gate file absolute", minimal + "verify:\n  - file_exists: /etc/passwd\n", "file_exists:", "verify[0].file_exists", "must be a path inside the workspace"},
		{"file on run gate", minimal + "verify:\n  - run: make\n    file: x\n", "file: x", "verify[0].file", "file applies to jsonschema, regex and contains gates, not run"},
		{"timeout on contains", minimal + "verify:\n  - contains: ok\n    timeout: 1m\n", "timeout:", "verify[0].timeout", "timeout applies to run gates only"},
		{"timeout beyond wall", minimal + "verify:\n  - run: make\n    timeout: 2h\n", "timeout:", "verify[0].timeout", "2h is longer than limits.wall_time 30m"},
		{"verify a map", minimal + "verify: {run: make}\n", "verify:", "verify", "want a list, got a mapping"},
		{"limit zero", minimal + "limits: {attempts_per_rung: 0}\n", "limits:", "limits.attempts_per_rung", "0 is out of range (1 to 100)"},
		{"limit string", minimal + "limits: {tool_turns: many}\n", "limits:", "limits.tool_turns", `want a whole number, got a string "many"`},
		{"limit float", minimal + "limits: {tool_turns: 2.5}\n", "limits:", "limits.tool_turns", `want a whole number, got a number "2.5"`},
		{"limit huge", minimal + "limits: {context_tokens: 99999999999999999999}\n", "limits:", "limits.context_tokens", "out of range"},
		{"duration unitless", minimal + "limits: {wall_time: 300}\n", "limits:", "limits.wall_time", `"300" has no unit`},
		{"duration garbage", minimal + "limits: {wall_time: soon}\n", "limits:", "limits.wall_time", `"soon" is not a duration`},
		{"duration negative", minimal + "limits: {command_timeout: -1m}\n", "limits:", "limits.command_timeout", "is not positive"},
		{"digest over context", minimal + "limits: {context_tokens: 1000}\n", "limits:", "limits.digest_tokens", "1500 is not below context_tokens 1000"},
		{"command over wall", minimal + "limits: {wall_time: 1m}\n", "limits:", "limits.command_timeout", "2m is longer than wall_time 1m"},
		{"isolation", minimal + "isolation: docker\n", "isolation:", "isolation", `"docker" is not an isolation mode (want auto, process or bwrap)`},
		{"merge key", minimal + "limits:\n  <<: {tool_turns: 3}\n", "<<", "limits", "merge keys (<<) are not supported"},
		{"custom tag", edit(minimal, "goal: g", "goal: !env GOAL"), "goal:", "goal", "custom tag !env is not supported"},
		{"unknown alias", edit(minimal, "goal: g", "goal: *nothing"), "goal:", "goal", ""},
		{"syntax", minimal + "limits: [1,\n", "limits:", "", "YAML syntax"},
		{"duplicate key", minimal + "name: b\n", "name: b", "", "YAML syntax: mapping key \"name\" already defined"},
		{"not a mapping", "- a\n- b\n", "- a", "", "want a mapping, got a list"},
		{"empty", "", "", "", "file is empty"},
		{"comments only", "# nothing\n", "", "", "file is empty"},
		{"two documents", minimal + "---\nname: b\n", "name: b", "", "a second YAML document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.ParseAgent("x.yaml", []byte(c.src), dir)
			ps := problemsOf(t, err)
			wantLine := 1
			if c.at != "" {
				i := strings.Index(c.src, c.at)
				if i < 0 {
					t.Fatalf("bad case: %q not in source", c.at)
				}
				wantLine = strings.Count(c.src[:i], "\n") + 1
			}
			if c.src == "" || strings.TrimSpace(strings.TrimPrefix(c.src, "# nothing")) == "" {
				wantLine = 0
			}
			for _, p := range ps {
				if p.Field == c.field && strings.Contains(p.Message, c.substr) {
					if p.Line != wantLine {
						t.Errorf("problem %q on line %d, want %d", p, p.Line, wantLine)
					}
					if p.File != "x.yaml" || !strings.HasPrefix(p.String(), fmt.Sprintf("x.yaml:%d: ", p.Line)) && p.Line != 0 {
						t.Errorf("problem %q does not start with x.yaml:%d", p, p.Line)
					}
					return
				}
			}
			t.Errorf("no problem with field %q containing %q in:\n%v", c.field, c.substr, err)
		})
	}
}

func edit(src, old, new string) string {
	if !strings.Contains(src, old) {
		panic("edit: " + old + " not in source")
	}
	return strings.Replace(src, old, new, 1)
}

// TestAgentManyProblems compares the whole report of a file with many
// mistakes against a golden file: all reported, one per line, in line
// order, each naming the file, the line and the field.
func TestAgentManyProblems(t *testing.T) {
	_, err := config.LoadAgent("testdata/agents/bad.yaml")
	ps := problemsOf(t, err)
	if len(ps) < 15 {
		t.Errorf("%d problems, want every one of the file's mistakes", len(ps))
	}
	dir, _ := filepath.Abs("testdata/agents")
	got := strings.ReplaceAll(err.Error(), dir, "$DIR") + "\n"
	golden := "testdata/agents/bad.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s (run with -update after checking):\n%s", golden, got)
	}
	last := 0
	for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
		var n int
		if _, err := fmt.Sscanf(line, "testdata/agents/bad.yaml:%d:", &n); err != nil {
			t.Errorf("line %q does not start with file:line", line)
		}
		if n < last {
			t.Errorf("line %q out of order", line)
		}
		last = n
	}
}

func TestAgentProblemsCapped(t *testing.T) {
	dir := agentDir(t)
	var b strings.Builder
	b.WriteString(minimal)
	for i := range 30 {
		fmt.Fprintf(&b, "extra%d: 1\n", i)
	}
	_, err := config.ParseAgent("x.yaml", []byte(b.String()), dir)
	ps := problemsOf(t, err)
	if len(ps) != 20 {
		t.Errorf("%d problems listed, want 20", len(ps))
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 21 || lines[20] != "x.yaml: … and 10 more problems" {
		t.Errorf("last line %q of %d", lines[len(lines)-1], len(lines))
	}
}

func TestAnchorsAndAliases(t *testing.T) {
	dir := agentDir(t)
	src := `name: a
goal: &g check the build
workspace: repo
budget: {run: &cap 1.5, day: *cap}
brains:
  planner: &m deepseek/deepseek-chat
  worker: [ollama/qwen, *m]
verify:
  - contains: *g
`
	a, err := config.ParseAgent("x.yaml", []byte(src), dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Budget.Day != 1_500_000 || a.Budget.Run != 1_500_000 {
		t.Errorf("budget %+v", a.Budget)
	}
	if got := a.Brains["worker"]; len(got) != 2 || got[1] != "deepseek/deepseek-chat" {
		t.Errorf("worker %v", got)
	}
	if a.Verify[0].Contains != "check the build" {
		t.Errorf("gate %+v", a.Verify[0])
	}
}

func TestLoadAgentMissing(t *testing.T) {
	_, err := config.LoadAgent(filepath.Join(t.TempDir(), "none.yaml"))
	if code := frugal.ErrorCode(err); code != frugal.ENOTFOUND {
		t.Fatalf("code %q (%v), want %q", code, err, frugal.ENOTFOUND)
	}
	if !strings.Contains(err.Error(), "none.yaml does not exist") {
		t.Errorf("error %v", err)
	}
}

func TestParseAgentHomeWorkspace(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.Mkdir(filepath.Join(home, "code"), 0o755); err != nil {
		t.Fatal(err)
	}
	a, err := config.ParseAgent("x.yaml", []byte(edit(minimal, "workspace: repo", "workspace: ~/code")), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(filepath.Join(home, "code"))
	if a.Workspace != want {
		t.Errorf("workspace %q, want %q", a.Workspace, want)
	}
}

func TestCheckModel(t *testing.T) {
	dir := agentDir(t)
	src := edit(minimal, "brains: {planner: p/m, worker: w/m}", "brains:\n  planner: p/m\n  worker: [w/m, w/unpriced]\n")
	known := func(m frugal.ModelRef) error {
		if m == "w/unpriced" {
			return frugal.Errorf(frugal.ENOTFOUND, "unknown model %q", m)
		}
		return nil
	}
	_, err := config.ParseAgentWith("x.yaml", []byte(src), dir, config.AgentOptions{CheckModel: known})
	ps := problemsOf(t, err)
	if len(ps) != 1 || ps[0].String() != `x.yaml:7: brains.worker[1]: unknown model "w/unpriced"` {
		t.Errorf("problems %v", ps)
	}
	if _, err := config.ParseAgent("x.yaml", []byte(src), dir); err != nil {
		t.Errorf("without CheckModel: %v", err)
	}
}

func BenchmarkParseAgent(b *testing.B) {
	data, err := os.ReadFile("testdata/agents/good.yaml")
	if err != nil {
		b.Fatal(err)
	}
	dir, _ := filepath.Abs("testdata/agents")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := config.ParseAgent("good.yaml", data, dir); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUSD(t *testing.T) {
	for m, want := range map[frugal.Money]string{
		0: "$0", 500_000: "$0.50", 20 * frugal.Dollar: "$20", 1_234: "$0.001234", 1_250_000: "$1.25", -1_500_000: "-$1.50", 100_000: "$0.10",
	} {
		if got := config.USD(m); got != want {
			t.Errorf("USD(%d) = %q, want %q", m, got, want)
		}
	}
}
