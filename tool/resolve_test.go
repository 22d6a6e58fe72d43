package tool_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

// escapeFixture builds a workspace inside a parent that also holds an
// "outside" directory, with every kind of symlink a model or a hostile
// repository could plant.
func escapeFixture(t *testing.T) (ws *tool.Workspace, root, outside string) {
	t.Helper()
	parent, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root = filepath.Join(parent, "ws")
	outside = filepath.Join(parent, "outside")
	writeFile(t, filepath.Join(outside, "secret.txt"), "secret\n")
	writeFile(t, filepath.Join(root, "sub", "f.txt"), "inside\n")
	writeFile(t, filepath.Join(root, "x"), "x\n")
	symlink(t, "/etc", filepath.Join(root, "etc"))                                    // absolute, out
	symlink(t, "chain2", filepath.Join(root, "chain1"))                               // chain ...
	symlink(t, "sub/../chain3", filepath.Join(root, "chain2"))                        // ... through a dir ...
	symlink(t, "../outside/secret.txt", filepath.Join(root, "chain3"))                // ... out
	symlink(t, filepath.Join(outside, "nothing-here"), filepath.Join(root, "dangle")) // dangling, out
	symlink(t, "../outside", filepath.Join(root, "outdir"))                           // a directory out
	symlink(t, "../ws/x", filepath.Join(root, "outandback"))                          // leaves, comes back
	symlink(t, "loop2", filepath.Join(root, "loop1"))
	symlink(t, "loop1", filepath.Join(root, "loop2"))
	symlink(t, "/proc/self/root/etc/passwd", filepath.Join(root, "procroot"))
	symlink(t, "/proc/self/cwd", filepath.Join(root, "proccwd"))
	symlink(t, "sub", filepath.Join(root, "in"))                                   // relative, in
	symlink(t, filepath.Join(root, "sub", "f.txt"), filepath.Join(root, "abs-in")) // absolute, in
	symlink(t, "sub/not-yet", filepath.Join(root, "dangle-in"))                    // dangling, in
	symlink(t, "..", filepath.Join(root, "sub", "up"))                             // in: sub/up is the root
	ws, err = tool.NewWorkspace(root, tool.Options{Isolation: frugal.IsolationProcess})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws, root, outside
}

func TestResolveRefusesEscapes(t *testing.T) {
	ws, _, _ := escapeFixture(t)
	for _, p := range []string{
		"..",
		"../x",
		"../outside/secret.txt",
		"/etc/passwd",
		"/",
		"a/../../x",
		"sub/../../x",
		"sub/../sub/../..",
		"./../ws/x",
		"etc",
		"etc/passwd",
		"chain1",
		"dangle",
		"dangle/deeper",
		"outdir",
		"outdir/secret.txt",
		"outdir/../ws/x",
		"outandback",
		"loop1",
		"procroot",
		"proccwd",
		"proccwd/x",
		"sub/up/..",
		"sub/up/../outside/secret.txt",
		"in/../../x",
		"bad\x00name",
	} {
		t.Run(strings.ReplaceAll(p, "/", "_"), func(t *testing.T) {
			got, err := ws.Resolve(p)
			if err == nil {
				t.Fatalf("Resolve(%q) = %q, want refusal", p, got)
			}
			if code := frugal.ErrorCode(err); code != frugal.EINVALID {
				t.Errorf("code = %q, want %q (%v)", code, frugal.EINVALID, err)
			}
			if !strings.Contains(err.Error(), strings.ReplaceAll(p, "\x00", `\x00`)) {
				t.Errorf("error %q does not name the path %q", err, p)
			}
		})
	}
}

func TestResolveAllowsInside(t *testing.T) {
	ws, root, _ := escapeFixture(t)
	for p, want := range map[string]string{
		"":                 root,
		".":                root,
		"./":               root,
		"x":                filepath.Join(root, "x"),
		"sub/f.txt":        filepath.Join(root, "sub", "f.txt"),
		"sub/../x":         filepath.Join(root, "x"),
		"sub//f.txt":       filepath.Join(root, "sub", "f.txt"),
		"in/f.txt":         filepath.Join(root, "sub", "f.txt"),
		"abs-in":           filepath.Join(root, "sub", "f.txt"),
		"dangle-in":        filepath.Join(root, "sub", "not-yet"),
		"new/dir/file.txt": filepath.Join(root, "new", "dir", "file.txt"),
		"new/../x":         filepath.Join(root, "x"),
		"sub/up":           root,
		"sub/up/x":         filepath.Join(root, "x"),
		"x/under-a-file":   filepath.Join(root, "x", "under-a-file"),
	} {
		got, err := ws.Resolve(p)
		if err != nil {
			t.Errorf("Resolve(%q): %v", p, err)
			continue
		}
		if got != want {
			t.Errorf("Resolve(%q) = %q, want %q", p, got, want)
		}
	}
}

// Every tool refuses the escape forms, and nothing outside changes.
func TestToolsRefuseEscapes(t *testing.T) {
	ws, _, outside := escapeFixture(t)
	ctx := context.Background()
	for _, p := range []string{"../outside/secret.txt", "/etc/passwd", "chain1", "outdir/secret.txt", "dangle", "outdir/new.txt", "etc/hostname"} {
		for _, call := range []struct{ name, args string }{
			{tool.ToolReadFile, `{"path":` + q(p) + `}`},
			{tool.ToolListFiles, `{"path":` + q(p) + `}`},
			{tool.ToolGrep, `{"pattern":"secret","path":` + q(p) + `}`},
			{tool.ToolWriteFile, `{"path":` + q(p) + `,"content":"pwned"}`},
			{tool.ToolEditFile, `{"path":` + q(p) + `,"search":"secret","replace":"pwned"}`},
		} {
			res, err := ws.Call(ctx, call.name, json.RawMessage(call.args))
			if err != nil {
				t.Fatalf("%s %s: %v", call.name, p, err)
			}
			if !res.IsError || !strings.Contains(res.Text, "refused") {
				t.Errorf("%s %s: want a refusal, got %+v", call.name, p, res)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(outside, "secret.txt"))
	if err != nil || string(b) != "secret\n" {
		t.Fatalf("outside file changed: %q %v", b, err)
	}
	for _, f := range []string{"new.txt", "nothing-here"} {
		if _, err := os.Lstat(filepath.Join(outside, f)); err == nil {
			t.Errorf("%s was created outside the workspace", f)
		}
	}
}

func TestNewWorkspaceRefusesBadRoots(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	writeFile(t, file, "x")
	for _, root := range []string{"", "/", "/proc", "/proc/self", "/sys", "/dev", file, filepath.Join(t.TempDir(), "missing")} {
		if ws, err := tool.NewWorkspace(root, tool.Options{Isolation: frugal.IsolationProcess}); err == nil {
			ws.Close()
			t.Errorf("NewWorkspace(%q) accepted", root)
		} else if frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("NewWorkspace(%q): code %q: %v", root, frugal.ErrorCode(err), err)
		}
	}
	if _, err := tool.NewWorkspace(t.TempDir(), tool.Options{Isolation: "docker"}); frugal.ErrorCode(err) != frugal.EINVALID {
		t.Errorf("unknown isolation: %v", err)
	}
}

func TestWorkspaceRootIsResolved(t *testing.T) {
	real, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	symlink(t, real, link)
	ws, err := tool.NewWorkspace(link, tool.Options{Isolation: frugal.IsolationProcess})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.Root() != real {
		t.Errorf("Root() = %q, want %q", ws.Root(), real)
	}
}

func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// FuzzResolve: whatever the path, Resolve never panics, and what it
// accepts lies inside the workspace — by its own answer and by the
// kernel's resolution of that answer.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"", ".", "..", "../x", "a/../../x", "/etc", "etc/passwd", "chain1", "in/f.txt",
		"sub/up/..", "outdir/secret.txt", "dangle", "loop1", "x/../sub/./f.txt", "proccwd", "sub/up/sub/up/in"} {
		f.Add(s)
	}
	parent, err := filepath.EvalSymlinks(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	root := filepath.Join(parent, "ws")
	outside := filepath.Join(parent, "outside")
	for _, d := range []string{filepath.Join(root, "sub"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"etc": "/etc", "chain1": "chain2", "chain2": "sub/../chain3", "chain3": "../outside",
		"dangle": "../outside/none", "outdir": "../outside", "loop1": "loop2", "loop2": "loop1",
		"proccwd": "/proc/self/cwd", "in": "sub", "sub/up": "..", "abs-in": filepath.Join(root, "sub"),
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			f.Fatal(err)
		}
	}
	ws, err := tool.NewWorkspace(root, tool.Options{Isolation: frugal.IsolationProcess})
	if err != nil {
		f.Fatal(err)
	}
	defer ws.Close()
	f.Fuzz(func(t *testing.T, p string) {
		got, err := ws.Resolve(p)
		if err != nil {
			return
		}
		if got != root && !strings.HasPrefix(got, root+"/") {
			t.Fatalf("Resolve(%q) = %q: outside %q", p, got, root)
		}
		if real, err := filepath.EvalSymlinks(got); err == nil && real != root && !strings.HasPrefix(real, root+"/") {
			t.Fatalf("Resolve(%q) = %q, which the kernel resolves to %q outside", p, got, real)
		}
	})
}
