package tool_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

func TestRunExitCodeAndOutput(t *testing.T) {
	for _, mode := range modes(t) {
		t.Run(string(mode), func(t *testing.T) {
			ws, _ := newWS(t, tool.Options{Isolation: mode})
			if ws.Isolation() != mode {
				t.Fatalf("Isolation() = %q, want %q", ws.Isolation(), mode)
			}
			r, err := ws.Run(context.Background(), "echo out; echo err >&2; exit 7", 0)
			if err != nil {
				t.Fatal(err)
			}
			if r.ExitCode != 7 || r.TimedOut {
				t.Errorf("ExitCode = %d TimedOut = %v, want 7 false", r.ExitCode, r.TimedOut)
			}
			if r.Output != "out\nerr\n" || r.OutputBytes != 8 {
				t.Errorf("Output = %q (%d bytes)", r.Output, r.OutputBytes)
			}
			r, err = ws.Run(context.Background(), "kill -TERM $$", 0)
			if err != nil {
				t.Fatal(err)
			}
			if r.ExitCode != 128+15 {
				t.Errorf("killed by SIGTERM: ExitCode = %d, want 143", r.ExitCode)
			}
		})
	}
}

// A command that hangs, with a child that hangs too, is killed at its
// timeout, children included.
func TestRunTimeoutKillsTheGroup(t *testing.T) {
	for i, mode := range modes(t) {
		t.Run(string(mode), func(t *testing.T) {
			ws, _ := newWS(t, tool.Options{Isolation: mode})
			bg, fg := uniqueSleep(t, 2*i), uniqueSleep(t, 2*i+1)
			r, err := ws.Run(context.Background(), bgSleep("sleep "+bg)+fmt.Sprintf("echo started; sleep %s", fg), 500*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if !r.TimedOut || r.ExitCode != -1 {
				t.Errorf("TimedOut = %v ExitCode = %d, want true -1", r.TimedOut, r.ExitCode)
			}
			if r.Output != "started\n" {
				t.Errorf("output before the timeout lost: %q", r.Output)
			}
			if r.Duration > 30*time.Second {
				t.Errorf("Run returned after %s: the sleeps were not killed at the timeout", r.Duration)
			}
			waitGone(t, bg)
			waitGone(t, fg)
		})
	}
}

// A command that succeeds leaves no background child behind, even one that
// keeps the output pipe open.
func TestRunKillsBackgroundChildrenOnSuccess(t *testing.T) {
	for i, mode := range modes(t) {
		t.Run(string(mode), func(t *testing.T) {
			ws, _ := newWS(t, tool.Options{Isolation: mode})
			quiet, noisy := uniqueSleep(t, 10+2*i), uniqueSleep(t, 11+2*i)
			r, err := ws.Run(context.Background(),
				bgSleep("sleep "+quiet+" >/dev/null 2>&1")+bgSleep("sleep "+noisy)+"echo done", 60*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if r.ExitCode != 0 || r.TimedOut || r.Output != "done\n" {
				t.Errorf("got %+v", r)
			}
			if r.Duration > 30*time.Second {
				t.Errorf("Run waited %s for a background child holding the pipe", r.Duration)
			}
			waitGone(t, quiet)
			waitGone(t, noisy)
		})
	}
}

// bgSleep starts a sleep in the background and waits until it runs, so
// that a test of its killing cannot pass by killing it before it started.
func bgSleep(cmd string) string {
	return cmd + " & p=$!; until grep -qas '^sleep' /proc/$p/cmdline; do sleep 0.01; done; "
}

func TestRunCancelKillsTheGroup(t *testing.T) {
	ws, _ := newWS(t, tool.Options{Isolation: frugal.IsolationProcess})
	ctx, cancel := context.WithCancel(context.Background())
	s := uniqueSleep(t, 20)
	time.AfterFunc(200*time.Millisecond, cancel)
	r, err := ws.Run(ctx, "sleep "+s, time.Minute)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if r.ExitCode != -1 {
		t.Errorf("ExitCode = %d, want -1", r.ExitCode)
	}
	waitGone(t, s)
	if _, err := ws.Run(ctx, "true", 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Run on a cancelled ctx: %v", err)
	}
}

func TestRunOutputBounded(t *testing.T) {
	const max = 4096
	ws, _ := newWS(t, tool.Options{Isolation: frugal.IsolationProcess, MaxOutputBytes: max})
	// 10 MB of numbered lines: the start and the end must survive.
	r, err := ws.Run(context.Background(), "echo FIRST; seq 1 1500000; echo LAST", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.OutputBytes < 10_000_000 {
		t.Fatalf("OutputBytes = %d", r.OutputBytes)
	}
	if len(r.Output) > max+64 {
		t.Errorf("kept %d bytes, want about %d", len(r.Output), max)
	}
	mustContain(t, r.Output, "FIRST\n1\n2\n", "1500000\nLAST\n", "bytes elided")
}

// Provider keys and frugal's own secrets never reach a command, even when
// allow-listed by mistake or copied into an innocent-looking variable.
func TestRunEnvScrubbed(t *testing.T) {
	secrets := map[string]string{
		"OPENAI_API_KEY":     "sk-proj-abcdefghijklmnop",
		"ANTHROPIC_API_KEY":  "sk-ant-api03-abcdefghijkl",
		"FRUGAL_X":           "frugal-internal-value-123",
		"FRUGAL_HOME":        "/var/lib/frugal-home-dir",
		"AWS_ACCESS_KEY_ID":  "AKIAABCDEFGHIJKLMNOP",
		"GITHUB_TOKEN":       "ghp_abcdefghijklmnopqrstuv",
		"DB_PASSWORD":        "hunter2-hunter2",
		"MY_SECRET_THING":    "shh-shh-shh-shh",
		"COPY_OF_KEY":        "prefix-sk-proj-abcdefghijklmnop",
		"SSH_AUTH_SOCK":      "/tmp/ssh-agent.sock",
		"DEEPSEEK_API_KEY":   "ds-0123456789abcdef",
		"OPENROUTER_API_KEY": "sk-or-v1-0123456789",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	t.Setenv("LC_ALL", "C.UTF-8")
	t.Setenv("INNOCENT", "plain-value")
	t.Setenv("PROXY_URL", "https://user:pa55w0rd@proxy.example")
	for _, mode := range modes(t) {
		t.Run(string(mode), func(t *testing.T) {
			ws, root := newWS(t, tool.Options{
				Isolation: mode,
				// Mistakes a user could make: they must not let keys through.
				Env: []string{"OPENAI_API_KEY", "FRUGAL_X", "COPY_OF_KEY", "INNOCENT", "PROXY_URL", "EXTRA=set-here", "MY_TOKEN=abc"},
			})
			r, err := ws.Run(context.Background(), "env", 0)
			if err != nil || r.ExitCode != 0 {
				t.Fatalf("env: %v %+v", err, r)
			}
			for k, v := range secrets {
				if strings.Contains(r.Output, k+"=") || strings.Contains(r.Output, v) {
					t.Errorf("%s (or its value) reached the command:\n%s", k, r.Output)
				}
			}
			for _, bad := range []string{"MY_TOKEN=", "PROXY_URL=", "pa55w0rd"} {
				if strings.Contains(r.Output, bad) {
					t.Errorf("%s reached the command", bad)
				}
			}
			mustContain(t, r.Output, "PATH=", "LC_ALL=C.UTF-8", "INNOCENT=plain-value", "EXTRA=set-here", "HOME=", "TMPDIR=")
			for _, line := range strings.Split(r.Output, "\n") {
				if v, ok := strings.CutPrefix(line, "HOME="); ok && (v == os.Getenv("HOME") || strings.HasPrefix(v, root)) {
					t.Errorf("HOME = %q: want a private directory", v)
				}
			}
		})
	}
}

// The process sandbox leaves the command's private HOME behind it.
func TestRunRemovesPrivateHome(t *testing.T) {
	ws, _ := newWS(t, tool.Options{Isolation: frugal.IsolationProcess})
	r, err := ws.Run(context.Background(), `mkdir -p "$HOME/ro/x" && chmod 500 "$HOME/ro" && echo "$HOME"`, 0)
	if err != nil || r.ExitCode != 0 {
		t.Fatalf("%v %+v", err, r)
	}
	home := strings.TrimSpace(r.Output)
	if _, err := os.Stat(filepath.Dir(home)); !os.IsNotExist(err) {
		t.Errorf("private home %s still there: %v", home, err)
	}
}

func TestBwrapConfinement(t *testing.T) {
	needBwrap(t)
	ws, root := newWS(t, tool.Options{Isolation: frugal.IsolationBwrap})
	ctx := context.Background()
	run := func(cmd string) tool.CommandResult {
		t.Helper()
		r, err := ws.Run(ctx, cmd, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// The workspace is writable.
	if r := run("echo hi > made-inside && cat made-inside"); r.ExitCode != 0 || r.Output != "hi\n" {
		t.Errorf("write in workspace: %+v", r)
	}
	if b, err := os.ReadFile(filepath.Join(root, "made-inside")); err != nil || string(b) != "hi\n" {
		t.Errorf("host does not see the workspace write: %q %v", b, err)
	}
	// The root is read-only.
	for _, p := range []string{"/etc/frugal-escape", "/usr/frugal-escape", "/root/frugal-escape", "/var/frugal-escape"} {
		if r := run("touch " + p); r.ExitCode == 0 {
			t.Errorf("touch %s succeeded in the sandbox", p)
		}
		if _, err := os.Stat(p); err == nil {
			os.Remove(p)
			t.Errorf("%s was created on the host", p)
		}
	}
	if r := run("mount -o remount,rw / 2>&1"); r.ExitCode == 0 {
		t.Errorf("the sandbox could remount / read-write: %+v", r)
	}
	// Next to the workspace is outside it: /tmp is private, nothing lands
	// on the host.
	sibling := filepath.Join(filepath.Dir(root), "frugal-sibling")
	run("echo x > " + sibling)
	if _, err := os.Stat(sibling); err == nil {
		t.Errorf("%s written on the host from the sandbox", sibling)
	}
	// .git is read-only to commands.
	if err := os.MkdirAll(filepath.Join(root, ".git", "hooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := run("echo evil > .git/hooks/pre-commit"); r.ExitCode == 0 {
		t.Errorf("a command planted a git hook")
	}
	if _, err := os.Stat(filepath.Join(root, ".git", "hooks", "pre-commit")); err == nil {
		t.Errorf("git hook written on the host")
	}
	// No capabilities.
	if r := run("grep CapEff /proc/self/status"); !strings.Contains(r.Output, "0000000000000000") {
		t.Errorf("capabilities left in the sandbox: %q", r.Output)
	}
}

// With bwrap there is no network: not even the host's loopback. The
// process sandbox does not stop the network (docs/isolation.md says so).
func TestNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	defer func() { ln.Close(); <-done }()
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	for _, mode := range modes(t) {
		t.Run(string(mode), func(t *testing.T) {
			ws, root := newWS(t, tool.Options{Isolation: mode})
			helper := copyHelper(t, root)
			r, err := ws.Run(context.Background(), helper+" dial "+ln.Addr().String(), 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			switch mode {
			case frugal.IsolationBwrap:
				if r.ExitCode == 0 || strings.Contains(r.Output, "connected") {
					t.Errorf("bwrap sandbox reached the network: %+v", r)
				}
			case frugal.IsolationProcess:
				if r.ExitCode != 0 {
					t.Errorf("process sandbox: dial failed (%q); the documented limit no longer holds", r.Output)
				}
			}
		})
	}
}

// Go test commands work in the sandbox, with the host's caches readable.
func TestRunGoTest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go module")
	}
	for _, mode := range modes(t) {
		t.Run(string(mode), func(t *testing.T) {
			ws, root := newWS(t, tool.Options{Isolation: mode})
			writeFile(t, filepath.Join(root, "go.mod"), "module example.com/m\n\ngo 1.22\n")
			writeFile(t, filepath.Join(root, "m_test.go"), "package m\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) {}\n")
			r, err := ws.Run(context.Background(), "go test ./... 2>&1", 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if r.ExitCode != 0 || !strings.Contains(r.Output, "ok") {
				t.Errorf("go test in the sandbox: %+v", r)
			}
		})
	}
}

// In bwrap's PID namespace even a child that left the process group
// (setsid) dies with the command.
func TestBwrapKillsDetachedChildren(t *testing.T) {
	needBwrap(t)
	ws, _ := newWS(t, tool.Options{Isolation: frugal.IsolationBwrap})
	s := uniqueSleep(t, 30)
	r, err := ws.Run(context.Background(), bgSleep("setsid sleep "+s+" </dev/null >/dev/null 2>&1")+"echo started", time.Minute)
	if err != nil || r.ExitCode != 0 {
		t.Fatalf("%v %+v", err, r)
	}
	waitGone(t, s)
}

// bwrap masks the usual credential stores, frugal's own data directory and
// whatever Options.Hide adds, while the rest of the root stays readable.
func TestBwrapHidesCredentials(t *testing.T) {
	needBwrap(t)
	// Outside /tmp, which the sandbox replaces anyway.
	base, err := os.MkdirTemp("/var/tmp", "frugal-hide-test-")
	if err != nil {
		t.Skipf("no writable /var/tmp: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	home := filepath.Join(base, "home")
	files := map[string]string{
		".ssh/id_ed25519":           "PRIVATE KEY",
		".aws/credentials":          "aws_secret_access_key=x",
		".netrc":                    "machine x password y",
		".config/gcloud/creds.json": "{}",
		"frugaldata/frugal.db":      "ledger",
		"extra/hidden.txt":          "hidden by option",
		"visible.txt":               "visible",
	}
	for name, content := range files {
		writeFile(t, filepath.Join(home, name), content)
	}
	t.Setenv("HOME", home)
	t.Setenv("FRUGAL_HOME", filepath.Join(home, "frugaldata"))
	ws, _ := newWS(t, tool.Options{Isolation: frugal.IsolationBwrap, Hide: []string{filepath.Join(home, "extra")}})
	for name, content := range files {
		r, err := ws.Run(context.Background(), "cat "+filepath.Join(home, name), 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		leaked := strings.Contains(r.Output, content)
		if name == "visible.txt" {
			if !leaked {
				t.Errorf("%s should stay readable: %+v", name, r)
			}
		} else if leaked {
			t.Errorf("%s readable in the sandbox: %q", name, r.Output)
		}
	}
	if r, _ := ws.Run(context.Background(), "cat /etc/shadow", 0); strings.Contains(r.Output, "root:") {
		t.Errorf("/etc/shadow readable: %q", r.Output)
	}

	// A hidden path inside the workspace stays hidden from commands.
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "private", "key"), "in-workspace secret")
	writeFile(t, filepath.Join(dir, "public"), "fine")
	ws2, err := tool.NewWorkspace(dir, tool.Options{Isolation: frugal.IsolationBwrap, Hide: []string{filepath.Join(dir, "private")}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	r, err := ws2.Run(context.Background(), "cat public private/key", 0)
	if err != nil || strings.Contains(r.Output, "in-workspace secret") || !strings.Contains(r.Output, "fine") {
		t.Errorf("hidden path in the workspace: %v %q", err, r.Output)
	}
}
