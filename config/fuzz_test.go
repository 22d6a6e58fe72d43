package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/config"
)

// seeds returns the testdata files with the given suffix, to start fuzzing
// from real files.
func seeds(f *testing.F, glob string) {
	paths, _ := filepath.Glob(glob)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkErr asserts what every error must be: EINVALID with problems, each
// line naming the file.
func checkErr(t *testing.T, err error, file string) {
	t.Helper()
	if code := frugal.ErrorCode(err); code != frugal.EINVALID {
		t.Fatalf("code %q: %v", code, err)
	}
	var ps *config.Problems
	if !errors.As(err, &ps) || len(ps.List) == 0 {
		t.Fatalf("no problems in %v", err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, file+":") {
			t.Fatalf("line %q does not name the file", line)
		}
	}
}

func FuzzParseAgent(f *testing.F) {
	seeds(f, "testdata/agents/*.yaml")
	f.Add([]byte(minimal))
	f.Add([]byte("name: a\ngoal: &g x\nworkspace: repo\nbudget: {run: *g}\nbrains: {planner: [p/m, q/n], worker: *g}\nladder: [worker]\nverify: [{run: x, timeout: 1m}, {regex: '^a'}]\n"))
	f.Add([]byte("limits: {<<: *a}\nschedule: TZ=UTC\n"))
	dir := agentDir(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := config.ParseAgent("fuzz.yaml", data, dir)
		if err != nil {
			checkErr(t, err, "fuzz.yaml")
			return
		}
		// A file that parses is a usable agent.
		if !config.ValidName(a.Name) || a.Goal == "" || a.Workspace == "" {
			t.Fatalf("accepted agent %+v", a)
		}
		if a.Brains["planner"] == nil || a.Brains["worker"] == nil || len(a.Ladder) == 0 {
			t.Fatalf("accepted brains %v ladder %v", a.Brains, a.Ladder)
		}
		for _, rung := range a.Ladder {
			if len(a.Brains[rung]) == 0 {
				t.Fatalf("rung %q has no brain", rung)
			}
		}
		for _, g := range a.Verify {
			if g.Kind() == "" {
				t.Fatalf("accepted gate %+v", g)
			}
		}
		l := a.Limits
		if l.AttemptsPerRung <= 0 || l.ContextTokens <= 0 || l.DigestTokens <= 0 || l.ToolTurns <= 0 ||
			l.MaxOutput <= 0 || l.WallTime <= 0 || l.CommandTimeout <= 0 {
			t.Fatalf("accepted limits %+v", l)
		}
		if a.Budget.Run < 0 || a.Budget.Day < 0 || a.Budget.Month < 0 || len(a.Budgets()) == 0 {
			t.Fatalf("accepted budget %+v", a.Budget)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	seeds(f, "testdata/config/*.yaml")
	f.Add([]byte("providers:\n  x:\n    api_key: sk-123\n    headers: {a: b}\nbudgets: [{scope: run, name: r, window: total, limit: 1}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse("fuzz.yaml", data)
		if err != nil {
			checkErr(t, err, "fuzz.yaml")
			return
		}
		if c.Providers == nil || c.Defaults.MaxOutput <= 0 || c.Defaults.Lease <= 0 {
			t.Fatalf("accepted config %+v", c)
		}
		for _, b := range c.Budgets {
			if err := b.Validate(); err != nil {
				t.Fatalf("accepted budget %v: %v", b, err)
			}
		}
	})
}
