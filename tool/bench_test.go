package tool_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

func benchWS(b *testing.B, iso frugal.Isolation) (*tool.Workspace, string) {
	b.Helper()
	ws, err := tool.NewWorkspace(b.TempDir(), tool.Options{Isolation: iso})
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { ws.Close() })
	return ws, ws.Root()
}

func BenchmarkResolve(b *testing.B) {
	ws, root := benchWS(b, frugal.IsolationProcess)
	p := filepath.Join("a", "b", "c", "d")
	writeFileB(b, filepath.Join(root, p, "file.go"), "x")
	for b.Loop() {
		if _, err := ws.Resolve("a/b/c/d/file.go"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRun is the fixed cost of one sandboxed command.
func BenchmarkRun(b *testing.B) {
	for _, iso := range []frugal.Isolation{frugal.IsolationProcess, frugal.IsolationBwrap} {
		b.Run(string(iso), func(b *testing.B) {
			ws, _ := benchWS(b, iso)
			for b.Loop() {
				if r, err := ws.Run(context.Background(), "true", 0); err != nil || r.ExitCode != 0 {
					b.Fatal(err, r)
				}
			}
		})
	}
}

func BenchmarkReadFile(b *testing.B) {
	ws, root := benchWS(b, frugal.IsolationProcess)
	var sb strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&sb, "line %d of a moderately long source file, with some text\n", i)
	}
	writeFileB(b, filepath.Join(root, "f.txt"), sb.String())
	args := json.RawMessage(`{"path":"f.txt","start_line":1000,"end_line":1100}`)
	for b.Loop() {
		if r, err := ws.Call(context.Background(), tool.ToolReadFile, args); err != nil || r.IsError {
			b.Fatal(err, r)
		}
	}
}

// BenchmarkGrep searches 200 files of 200 lines.
func BenchmarkGrep(b *testing.B) {
	ws, root := benchWS(b, frugal.IsolationProcess)
	var sb strings.Builder
	for i := range 200 {
		fmt.Fprintf(&sb, "func f%d() { return nil } // filler text to search through\n", i)
	}
	for i := range 200 {
		writeFileB(b, filepath.Join(root, fmt.Sprintf("pkg%d", i%10), fmt.Sprintf("f%d.go", i)), sb.String())
	}
	args := json.RawMessage(`{"pattern":"f19[0-9]\\(\\)","glob":"*.go"}`)
	for b.Loop() {
		if r, err := ws.Call(context.Background(), tool.ToolGrep, args); err != nil || r.IsError {
			b.Fatal(err, r)
		}
	}
}

func BenchmarkEditFile(b *testing.B) {
	ws, root := benchWS(b, frugal.IsolationProcess)
	var sb strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&sb, "line %d\n", i)
	}
	writeFileB(b, filepath.Join(root, "f.txt"), sb.String())
	a := json.RawMessage(`{"path":"f.txt","search":"line 1000\n","replace":"LINE 1000\n"}`)
	z := json.RawMessage(`{"path":"f.txt","search":"LINE 1000\n","replace":"line 1000\n"}`)
	for i := 0; b.Loop(); i++ {
		args := a
		if i%2 == 1 {
			args = z
		}
		if r, err := ws.Call(context.Background(), tool.ToolEditFile, args); err != nil || r.IsError {
			b.Fatal(err, r)
		}
	}
}

func writeFileB(b *testing.B, path, content string) {
	b.Helper()
	if err := mkfile(path, content); err != nil {
		b.Fatal(err)
	}
}
