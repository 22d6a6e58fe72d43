package tool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/frugal-dev/frugal"
)

// CommandResult is how a command ended.
type CommandResult struct {
	Command string `json:"command"`
	// ExitCode is the command's exit status: 128+N when a signal N ended
	// it, -1 when it was killed at its timeout or by cancellation.
	ExitCode int `json:"exit_code"`
	// Output is stdout and stderr interleaved, bounded to
	// Options.MaxOutputBytes: the start and the end around a
	// "… N bytes elided …" marker.
	Output      string        `json:"output"`
	OutputBytes int64         `json:"output_bytes"` // bytes the command wrote in all
	TimedOut    bool          `json:"timed_out"`
	Duration    time.Duration `json:"duration"`
}

// drainGrace is how long Run waits, after the process group is killed, for
// the output pipe to close. A process that left the group (setsid) and
// still holds the pipe is not waited for longer.
const drainGrace = 2 * time.Second

// Run runs command with `sh -c` in the workspace, in the sandbox of the
// workspace's isolation mode, with the given timeout (0: the workspace
// default). The command gets a scrubbed environment, a private HOME and
// TMPDIR, no stdin, and its own process group, which is killed with
// SIGKILL when the command ends — on success too, so that no background
// child survives it — at the timeout, or when ctx is cancelled. A command
// failing is not an error: see ExitCode. Errors: ctx's error (with the
// partial result) on cancellation, or a failure to start the sandbox.
func (w *Workspace) Run(ctx context.Context, command string, timeout time.Duration) (CommandResult, error) {
	res := CommandResult{Command: command, ExitCode: -1}
	if timeout <= 0 {
		timeout = w.opts.CommandTimeout
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	var argv, env []string
	if w.iso == frugal.IsolationBwrap {
		env = scrubEnv(w.env, w.opts.Env, "/tmp/home", "/tmp")
		argv = w.bwrapArgv(command, env)
	} else {
		dir, err := os.MkdirTemp("", "frugal-cmd-")
		if err != nil {
			return res, fmt.Errorf("command home: %w", err)
		}
		defer removeAll(dir)
		home, tmp := filepath.Join(dir, "home"), filepath.Join(dir, "tmp")
		for _, d := range []string{home, tmp} {
			if err := os.Mkdir(d, 0o700); err != nil {
				return res, fmt.Errorf("command home: %w", err)
			}
		}
		env = scrubEnv(w.env, w.opts.Env, home, tmp)
		argv = []string{"/bin/sh", "-c", command}
	}

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = w.root
	cmd.Env = env
	cmd.SysProcAttr = sysProcAttr()
	unlock := lockThread()
	defer unlock()
	pr, pw, err := os.Pipe()
	if err != nil {
		return res, fmt.Errorf("command output pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	start := w.opts.Now()
	if err := cmd.Start(); err != nil {
		pw.Close()
		pr.Close()
		return res, fmt.Errorf("start command: %w", err)
	}
	pw.Close()
	pid := cmd.Process.Pid
	exited, reap := startWaiter(cmd)

	out := newHeadTail(w.opts.MaxOutputBytes)
	drained := make(chan struct{})
	go func() {
		io.Copy(out, pr) // ends at EOF, or when pr is closed below
		close(drained)
	}()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var ctxErr error
	select {
	case <-exited:
	case <-timer.C:
		res.TimedOut = true
	case <-ctx.Done():
		ctxErr = ctx.Err()
	}
	// On Linux the group leader is still unreaped here, so its pid cannot
	// have been reused and -pid names only this command's group.
	syscall.Kill(-pid, syscall.SIGKILL)
	<-exited
	waitErr := reap()
	grace := time.NewTimer(drainGrace)
	select {
	case <-drained:
	case <-grace.C:
		pr.Close()
		<-drained
	}
	grace.Stop()
	pr.Close()

	res.Duration = w.opts.Now().Sub(start)
	res.Output = out.String()
	res.OutputBytes = out.Total()
	if !res.TimedOut && ctxErr == nil {
		res.ExitCode = exitCode(cmd.ProcessState)
	}
	if ctxErr != nil {
		return res, fmt.Errorf("command cancelled: %w", ctxErr)
	}
	var ee *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &ee) {
		return res, fmt.Errorf("wait for command: %w", waitErr)
	}
	return res, nil
}

func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// removeAll removes a command's private home even where the command left
// read-only directories in it.
func removeAll(dir string) {
	if os.RemoveAll(dir) == nil {
		return
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	os.RemoveAll(dir)
}

// bwrapArgv is the bwrap command line running command: the host's root
// read-only with credential stores masked, a private /tmp, /dev and
// /proc, the workspace read-write except its .git, and every namespace
// unshared (no network).
func (w *Workspace) bwrapArgv(command string, env []string) []string {
	argv := append([]string{}, w.bwrap...)
	argv = append(argv, "--ro-bind", "/", "/")
	masks := maskArgs(hiddenPaths(w.env, w.opts.Hide))
	for _, m := range masks {
		argv = append(argv, m...)
	}
	argv = append(argv,
		"--dev", "/dev",
		"--proc", "/proc",
		"--tmpfs", "/tmp",
	)
	// Toolchains and caches living under /tmp would be hidden by the
	// private /tmp: show them again, read-only.
	for _, d := range underTmp(env) {
		argv = append(argv, "--ro-bind-try", d, d)
	}
	argv = append(argv,
		"--dir", "/tmp/home",
		"--bind", w.root, w.root,
		// .git holds hooks and config that run on the host when a person
		// uses git there: a sandboxed command must not plant them.
		"--ro-bind-try", filepath.Join(w.root, ".git"), filepath.Join(w.root, ".git"),
	)
	// The workspace bind covers masks inside it (a workspace holding a
	// home directory): mask those again.
	for _, m := range masks {
		if p := m[len(m)-1]; strings.HasPrefix(p, w.root+"/") {
			argv = append(argv, m...)
		}
	}
	return append(argv, "--chdir", w.root, "--", "/bin/sh", "-c", command)
}

// maskArgs turns host paths into bwrap arguments hiding them: an empty
// tmpfs over a directory, /dev/null over a file. Absent paths are skipped;
// symlinks are masked at their real path, where bwrap mounts.
func maskArgs(paths []string) [][]string {
	var out [][]string
	for _, p := range paths {
		p, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue
		}
		fi, err := os.Stat(p)
		switch {
		case err != nil:
		case fi.IsDir():
			out = append(out, []string{"--tmpfs", p})
		default:
			out = append(out, []string{"--ro-bind", "/dev/null", p})
		}
	}
	return out
}

// hiddenHomePaths are where credentials usually live under a home
// directory; bwrap mode masks them (an empty directory, or /dev/null for a
// file), so that a command cannot copy them into the workspace for the
// model to read.
var hiddenHomePaths = []string{
	".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".netrc", ".git-credentials",
	".npmrc", ".pypirc", ".pgpass", ".my.cnf", ".vault-token", ".password-store",
	".cargo/credentials", ".cargo/credentials.toml", ".terraform.d",
	".config/gcloud", ".config/gh", ".config/hub", ".config/frugal", ".local/share/keyrings",
	".frugal",
}

// hiddenPaths lists the host paths masked in bwrap mode: the credential
// locations under HOME, frugal's data directory, the host's password
// hashes and SSH host keys, and extra.
func hiddenPaths(env, extra []string) []string {
	var home, frugalHome string
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME":
			home = v
		case "FRUGAL_HOME":
			frugalHome = v
		}
	}
	ps := []string{"/etc/shadow", "/etc/gshadow", "/etc/ssh"}
	if home != "" && filepath.IsAbs(home) && home != "/" {
		for _, p := range hiddenHomePaths {
			ps = append(ps, filepath.Join(home, p))
		}
	}
	if filepath.IsAbs(frugalHome) {
		ps = append(ps, filepath.Clean(frugalHome))
	}
	for _, p := range extra {
		if filepath.IsAbs(p) {
			ps = append(ps, filepath.Clean(p))
		}
	}
	return ps
}

// underTmp lists the directories of PATH and the Go locations in env that
// lie under /tmp.
func underTmp(env []string) []string {
	var dirs []string
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH":
			for _, d := range filepath.SplitList(v) {
				if strings.HasPrefix(d, "/tmp/") {
					dirs = append(dirs, filepath.Clean(d))
				}
			}
		case "GOCACHE", "GOMODCACHE", "GOROOT":
			if strings.HasPrefix(v, "/tmp/") {
				dirs = append(dirs, filepath.Clean(v))
			}
		}
	}
	return dirs
}
