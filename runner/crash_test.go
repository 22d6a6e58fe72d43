package runner_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/runner"
)

const crashPlan = `
rules:
  - when: {system_contains: "You are the planner"}
    reply:
      json:
        steps:
          - {id: s1, kind: work, title: "write a.txt", instructions: "write a.txt", verify: [{file_exists: a.txt}]}
          - {id: s2, kind: work, title: "write b.txt", instructions: "write b.txt", verify: [{file_exists: b.txt}]}
          - {id: s3, kind: mechanical, title: "join", command: "cat a.txt b.txt > c.txt"}
  - when: {model: "qwen*", user_contains: "Your step (1 of 3)", turn: 0}
    reply: {tool_calls: [{name: write_file, arguments: {path: a.txt, content: "A\n"}}]}
  - when: {model: "qwen*", user_contains: "Your step (2 of 3)", turn: 0}
    reply: {DELAY tool_calls: [{name: write_file, arguments: {path: b.txt, content: "B\n"}}]}
  - when: {turn: 1}
    reply: {text: "done"}
`

// TestCrashChild is the process TestSIGKILLMidRunThenResume kills: it runs
// an agent whose second step's call hangs.
func TestCrashChild(t *testing.T) {
	home, file := os.Getenv("FRUGAL_CRASH_HOME"), os.Getenv("FRUGAL_CRASH_AGENT")
	if home == "" {
		t.Skip("child process of TestSIGKILLMidRunThenResume")
	}
	h := newHarness(t, strings.Replace(crashPlan, "DELAY", "delay: 1h,", 1), harnessOptions{home: home})
	a, err := config.LoadAgent(file)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.r.Run(context.Background(), a)
	t.Fatalf("the run ended (%v) instead of hanging in step s2", err)
}

// A run killed with SIGKILL in the middle of a step resumes from its last
// completed step: the plan and the steps already done are not paid again.
func TestSIGKILLMidRunThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	home := t.TempDir()
	a := writeAgent(t, agentYAML("crash", "Write a.txt and b.txt, then join them.", "verify:\n  - file_exists: c.txt\n"), nil)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FRUGAL_CRASH_HOME="+home, "FRUGAL_CRASH_AGENT="+a.File)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until step s1 is done and s2's first attempt has begun.
	statePath := filepath.Join(home, "agents", "crash", "state.json")
	deadline := time.Now().Add(60 * time.Second)
	for {
		var st runner.State
		if data, err := os.ReadFile(statePath); err == nil && json.Unmarshal(data, &st) == nil &&
			len(st.Steps) == 3 && st.Steps[0].Status == runner.StepDone && st.Steps[1].Try.Attempt == 1 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child never reached step s2:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the s2 call reach the sim
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	h := newHarness(t, strings.Replace(crashPlan, "DELAY", "", 1), harnessOptions{home: home})
	planBefore := h.srv.Calls()
	sum, err := h.r.Run(context.Background(), a)
	if err != nil || sum.Status != runner.StatusDone || !sum.Resumed {
		t.Fatalf("resume: status %s, resumed %v, err %v: %s", sum.Status, sum.Resumed, err, sum.Error)
	}
	if len(planBefore) != 0 {
		t.Fatalf("fresh sim already has calls")
	}
	for _, c := range h.srv.Calls() {
		body := string(c.Body)
		if strings.Contains(body, "You are the planner") {
			t.Errorf("the plan was requested again after the crash")
		}
		if strings.Contains(body, "Your step (1 of 3)") {
			t.Errorf("step s1 was run again after the crash")
		}
	}
	if n := stepCalls(t, h.db, sum.RunID, "plan"); n != 1 {
		t.Errorf("plan paid %d times", n)
	}
	if n := stepCalls(t, h.db, sum.RunID, "s1"); n != 2 {
		t.Errorf("s1 paid for %d calls, want its 2 from before the crash", n)
	}
	mustContain(t, readFile(t, filepath.Join(a.Workspace, "c.txt")), "A\nB\n")
}
