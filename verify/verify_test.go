package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
	"github.com/frugal-dev/frugal/verify"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fixture is a workspace with a schema, JSON files and text files, beside
// an outside directory holding a file the gates must never read.
func fixture(t testing.TB) (*tool.Workspace, string) {
	t.Helper()
	parent, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(parent, "ws")
	files := map[string]string{
		"schema.json":          `{"type":"object","required":["name","items"],"properties":{"name":{"type":"string","minLength":3},"items":{"type":"array","items":{"$ref":"defs/item.json"}}}}`,
		"defs/item.json":       `{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":false}`,
		"badschema.json":       `{"type":"objekt"}`,
		"notjson.json":         "{\n  \"type\": \"object\",\n  oops\n}",
		"escape.json":          `{"$ref":"../outside/item.json"}`,
		"remote.json":          `{"$ref":"https://example.com/schema.json"}`,
		"good.json":            `{"name":"frugal","items":[{"id":1},{"id":2}]}`,
		"bad.json":             `{"name":"ab","items":[{"id":"x"},{"id":2,"extra":true}]}`,
		"report.txt":           "build ok\ntests: 42 passed, 0 failed\nPASS\n",
		"out/result.txt":       "done\n",
		"../outside/item.json": `{}`,
		"../outside/secret":    "PASS secret",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../outside/secret", filepath.Join(root, "link-out")); err != nil {
		t.Fatal(err)
	}
	ws, err := tool.NewWorkspace(root, tool.Options{Isolation: frugal.IsolationProcess})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws, root
}

type gateCase struct {
	name   string
	gate   frugal.Gate
	output string
	pass   bool
	want   []string // in the feedback
}

func runCases(t *testing.T, ws *tool.Workspace, cases []gateCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := verify.Check(context.Background(), ws, c.gate, verify.Input{Output: c.output})
			if r.Passed != c.pass {
				t.Errorf("Passed = %v, want %v; feedback:\n%s", r.Passed, c.pass, r.Feedback)
			}
			if r.Gate != c.gate {
				t.Errorf("result names gate %+v", r.Gate)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Feedback, w) {
					t.Errorf("feedback lacks %q:\n%s", w, r.Feedback)
				}
			}
			if len(r.Feedback) > verify.DefaultMaxFeedback+64 {
				t.Errorf("feedback is %d bytes", len(r.Feedback))
			}
		})
	}
}

func TestRunGate(t *testing.T) {
	ws, _ := fixture(t)
	runCases(t, ws, []gateCase{
		{"exit 0", frugal.Gate{Run: "echo fine"}, "", true, []string{"$ echo fine", "exit code 0"}},
		{"exit 1", frugal.Gate{Run: "echo first; echo 'FAIL: TestX' >&2; exit 1"}, "", false,
			[]string{"$ echo first", "exit code 1 after", "the end of its output:", "first\nFAIL: TestX"}},
		{"silent failure", frugal.Gate{Run: "exit 3"}, "", false, []string{"exit code 3", "(no output)"}},
		{"timeout", frugal.Gate{Run: "echo slow; sleep 30", Timeout: 300 * time.Millisecond}, "", false,
			[]string{"timed out after", "killed", "slow"}},
		// A long test run: the feedback is its end, where the summary is.
		{"long output", frugal.Gate{Run: "seq 1 200000; echo SUMMARY: 3 failed; exit 1"}, "", false,
			[]string{"bytes before this", "200000\nSUMMARY: 3 failed\n"}},
		{"runs in the workspace", frugal.Gate{Run: "test -f schema.json"}, "", true, nil},
	})
}

func TestSchemaGate(t *testing.T) {
	ws, _ := fixture(t)
	runCases(t, ws, []gateCase{
		{"file valid", frugal.Gate{JSONSchema: "schema.json", File: "good.json"}, "", true, []string{"good.json is valid against schema.json"}},
		{"file invalid", frugal.Gate{JSONSchema: "schema.json", File: "bad.json"}, "", false,
			[]string{"bad.json does not satisfy schema.json", "'/name'", "minLength", "'/items/0/id'", "got string, want integer", "'/items/1'", "'extra' not allowed"}},
		{"output valid", frugal.Gate{JSONSchema: "schema.json"}, `{"name":"abc","items":[]}`, true, nil},
		{"output in a fence", frugal.Gate{JSONSchema: "schema.json"}, "```json\n{\"name\":\"abc\",\"items\":[]}\n```\n", true, nil},
		{"output missing field", frugal.Gate{JSONSchema: "schema.json"}, `{"name":"abc"}`, false, []string{"the step output does not satisfy", "missing property 'items'"}},
		{"output not JSON", frugal.Gate{JSONSchema: "schema.json"}, "{\n\"name\": abc}", false, []string{"not valid JSON", "line 2"}},
		{"output empty", frugal.Gate{JSONSchema: "schema.json"}, "  ", false, []string{"is empty"}},
		{"schema invalid", frugal.Gate{JSONSchema: "badschema.json", File: "good.json"}, "", false, []string{"schema badschema.json does not compile", "metaschema"}},
		{"schema not JSON", frugal.Gate{JSONSchema: "notjson.json", File: "good.json"}, "", false, []string{"does not compile", "not valid JSON", "line 3"}},
		{"schema missing", frugal.Gate{JSONSchema: "nope.json", File: "good.json"}, "", false, []string{"nope.json does not exist"}},
		{"schema ref outside", frugal.Gate{JSONSchema: "escape.json", File: "good.json"}, "", false, []string{"does not compile", "refused"}},
		{"schema ref remote", frugal.Gate{JSONSchema: "remote.json", File: "good.json"}, "", false, []string{"does not compile", "https://example.com/schema.json"}},
		{"target missing", frugal.Gate{JSONSchema: "schema.json", File: "none.json"}, "", false, []string{"cannot read none.json", "does not exist"}},
	})
}

func TestRegexAndContainsGates(t *testing.T) {
	ws, _ := fixture(t)
	runCases(t, ws, []gateCase{
		{"regex file", frugal.Gate{Regex: `tests: \d+ passed, 0 failed`, File: "report.txt"}, "", true, []string{"report.txt matches", "line 2"}},
		{"regex file miss", frugal.Gate{Regex: `^PASS$`, File: "report.txt"}, "", false,
			[]string{"report.txt does not match the regular expression \"^PASS$\"", "reads:\nbuild ok"}},
		{"regex multiline", frugal.Gate{Regex: `(?m)^PASS$`, File: "report.txt"}, "", true, []string{"line 3"}},
		{"regex output", frugal.Gate{Regex: `(?i)done`}, "All DONE.", true, []string{"the step output matches"}},
		{"regex output empty", frugal.Gate{Regex: `x`}, "", false, []string{"the step output is empty"}},
		{"regex bad", frugal.Gate{Regex: `(`}, "x", false, []string{"does not compile", "RE2"}},
		{"contains file", frugal.Gate{Contains: "done", File: "out/result.txt"}, "", true, nil},
		{"contains file miss", frugal.Gate{Contains: "FAIL", File: "report.txt"}, "", false, []string{`report.txt does not contain "FAIL"`, "tests: 42 passed"}},
		{"contains output", frugal.Gate{Contains: "ok"}, "it went ok", true, nil},
		{"contains output miss", frugal.Gate{Contains: "ok"}, strings.Repeat("long output line\n", 10000) + "the end", false,
			[]string{"does not contain", "(170007 bytes)", "bytes elided", "the end"}},
	})
}

func TestFileGates(t *testing.T) {
	ws, root := fixture(t)
	snap, err := verify.TakeSnapshot(ws, []string{"report.txt", "new.txt", "out", "same.txt", "gone.txt"})
	if err != nil {
		t.Fatal(err)
	}
	// The step's work: change a file, create one, change a directory's
	// content, delete one.
	os.WriteFile(filepath.Join(root, "report.txt"), []byte("changed\n"), 0o644)
	os.WriteFile(filepath.Join(root, "new.txt"), []byte("new\n"), 0o644)
	os.WriteFile(filepath.Join(root, "out", "extra.txt"), []byte("x"), 0o644)
	in := verify.Input{Snapshot: snap}
	for _, c := range []gateCase{
		{"exists", frugal.Gate{FileExists: "good.json"}, "", true, []string{"good.json exists"}},
		{"exists dir", frugal.Gate{FileExists: "out"}, "", true, []string{"a directory"}},
		{"exists missing", frugal.Gate{FileExists: "missing.txt"}, "", false, []string{"missing.txt does not exist"}},
		{"changed", frugal.Gate{FileChanged: "report.txt"}, "", true, []string{"report.txt changed"}},
		{"changed created", frugal.Gate{FileChanged: "new.txt"}, "", true, []string{"new.txt was created"}},
		{"changed dir", frugal.Gate{FileChanged: "out"}, "", true, nil},
		{"changed same path spelled differently", frugal.Gate{FileChanged: "out/../report.txt"}, "", true, nil},
		{"unchanged", frugal.Gate{FileChanged: "good.json"}, "", false, []string{"not in the snapshot"}},
		{"never existed", frugal.Gate{FileChanged: "gone.txt"}, "", false, []string{"does not exist, and did not"}},
	} {
		r := verify.Check(context.Background(), ws, c.gate, in)
		if r.Passed != c.pass {
			t.Errorf("%s: Passed = %v, want %v: %s", c.name, r.Passed, c.pass, r.Feedback)
		}
		for _, w := range c.want {
			if !strings.Contains(r.Feedback, w) {
				t.Errorf("%s: feedback lacks %q: %s", c.name, w, r.Feedback)
			}
		}
	}
	// Unchanged since the snapshot.
	snap2, _ := verify.TakeSnapshot(ws, verify.SnapshotPaths([]frugal.Gate{{FileChanged: "good.json"}, {Run: "x"}, {FileChanged: "good.json"}, {FileChanged: "out"}}))
	for _, p := range []string{"good.json", "out"} {
		r := verify.Check(context.Background(), ws, frugal.Gate{FileChanged: p}, verify.Input{Snapshot: snap2})
		if r.Passed || !strings.Contains(r.Feedback, "unchanged since the start of the step") {
			t.Errorf("unchanged %s: %+v", p, r)
		}
	}
	// Deleted since the snapshot.
	os.Remove(filepath.Join(root, "good.json"))
	if r := verify.Check(context.Background(), ws, frugal.Gate{FileChanged: "good.json"}, verify.Input{Snapshot: snap2}); !r.Passed {
		t.Errorf("deleted file: %+v", r)
	}
	if r := verify.Check(context.Background(), ws, frugal.Gate{FileChanged: "out"}, verify.Input{}); r.Passed || !strings.Contains(r.Feedback, "no snapshot") {
		t.Errorf("no snapshot: %+v", r)
	}
}

// Gate paths are workspace paths: every escape is refused, and nothing
// outside is read.
func TestGatePathEscapes(t *testing.T) {
	ws, _ := fixture(t)
	snap, _ := verify.TakeSnapshot(ws, []string{"../outside/secret", "link-out"})
	for _, g := range []frugal.Gate{
		{FileExists: "../outside/secret"},
		{FileExists: "/etc/passwd"},
		{FileExists: "link-out"},
		{FileChanged: "../outside/secret"},
		{FileChanged: "link-out"},
		{Contains: "PASS", File: "../outside/secret"},
		{Contains: "PASS", File: "link-out"},
		{Regex: "PASS", File: "/etc/passwd"},
		{JSONSchema: "../outside/item.json"},
		{JSONSchema: "schema.json", File: "link-out"},
	} {
		r := verify.Check(context.Background(), ws, g, verify.Input{Snapshot: snap})
		if r.Passed || !strings.Contains(r.Feedback, "refused") {
			t.Errorf("%s: want a refusal, got %+v", g, r)
		}
	}
}

func TestAllAndFeedback(t *testing.T) {
	ws, _ := fixture(t)
	gates := []frugal.Gate{
		{Run: "exit 0"},
		{Run: "echo broken; exit 2"},
		{Contains: "needle"},
		{FileExists: "good.json"},
		{},
	}
	passed, results := verify.All(context.Background(), ws, gates, verify.Input{Output: "haystack"})
	if passed {
		t.Fatal("All passed with failing gates")
	}
	if len(results) != len(gates) {
		t.Fatalf("%d results for %d gates: it stopped early", len(results), len(gates))
	}
	var got []bool
	for _, r := range results {
		got = append(got, r.Passed)
	}
	if want := []bool{true, false, false, true, false}; !equal(got, want) {
		t.Errorf("verdicts = %v, want %v", got, want)
	}
	fb := verify.Feedback(results)
	for _, w := range []string{"3 of 5 gates failed", "gate failed: run: echo broken; exit 2", "broken", `gate failed: contains: "needle" on step output`, "invalid gate"} {
		if !strings.Contains(fb, w) {
			t.Errorf("Feedback lacks %q:\n%s", w, fb)
		}
	}
	if strings.Contains(fb, "good.json") {
		t.Errorf("Feedback lists a passing gate:\n%s", fb)
	}
	ok, results := verify.All(context.Background(), ws, gates[:1], verify.Input{})
	if !ok || verify.Feedback(results) != "" {
		t.Errorf("all passing: %v %q", ok, verify.Feedback(results))
	}
	if ok, _ := verify.All(context.Background(), ws, nil, verify.Input{}); !ok {
		t.Error("no gates: want pass")
	}
}

func TestFeedbackBounded(t *testing.T) {
	ws, _ := fixture(t)
	for _, g := range []frugal.Gate{
		{Run: "seq 1 100000; exit 1"},
		{Contains: "zzz"},
		{Regex: "zzz"},
		{JSONSchema: "schema.json"},
	} {
		out := `{"items":[` + strings.Repeat(`{"id":"x"},`, 2000) + `{"id":"x"}]}`
		r := verify.Check(context.Background(), ws, g, verify.Input{Output: out, MaxFeedback: 512})
		if r.Passed || len(r.Feedback) > 512+64 {
			t.Errorf("%s: passed %v, %d bytes of feedback", g, r.Passed, len(r.Feedback))
		}
	}
}

func TestCheckWithoutWorkspace(t *testing.T) {
	r := verify.Check(context.Background(), nil, frugal.Gate{Contains: "x"}, verify.Input{Output: "xyz"})
	if !r.Passed {
		t.Errorf("contains on output needs no workspace: %+v", r)
	}
	r = verify.Check(context.Background(), nil, frugal.Gate{Run: "true"}, verify.Input{})
	if r.Passed || !strings.Contains(r.Feedback, "needs a workspace") {
		t.Errorf("run without workspace: %+v", r)
	}
	if _, err := verify.TakeSnapshot(nil, nil); frugal.ErrorCode(err) != frugal.EINVALID {
		t.Errorf("TakeSnapshot(nil): %v", err)
	}
}

func TestCompileSchema(t *testing.T) {
	_, root := fixture(t)
	if _, err := verify.CompileSchema(filepath.Join(root, "schema.json")); err != nil {
		t.Errorf("valid schema with a $ref: %v", err)
	}
	for name, code := range map[string]string{
		"badschema.json": frugal.EINVALID,
		"notjson.json":   frugal.EINVALID,
		"remote.json":    frugal.EINVALID,
		"missing.json":   frugal.ENOTFOUND,
	} {
		_, err := verify.CompileSchema(filepath.Join(root, name))
		if frugal.ErrorCode(err) != code || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v (code %q, want %q)", name, err, frugal.ErrorCode(err), code)
		}
	}
}

func equal(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
