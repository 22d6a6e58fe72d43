package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/runner"
	"github.com/frugal-dev/frugal/sim"
)

// An invalid plan is a failed gate: retried with the validation error as
// feedback, then escalated up the ladder.
func TestPlanSchemaFailureRetriesThenEscalates(t *testing.T) {
	cas := `
rules:
  - when: {system_contains: "You are the planner", model: "deepseek*"}
    reply: {json: {steps: [{id: "Bad Id!", kind: work, title: "t"}]}}
  - when: {system_contains: "You are the planner", model: "claude-*"}
    reply:
      json: {steps: [{id: touch, kind: mechanical, title: "create done.txt", command: "echo ok > done.txt"}]}
`
	h := newHarness(t, cas, harnessOptions{})
	a := writeAgent(t, agentYAML("plans", "Create done.txt.", "verify:\n  - file_exists: done.txt\n"), nil)
	sum, err := h.r.Run(context.Background(), a)
	if err != nil || sum.Status != runner.StatusDone {
		t.Fatalf("status %s, err %v", sum.Status, err)
	}
	if got := sum.ByTier["planner"].Calls; got != 2 {
		t.Errorf("planner calls %d, want 2 (attempts_per_rung)", got)
	}
	if got := sum.ByTier["judge"].Calls; got != 1 {
		t.Errorf("judge calls %d, want 1 (the escalated plan)", got)
	}
	var plans []string
	for _, e := range transcript(t, h.home, a.Name, sum.RunID) {
		if e.Event == "call" && e.Data.Step == "plan" {
			plans = append(plans, e.Data.Request.Messages[0].Content)
		}
	}
	if len(plans) != 3 || strings.Contains(plans[0], "rejected") || !strings.Contains(plans[1], "Your previous plan was rejected") || !strings.Contains(plans[1], "id must match") {
		t.Errorf("plan requests do not carry the validation feedback: %q", plans)
	}
	mustContain(t, decisions(t, h.home, a.Name), "planning escalated to judge after 2 invalid plans")
}

// A plan that never validates fails the run with the evidence.
func TestPlanNeverValidFails(t *testing.T) {
	cas := `
rules:
  - when: {system_contains: "You are the planner"}
    reply: {text: "I think we should just do it."}
`
	h := newHarness(t, cas, harnessOptions{})
	a := writeAgent(t, agentYAML("noplan", "Anything.", ""), nil)
	sum, err := h.r.Run(context.Background(), a)
	if err != nil || sum.Status != runner.StatusFailed {
		t.Fatalf("status %s, err %v", sum.Status, err)
	}
	mustContain(t, sum.Error, "no valid plan", "not JSON")
}

// Tools refuse every way out of the workspace, and the model is told so.
func TestPathEscapesRefused(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside.txt")
	cas := `
rules:
  - when: {system_contains: "You are the planner"}
    reply: {json: {steps: [{id: escape, kind: work, title: "try to escape", instructions: "read outside"}]}}
  - when: {model: "qwen*", turn: 0}
    reply:
      tool_calls:
        - {name: read_file, arguments: {path: "../../../../etc/passwd"}}
        - {name: read_file, arguments: {path: "/etc/passwd"}}
        - {name: write_file, arguments: {path: "` + outside + `", content: "pwned"}}
        - {name: write_file, arguments: {path: "link/pwned.txt", content: "pwned"}}
        - {name: run_command, arguments: {command: "cat /proc/self/environ | tr '\\0' '\\n' > env.txt"}}
  - when: {turn: 1}
    reply: {text: "done"}
`
	h := newHarness(t, cas, harnessOptions{})
	a := writeAgent(t, agentYAML("escape", "Try to get out.", "verify:\n  - file_exists: env.txt\n"), nil)
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(a.Workspace, "link")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPENAI_API_KEY", "sk-test-must-not-leak-1234567890")
	t.Setenv("FRUGAL_SECRET_TOKEN", "frugal-secret-must-not-leak")
	sum, err := h.r.Run(context.Background(), a)
	if err != nil || sum.Status != runner.StatusDone {
		t.Fatalf("status %s, err %v", sum.Status, err)
	}
	refused := 0
	for _, e := range transcript(t, h.home, a.Name, sum.RunID) {
		if e.Event == "tool" && e.Data.Name != "run_command" {
			if !e.Data.Result.IsError {
				t.Errorf("tool %s was not refused: %s", e.Data.Name, e.Data.Result.Text)
			}
			refused++
		}
	}
	if refused != 4 {
		t.Errorf("%d refusals, want 4", refused)
	}
	for _, p := range []string{outside, filepath.Join(filepath.Dir(outside), "pwned.txt")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written outside the workspace", p)
		}
	}
	env := readFile(t, filepath.Join(a.Workspace, "env.txt"))
	for _, secret := range []string{"sk-test-must-not-leak", "OPENAI_API_KEY", "frugal-secret-must-not-leak", "FRUGAL_"} {
		if strings.Contains(env, secret) {
			t.Errorf("%q reached the tool's environment", secret)
		}
	}
}

// A mechanical command that hangs is killed at its timeout, children
// included, and fails the run with the evidence.
func TestHangingCommandKilledAtTimeout(t *testing.T) {
	cas := `
rules:
  - when: {system_contains: "You are the planner"}
    reply: {json: {steps: [{id: hang, kind: mechanical, title: "hang", command: "sleep 300 & echo started; sleep 300"}]}}
`
	h := newHarness(t, cas, harnessOptions{})
	a := writeAgent(t, agentYAML("hang", "Hang.", "limits: { command_timeout: 1s }\n"), nil)
	start := time.Now()
	sum, err := h.r.Run(context.Background(), a)
	if err != nil || sum.Status != runner.StatusFailed {
		t.Fatalf("status %s, err %v", sum.Status, err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the run took %s: the command was not killed at its timeout", d)
	}
	mustContain(t, sum.Error, "mechanical step hang", "timed out", "started")
	out, _ := os.ReadFile("/proc/self/stat") // keep the check Linux-only below
	if len(out) > 0 {
		if pids := sleepers(t); len(pids) > 0 {
			t.Errorf("sleep 300 still running: %v", pids)
		}
	}
}

// sleepers lists processes running "sleep 300".
func sleepers(t *testing.T) []string {
	t.Helper()
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Join(strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00"), " ") == "sleep 300" {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// However long a step's tool loop runs, no worker call carries more than
// context_tokens of input: the session rolls over instead.
func TestWorkerInputStaysWithinContextTokens(t *testing.T) {
	big := strings.Repeat("line of a big file that the worker keeps reading again and again\n", 600)
	cas := `
rules:
  - when: {system_contains: "You are the planner"}
    reply: {json: {steps: [{id: read, kind: work, title: "read a lot", instructions: "read big.txt many times"}]}}
  - when: {model: "qwen*", has_tool: read_file}
    times: 30
    reply:
      tool_calls: [{name: read_file, arguments: {path: big.txt}}]
  - when: {model: "qwen*"}
    reply: {text: "done reading"}
`
	h := newHarness(t, cas, harnessOptions{})
	const limit = 2500
	a := writeAgent(t, agentYAML("reader", "Read big.txt.", "limits: { context_tokens: 2500, digest_tokens: 300, tool_turns: 40, max_output: 1024 }\n"), map[string]string{"big.txt": big})
	sum, err := h.r.Run(context.Background(), a)
	if err != nil || sum.Status != runner.StatusDone {
		t.Fatalf("status %s, err %v", sum.Status, err)
	}
	workerCalls, rolled := 0, 0
	for _, c := range h.srv.Calls() {
		if !strings.HasPrefix(c.Model, "qwen") {
			continue
		}
		workerCalls++
		if in := c.Usage.InputTotal(); in > limit {
			t.Errorf("a worker call read %d input tokens, over context_tokens %d", in, limit)
		}
	}
	for _, e := range transcript(t, h.home, a.Name, sum.RunID) {
		if e.Event == "rollover" {
			rolled++
		}
	}
	if workerCalls < 31 || rolled == 0 {
		t.Errorf("%d worker calls, %d rollovers: the test did not exercise the limit", workerCalls, rolled)
	}
}

// A run that outlives its wall time fails, and says so.
func TestWallTimeExceeded(t *testing.T) {
	cas := `
rules:
  - when: {system_contains: "You are the planner"}
    reply: {json: {steps: [{id: slow, kind: work, title: "slow", instructions: "think slowly"}]}}
  - when: {model: "qwen*", user_contains: "think slowly"}
    reply: {text: "too late", delay: 1m}
`
	h := newHarness(t, cas, harnessOptions{})
	a := writeAgent(t, agentYAML("slow", "Be slow.", "limits: { wall_time: 1s, command_timeout: 1s }\n"), nil)
	start := time.Now()
	sum, err := h.r.Run(context.Background(), a)
	if sum.Status != runner.StatusFailed || !strings.Contains(sum.Error, "wall time of 1s exceeded") {
		t.Fatalf("status %s, error %q, err %v", sum.Status, sum.Error, err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the run took %s", d)
	}
	// The call cut by the deadline is still accounted, conservatively.
	rows, total, err := h.db.Spend(context.Background(), frugal.SpendFilter{Run: sum.RunID})
	_ = rows
	if err != nil || total.Calls < 2 {
		t.Fatalf("calls %d, err %v: the cut call was not recorded", total.Calls, err)
	}
}

// When no provider of a tier answers, the run stops resumable: the failed
// attempt does not count, and a later run continues without re-planning.
func TestProviderDownLeavesTheRunResumable(t *testing.T) {
	cas := `
rules:
  - when: {system_contains: "You are the planner"}
    reply: {json: {steps: [{id: write, kind: work, title: "write done.txt", instructions: "write done.txt", verify: [{file_exists: done.txt}]}]}}
  - when: {model: "qwen*", turn: 0}
    reply: {tool_calls: [{name: write_file, arguments: {path: done.txt, content: "ok"}}]}
  - when: {turn: 1}
    reply: {text: "done"}
`
	h := newHarness(t, cas, harnessOptions{})
	h.srv.Inject(sim.Fault{Kind: sim.FaultServerError, Model: "qwen*", Times: 3})
	a := writeAgent(t, agentYAML("down", "Write done.txt.", ""), nil)
	sum, err := h.r.Run(context.Background(), a)
	if frugal.ErrorCode(err) != frugal.EUNAVAILABLE || sum.Status != runner.StatusFailed || !sum.Resumable {
		t.Fatalf("status %s, resumable %v, err %v", sum.Status, sum.Resumable, err)
	}
	st := loadState(t, h.home, a.Name)
	if st.Status != runner.StatusRunning || st.Steps[0].Try.Attempt != 0 {
		t.Fatalf("state %s, attempt %d: want running with the attempt not counted", st.Status, st.Steps[0].Try.Attempt)
	}
	sum, err = h.r.Run(context.Background(), a)
	if err != nil || sum.Status != runner.StatusDone || !sum.Resumed {
		t.Fatalf("second run: status %s, resumed %v, err %v", sum.Status, sum.Resumed, err)
	}
	if n := stepCalls(t, h.db, sum.RunID, "plan"); n != 1 {
		t.Errorf("plan paid %d times", n)
	}
}
