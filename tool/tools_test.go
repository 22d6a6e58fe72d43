package tool_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

func call(t *testing.T, ws *tool.Workspace, name, args string) tool.Result {
	t.Helper()
	res, err := ws.Call(context.Background(), name, json.RawMessage(args))
	if err != nil {
		t.Fatalf("%s %s: %v", name, args, err)
	}
	return res
}

// The definitions are strict JSON Schemas: valid, closed, every property
// required (nullable when optional), and stable byte for byte.
func TestToolDefinitions(t *testing.T) {
	ws, _ := newWS(t, tool.Options{Isolation: frugal.IsolationProcess})
	tools := ws.Tools()
	var names []string
	for _, d := range tools {
		names = append(names, d.Name)
		if d.Description == "" {
			t.Errorf("%s: no description", d.Name)
		}
		var s struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
			Additional *bool                      `json:"additionalProperties"`
		}
		if err := json.Unmarshal(d.Parameters, &s); err != nil {
			t.Fatalf("%s: parameters are not JSON: %v", d.Name, err)
		}
		if s.Type != "object" || s.Additional == nil || *s.Additional {
			t.Errorf("%s: want a closed object schema", d.Name)
		}
		for p := range s.Properties {
			if !slices.Contains(s.Required, p) {
				t.Errorf("%s: property %s not required (strict mode needs all)", d.Name, p)
			}
		}
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(d.Parameters)))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("mem://"+d.Name, doc); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Compile("mem://" + d.Name); err != nil {
			t.Errorf("%s: schema does not compile: %v", d.Name, err)
		}
	}
	want := []string{"read_file", "list_files", "grep", "write_file", "edit_file", "run_command"}
	if !slices.Equal(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
	again := ws.Tools()
	again[0].Name = "changed"
	if ws.Tools()[0].Name != "read_file" {
		t.Error("Tools() hands out its own definitions")
	}
}

func TestCallBadRequests(t *testing.T) {
	ws, _ := newWS(t, tool.Options{Isolation: frugal.IsolationProcess})
	for _, c := range []struct{ name, args, want string }{
		{"delete_everything", `{}`, `unknown tool "delete_everything"`},
		{"read_file", `{"path":"a","bogus":1}`, `unknown field "bogus"`},
		{"read_file", `{"path":`, "arguments are not valid"},
		{"read_file", `{"path":"a","start_line":"3"}`, "arguments are not valid"},
		{"read_file", `{"path":"a"} {"x":1}`, "more than one JSON value"},
		{"read_file", ``, "path is empty"},
		{"run_command", `{"command":"  "}`, "command is empty"},
		{"grep", `{"pattern":"("}`, "not a valid RE2"},
		{"grep", `{"pattern":"x","glob":"[z"}`, "malformed"},
	} {
		res := call(t, ws, c.name, c.args)
		if !res.IsError || !strings.Contains(res.Text, c.want) {
			t.Errorf("%s %s: got %+v, want an error with %q", c.name, c.args, res, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ws.Call(ctx, "read_file", json.RawMessage(`{"path":"x"}`)); err == nil {
		t.Error("Call on a cancelled ctx: want an error")
	}
}

func TestReadFile(t *testing.T) {
	ws, root := newWS(t, tool.Options{Isolation: frugal.IsolationProcess, MaxResultBytes: 2048})
	var lines []string
	for i := 1; i <= 500; i++ {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	writeFile(t, filepath.Join(root, "big.txt"), strings.Join(lines, "\n")+"\n")
	writeFile(t, filepath.Join(root, "small.txt"), "alpha\r\nbeta\ngamma")
	writeFile(t, filepath.Join(root, "long.txt"), "short\n"+strings.Repeat("é", 3000)+"\nend\n")
	writeFile(t, filepath.Join(root, "empty.txt"), "")
	writeFile(t, filepath.Join(root, "bin.dat"), "ELF\x00\x01\x02")
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		args    string
		isErr   bool
		want    []string
		notWant []string
	}{
		{`{"path":"small.txt"}`, false, []string{"     1\talpha\n", "     2\tbeta\n", "     3\tgamma\n"}, []string{"\r"}},
		{`{"path":"big.txt","start_line":10,"end_line":12}`, false, []string{"    10\tline 10\n", "    12\tline 12\n"}, []string{"line 9\n", "line 13"}},
		{`{"path":"big.txt","start_line":499,"end_line":null}`, false, []string{"   500\tline 500\n"}, []string{"line 498"}},
		{`{"path":"big.txt"}`, false, []string{"     1\tline 1\n", "output limit reached", "continue with start_line="}, []string{"line 500"}},
		{`{"path":"big.txt","start_line":600}`, true, []string{"past the end", "500 lines"}, nil},
		{`{"path":"big.txt","start_line":0}`, true, []string{"start_line must be 1 or more"}, nil},
		{`{"path":"big.txt","start_line":5,"end_line":4}`, true, []string{"before start_line"}, nil},
		{`{"path":"long.txt"}`, false, []string{"line cut:", "     3\tend"}, nil},
		{`{"path":"empty.txt"}`, false, []string{"empty"}, nil},
		{`{"path":"bin.dat"}`, true, []string{"binary file"}, nil},
		{`{"path":"fifo"}`, true, []string{"not a regular file"}, nil},
		{`{"path":"."}`, true, []string{"is a directory"}, nil},
		{`{"path":"missing.txt"}`, true, []string{"missing.txt does not exist"}, nil},
	} {
		res := call(t, ws, tool.ToolReadFile, c.args)
		if res.IsError != c.isErr {
			t.Errorf("%s: IsError = %v: %s", c.args, res.IsError, res.Text)
		}
		mustContain(t, res.Text, c.want...)
		for _, nw := range c.notWant {
			if strings.Contains(res.Text, nw) {
				t.Errorf("%s: unexpected %q in %s", c.args, nw, res.Text)
			}
		}
		if len(res.Text) > 2048 {
			t.Errorf("%s: %d bytes, over the 2048 limit", c.args, len(res.Text))
		}
	}
}

func TestListFiles(t *testing.T) {
	ws, root := newWS(t, tool.Options{Isolation: frugal.IsolationProcess})
	writeFile(t, filepath.Join(root, "a.go"), "")
	writeFile(t, filepath.Join(root, "dir", "b.go"), "")
	writeFile(t, filepath.Join(root, "dir", "deep", "c.go"), "")
	writeFile(t, filepath.Join(root, ".git", "HEAD"), "ref")
	symlink(t, "a.go", filepath.Join(root, "link"))
	for i := range 600 {
		writeFile(t, filepath.Join(root, "many", fmt.Sprintf("f%03d", i)), "")
	}

	res := call(t, ws, tool.ToolListFiles, `{"path":null,"depth":null}`)
	mustContain(t, res.Text, "a.go\n", "dir/\n", "dir/b.go\n", "dir/deep/\n", "link -> a.go\n", "many/\n", "listing cut at 400 entries")
	if strings.Contains(res.Text, ".git") || strings.Contains(res.Text, "dir/deep/c.go") {
		t.Errorf("listed .git or beyond depth 2:\n%s", res.Text)
	}
	res = call(t, ws, tool.ToolListFiles, `{"path":"dir","depth":3}`)
	if res.Text != "dir/b.go\ndir/deep/\ndir/deep/c.go\n" {
		t.Errorf("list dir depth 3 = %q", res.Text)
	}
	res = call(t, ws, tool.ToolListFiles, `{"path":"dir","depth":1}`)
	if res.Text != "dir/b.go\ndir/deep/\n" {
		t.Errorf("list dir depth 1 = %q", res.Text)
	}
	for _, args := range []string{`{"depth":0}`, `{"depth":9}`, `{"path":"nope"}`} {
		if res := call(t, ws, tool.ToolListFiles, args); !res.IsError {
			t.Errorf("%s: want an error, got %q", args, res.Text)
		}
	}
}

func TestGrep(t *testing.T) {
	ws, root := newWS(t, tool.Options{Isolation: frugal.IsolationProcess})
	writeFile(t, filepath.Join(root, "main.go"), "package main\n\nfunc main() {\n\tTODO()\n}\n")
	writeFile(t, filepath.Join(root, "pkg", "util.go"), "package pkg\n// TODO: tidy\n")
	writeFile(t, filepath.Join(root, "notes.md"), "todo list\nTODO write docs\n")
	writeFile(t, filepath.Join(root, ".git", "config"), "TODO in git\n")
	writeFile(t, filepath.Join(root, "bin.dat"), "TODO\x00binary")
	writeFile(t, filepath.Join(root, "long.txt"), "TODO "+strings.Repeat("x", 200_000)+"\nTODO after\n")
	var many strings.Builder
	for i := range 300 {
		fmt.Fprintf(&many, "TODO %d\n", i)
	}
	writeFile(t, filepath.Join(root, "many", "todo.txt"), many.String())

	res := call(t, ws, tool.ToolGrep, `{"pattern":"TODO","path":null,"glob":"*.go"}`)
	if res.Text != "main.go:4:\tTODO()\npkg/util.go:2:// TODO: tidy\n" {
		t.Errorf("grep *.go = %q", res.Text)
	}
	res = call(t, ws, tool.ToolGrep, `{"pattern":"(?i)^todo","path":"notes.md"}`)
	if res.Text != "notes.md:1:todo list\nnotes.md:2:TODO write docs\n" {
		t.Errorf("grep one file = %q", res.Text)
	}
	res = call(t, ws, tool.ToolGrep, `{"pattern":"TODO","glob":"pkg/*.go"}`)
	if res.Text != "pkg/util.go:2:// TODO: tidy\n" {
		t.Errorf("grep path glob = %q", res.Text)
	}
	res = call(t, ws, tool.ToolGrep, `{"pattern":"TODO","path":"long.txt"}`)
	mustContain(t, res.Text, "long.txt:1:TODO xxx", " …\n", "long.txt:2:TODO after")
	if len(res.Text) > 500 {
		t.Errorf("a long line was not cut: %d bytes", len(res.Text))
	}
	res = call(t, ws, tool.ToolGrep, `{"pattern":"TODO"}`)
	mustContain(t, res.Text, "results cut", "binary files skipped")
	if strings.Contains(res.Text, ".git") || strings.Count(res.Text, "\n") > 102 {
		t.Errorf("grep all: .git searched or too many lines:\n%s", res.Text)
	}
	res = call(t, ws, tool.ToolGrep, `{"pattern":"nowhere-to-be-found"}`)
	if res.IsError || !strings.Contains(res.Text, "no matches") {
		t.Errorf("no match: %+v", res)
	}
}

func TestWriteFile(t *testing.T) {
	ws, root := newWS(t, tool.Options{Isolation: frugal.IsolationProcess})
	res := call(t, ws, tool.ToolWriteFile, `{"path":"new/deep/file.txt","content":"one\ntwo\n"}`)
	if res.IsError || res.Text != "created new/deep/file.txt: 8 bytes, 2 lines" {
		t.Errorf("create: %+v", res)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "new", "deep", "file.txt")); string(b) != "one\ntwo\n" {
		t.Errorf("content = %q", b)
	}
	script := filepath.Join(root, "run.sh")
	writeFile(t, script, "old")
	if err := os.Chmod(script, 0o750); err != nil {
		t.Fatal(err)
	}
	res = call(t, ws, tool.ToolWriteFile, `{"path":"run.sh","content":"#!/bin/sh\n"}`)
	if res.IsError || !strings.HasPrefix(res.Text, "replaced run.sh") {
		t.Errorf("replace: %+v", res)
	}
	if fi, _ := os.Stat(script); fi.Mode().Perm() != 0o750 {
		t.Errorf("mode = %v, want 0750 kept", fi.Mode().Perm())
	}
	// A symlink inside the workspace is written through, not replaced.
	symlink(t, "new/deep/file.txt", filepath.Join(root, "alias"))
	call(t, ws, tool.ToolWriteFile, `{"path":"alias","content":"via alias"}`)
	if b, _ := os.ReadFile(filepath.Join(root, "new", "deep", "file.txt")); string(b) != "via alias" {
		t.Errorf("through symlink: %q", b)
	}
	writeFile(t, filepath.Join(root, ".git", "config"), "[core]\n")
	for args, want := range map[string]string{
		`{"path":".git/hooks/pre-commit","content":"evil"}`: "may not write under .git",
		`{"path":"sub/.git/config","content":"evil"}`:       "may not write under .git",
		`{"path":"new","content":"x"}`:                      "is a directory",
		`{"path":".","content":"x"}`:                        "workspace directory",
		`{"path":"x.txt"}`:                                  "content is missing",
		`{"path":"","content":"x"}`:                         "path is empty",
		`{"path":"run.sh/child","content":"x"}`:             "not a directory",
	} {
		if res := call(t, ws, tool.ToolWriteFile, args); !res.IsError || !strings.Contains(res.Text, want) {
			t.Errorf("%s: got %+v, want %q", args, res, want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".git", "hooks")); err == nil {
		t.Error(".git/hooks created")
	}
	ents, _ := os.ReadDir(root)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".frugal-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestEditFile(t *testing.T) {
	ws, root := newWS(t, tool.Options{Isolation: frugal.IsolationProcess})
	src := "package main\n\nfunc add(a, b int) int {\n\treturn a + b\n}\n\nfunc sub(a, b int) int {\n\treturn a - b\n}\n"
	path := filepath.Join(root, "calc.go")
	writeFile(t, path, src)

	// Absent: names the file, shows the closest line.
	res := call(t, ws, tool.ToolEditFile, `{"path":"calc.go","search":"return a * b","replace":"return 0"}`)
	if !res.IsError {
		t.Fatalf("absent search accepted: %s", res.Text)
	}
	mustContain(t, res.Text, "not found in calc.go", "closest line is line 4", "\treturn a + b")
	// Absent because of indentation: says so.
	res = call(t, ws, tool.ToolEditFile, `{"path":"calc.go","search":"func add(a, b int) int {\n    return a + b\n}","replace":"x"}`)
	mustContain(t, res.Text, "not found", "different whitespace or indentation")
	// Ambiguous: says how many and where.
	res = call(t, ws, tool.ToolEditFile, `{"path":"calc.go","search":"(a, b int) int {","replace":"(a, b int64) int64 {"}`)
	if !res.IsError {
		t.Fatalf("ambiguous search accepted: %s", res.Text)
	}
	mustContain(t, res.Text, "occurs 2 times in calc.go", "lines 3, 7", "more surrounding lines")
	if b, _ := os.ReadFile(path); string(b) != src {
		t.Fatal("a failed edit changed the file")
	}
	// Unique: replaced, and the new lines shown.
	res = call(t, ws, tool.ToolEditFile, `{"path":"calc.go","search":"func sub(a, b int) int {\n\treturn a - b\n}","replace":"func sub(a, b int) int {\n\t// subtract\n\treturn a - b\n}"}`)
	if res.IsError {
		t.Fatalf("edit: %s", res.Text)
	}
	mustContain(t, res.Text, "edited calc.go: replaced lines 7-9; now lines 7-10", "     8\t\t// subtract")
	want := strings.Replace(src, "\treturn a - b", "\t// subtract\n\treturn a - b", 1)
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Errorf("content = %q, want %q", b, want)
	}
	for args, msg := range map[string]string{
		`{"path":"calc.go","search":"","replace":"x"}`:            "search is empty",
		`{"path":"calc.go","search":"add","replace":"add"}`:       "identical",
		`{"path":"calc.go","search":"add"}`:                       "replace is missing",
		`{"path":"nope.go","search":"a","replace":"b"}`:           "nope.go does not exist",
		`{"path":".git/config","search":"core","replace":"evil"}`: "may not write under .git",
	} {
		if res := call(t, ws, tool.ToolEditFile, args); !res.IsError || !strings.Contains(res.Text, msg) {
			t.Errorf("%s: got %+v, want %q", args, res, msg)
		}
	}
	crlf := filepath.Join(root, "win.txt")
	writeFile(t, crlf, "one\r\ntwo\r\n")
	res = call(t, ws, tool.ToolEditFile, `{"path":"win.txt","search":"one\ntwo","replace":"x"}`)
	mustContain(t, res.Text, "CRLF")
}

func TestRunCommandTool(t *testing.T) {
	ws, _ := newWS(t, tool.Options{Isolation: frugal.IsolationProcess, MaxResultBytes: 1024})
	res := call(t, ws, tool.ToolRunCommand, `{"command":"echo hello"}`)
	if res.IsError || !strings.HasPrefix(res.Text, "exit code 0 (") || !strings.HasSuffix(res.Text, "\nhello\n") {
		t.Errorf("echo: %+v", res)
	}
	res = call(t, ws, tool.ToolRunCommand, `{"command":"echo broken >&2; exit 2"}`)
	if !res.IsError || !strings.HasPrefix(res.Text, "exit code 2") || !strings.Contains(res.Text, "broken") {
		t.Errorf("failing command: %+v", res)
	}
	res = call(t, ws, tool.ToolRunCommand, `{"command":"seq 1 100000"}`)
	if len(res.Text) > 1024 {
		t.Errorf("result is %d bytes, over 1024", len(res.Text))
	}
	mustContain(t, res.Text, "exit code 0", "\n1\n2\n", "bytes elided", "100000\n")
	res = call(t, ws, tool.ToolRunCommand, `{"command":"true"}`)
	mustContain(t, res.Text, "(no output)")

	short, _ := newWS(t, tool.Options{Isolation: frugal.IsolationProcess, CommandTimeout: 300_000_000})
	res = call(t, short, tool.ToolRunCommand, `{"command":"echo waiting; sleep 30"}`)
	if !res.IsError {
		t.Errorf("timeout not an error: %+v", res)
	}
	mustContain(t, res.Text, "timed out after", "killed", "waiting")
}
