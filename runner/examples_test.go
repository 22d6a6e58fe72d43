package runner_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/examples"
	"github.com/frugal-dev/frugal/runner"
)

// TestExamples runs the shipped examples end to end through the sim, as
// `frugal demo` does, and checks the behaviour each one exists to show.
func TestExamples(t *testing.T) {
	raw, err := examples.Cassette()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, string(raw), harnessOptions{})
	dir := t.TempDir()
	if err := examples.CopyTo(dir); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	load := func(name string) *frugal.Agent {
		a, err := config.LoadAgent(filepath.Join(dir, name, "agent.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	t.Run("fix-failing-test: one failed verify, then fixed with the feedback", func(t *testing.T) {
		a := load("fix-failing-test")
		sum, err := h.r.Run(ctx, a)
		if err != nil || sum.Status != runner.StatusDone {
			t.Fatalf("status %s, err %v: %+v", sum.Status, err, sum)
		}
		st := loadState(t, h.home, a.Name)
		if got := st.Steps[0]; got.Tier != "worker" || got.Try.Attempt != 2 || got.Try.Rung != 0 {
			t.Errorf("step accepted as %+v, want the worker's 2nd attempt", got)
		}
		mustContain(t, readFile(t, filepath.Join(a.Workspace, "calc.sh")), "echo $(($1 + $2))")
		// The second attempt's first request carried the failing check.
		tr := transcript(t, h.home, a.Name, sum.RunID)
		var firsts []string
		for _, e := range tr {
			if e.Event == "call" && e.Data.Step == "fix-add" && e.Data.Turn == 0 {
				firsts = append(firsts, e.Data.Request.Messages[0].Content)
			}
		}
		if len(firsts) != 2 {
			t.Fatalf("%d first turns of fix-add, want 2", len(firsts))
		}
		if strings.Contains(firsts[0], "FAIL add 2 3") || !strings.Contains(firsts[1], "FAIL add 2 3: got 1, want 5") {
			t.Errorf("feedback not carried to the second attempt only:\n1st: %s\n2nd: %s", firsts[0], firsts[1])
		}
		if sum.ByTier["judge"].Calls != 0 {
			t.Errorf("the judge was called %d times", sum.ByTier["judge"].Calls)
		}
	})

	t.Run("escalate: the worker fails twice, the judge tier does the step", func(t *testing.T) {
		a := load("escalate")
		sum, err := h.r.Run(ctx, a)
		if err != nil || sum.Status != runner.StatusDone {
			t.Fatalf("status %s, err %v: %+v", sum.Status, err, sum)
		}
		st := loadState(t, h.home, a.Name)
		if got := st.Steps[0]; got.Tier != "judge" || got.Try.Rung != 1 {
			t.Errorf("step accepted as %+v, want rung 1 (judge)", got)
		}
		mustContain(t, decisions(t, h.home, a.Name), "escalated worker -> judge after 2 failed attempts")
		if sum.ByTier["judge"].Calls == 0 || sum.ByTier["worker"].Calls < 4 {
			t.Errorf("by tier %+v: want ≥4 worker calls and some judge calls", sum.ByTier)
		}
	})

	t.Run("release-check: a mechanical step with no model, a judgment call", func(t *testing.T) {
		a := load("release-check")
		before := h.srv.Requests().Requests
		sum, err := h.r.Run(ctx, a)
		if err != nil || sum.Status != runner.StatusDone {
			t.Fatalf("status %s, err %v: %+v", sum.Status, err, sum)
		}
		if n := stepCalls(t, h.db, sum.RunID, "changelog"); n != 0 {
			t.Errorf("the mechanical step made %d model calls", n)
		}
		if n := stepCalls(t, h.db, sum.RunID, "ready"); n != 1 {
			t.Errorf("the judgment step made %d calls, want 1", n)
		}
		// plan + judgment + digest: nothing else reached a provider.
		if got := h.srv.Requests().Requests - before; got != 3 {
			t.Errorf("%d requests reached the sim, want 3", got)
		}
		mustContain(t, readFile(t, filepath.Join(a.Workspace, "CHANGELOG.md")), "## 1.4.0", "- fix: count_words counted lines")
		st := loadState(t, h.home, a.Name)
		if st.Steps[0].Tier != "mechanical" || !strings.HasPrefix(st.Steps[1].Output, "READY") {
			t.Errorf("steps: %+v", st.Steps)
		}
	})

	t.Run("deferred: the cap defers the run, resume finishes it without re-planning", func(t *testing.T) {
		a := load("deferred")
		workerReqs := func() int {
			n := 0
			for _, c := range h.srv.Calls() {
				if c.Model == "deepseek-v4-flash" && strings.Contains(string(c.Body), "Write report.md") {
					n++
				}
			}
			return n
		}
		sum, err := h.r.Run(ctx, a)
		if err != nil || sum.Status != runner.StatusDeferred {
			t.Fatalf("status %s, err %v: %+v", sum.Status, err, sum)
		}
		d := sum.Deferral
		if d == nil || d.Limit != a.Budget.Run || d.Spent+d.Reserved+d.Requested <= d.Limit || !strings.Contains(d.Cap, "run cap") {
			t.Fatalf("deferral %+v", d)
		}
		if n := workerReqs(); n != 0 {
			t.Fatalf("the denied worker call reached the sim %d times", n)
		}
		if sum.ByTier["planner"].Calls != 1 {
			t.Fatalf("by tier %+v", sum.ByTier)
		}
		// Resuming under the same cap defers again at once, with no call.
		sum2, err := h.r.Resume(ctx, a, sum.RunID)
		if err != nil || sum2.Status != runner.StatusDeferred || sum2.Calls != 1 {
			t.Fatalf("second try: status %s, calls %d, err %v", sum2.Status, sum2.Calls, err)
		}
		a.Budget.Run = 5 * frugal.Cent
		sum3, err := h.r.Resume(ctx, a, sum.RunID)
		if err != nil || sum3.Status != runner.StatusDone || !sum3.Resumed {
			t.Fatalf("after raising the cap: status %s, err %v: %s", sum3.Status, err, sum3.Error)
		}
		if n := stepCalls(t, h.db, sum.RunID, "plan"); n != 1 {
			t.Errorf("the plan was paid %d times", n)
		}
		mustContain(t, readFile(t, filepath.Join(a.Workspace, "report.md")), "Total: 60")
		mustContain(t, decisions(t, h.home, a.Name), "deferred by agent \"deferred\"/run cap")
	})

	t.Run("every session's input is prefix + digest + the step's material", func(t *testing.T) {
		for _, name := range examples.Names {
			st := loadState(t, h.home, name)
			for _, e := range transcript(t, h.home, name, st.RunID) {
				if e.Event != "call" {
					continue
				}
				msgs := e.Data.Request.Messages
				if len(msgs) == 0 || msgs[0].Role != frugal.RoleUser {
					t.Fatalf("%s: call without material: %+v", name, e.Data.Request)
				}
				first := msgs[0].Content
				switch e.Data.Step {
				case "plan":
					mustContain(t, first, "# Goal", "# Workspace files")
				case "digest":
					mustContain(t, first, "# Old digest", "# This run's log")
				default:
					mustContain(t, first, "# Goal", "# Your step")
					// Never another step's material, never an earlier transcript.
					for _, s := range st.Plan.Steps {
						if s.ID != e.Data.Step && strings.Contains(first, "# Your step") && strings.Contains(first, s.Instructions) && s.Instructions != "" {
							t.Errorf("%s: step %s's session carries step %s's instructions", name, e.Data.Step, s.ID)
						}
					}
				}
				if got := len(msgs); got > 2*8+1 {
					t.Errorf("%s: %d messages in one call", name, got)
				}
			}
		}
	})
}

// loadState reads an agent's state.json.
func loadState(t *testing.T, home, agent string) runner.State {
	t.Helper()
	var st runner.State
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(home, "agents", agent, "state.json"))), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

type event struct {
	Event string `json:"event"`
	Data  struct {
		Step    string         `json:"step"`
		Turn    int            `json:"turn"`
		Request frugal.Request `json:"request"`
		Name    string         `json:"name"`
		Result  struct {
			Text    string `json:"text"`
			IsError bool   `json:"is_error"`
		} `json:"result"`
	} `json:"data"`
}

// transcript reads runs/<id>.jsonl.
func transcript(t *testing.T, home, agent, runID string) []event {
	t.Helper()
	data := readFile(t, filepath.Join(home, "agents", agent, "runs", runID+".jsonl"))
	var out []event
	for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
		var e event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("transcript line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

var _ = os.Getenv
