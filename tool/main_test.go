package tool_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

// helperArg makes the test binary act as a small helper program when a
// sandboxed command runs a copy of it (see copyHelper).
const helperArg = "-frugal-test-helper"

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == helperArg {
		os.Exit(helper(os.Args[2:]))
	}
	goleak.VerifyTestMain(m)
}

// helper implements the helper commands: "dial ADDR" connects to a TCP
// address and reports whether it could.
func helper(args []string) int {
	switch args[0] {
	case "dial":
		c, err := net.DialTimeout("tcp", args[1], 3*time.Second)
		if err != nil {
			fmt.Println("dial failed:", err)
			return 1
		}
		c.Close()
		fmt.Println("connected")
		return 0
	}
	fmt.Println("unknown helper", args[0])
	return 2
}

// copyHelper copies the test binary into the workspace (the private /tmp
// of bwrap hides where `go test` keeps it) and returns the command line
// prefix running it as a helper.
func copyHelper(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "helper"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	return "./helper " + helperArg
}

// bwrapOK reports whether bwrap runs on this machine; tests needing it skip
// with a message otherwise (.ci/run installs it).
func bwrapOK(t *testing.T) bool {
	t.Helper()
	if _, err := exec.LookPath("bwrap"); err != nil {
		return false
	}
	ws, err := tool.NewWorkspace(t.TempDir(), tool.Options{Isolation: frugal.IsolationBwrap})
	if err != nil {
		t.Logf("bwrap installed but unusable: %v", err)
		return false
	}
	ws.Close()
	return true
}

// modes are the isolation modes available here, each run by tests that
// must hold in every mode.
func modes(t *testing.T) []frugal.Isolation {
	m := []frugal.Isolation{frugal.IsolationProcess}
	if bwrapOK(t) {
		m = append(m, frugal.IsolationBwrap)
	} else {
		t.Log("bwrap not installed or not usable: bwrap mode not tested here (apt-get install bubblewrap; .ci/run does)")
	}
	return m
}

func needBwrap(t *testing.T) {
	t.Helper()
	if !bwrapOK(t) {
		t.Skip("bwrap not installed or not usable here (apt-get install bubblewrap; .ci/run does)")
	}
}

// newWS opens a workspace on a fresh directory and closes it at the end.
func newWS(t *testing.T, opts tool.Options) (*tool.Workspace, string) {
	t.Helper()
	dir := t.TempDir()
	ws, err := tool.NewWorkspace(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws, ws.Root()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := mkfile(path, content); err != nil {
		t.Fatal(err)
	}
}

func mkfile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// procsWithArg lists live (not zombie) processes having arg as one of
// their arguments. Processes in a bwrap PID namespace are seen by their
// host PIDs.
func procsWithArg(t *testing.T, arg string) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(append([]byte{0}, cmdline...), []byte("\x00"+arg+"\x00")) {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
				continue
			}
		}
		pids = append(pids, pid)
	}
	return pids
}

// waitGone waits until no process has arg, failing after a generous
// deadline: SIGKILL is delivered at once, reaping orphans takes a moment.
func waitGone(t *testing.T, arg string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := procsWithArg(t, arg)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes with argument %s still alive: %v", arg, pids)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// uniqueSleep is a sleep duration unlikely to be used by anything else on
// the machine, so that its processes can be found in /proc.
func uniqueSleep(t *testing.T, n int) string {
	return fmt.Sprintf("100.%d%06d", n, time.Now().UnixNano()%1_000_000)
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}
