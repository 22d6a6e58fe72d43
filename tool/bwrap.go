package tool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// bwrapCandidates are the namespace flags tried in order; the first that
// runs here is used. Every one unshares all namespaces (network included)
// and, run as root, drops every capability: without --cap-drop a root
// sandbox could simply remount / read-write.
var bwrapCandidates = [][]string{
	// A user namespace, and none nested inside it.
	{"--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL", "--die-with-parent", "--new-session"},
	// Where user namespaces are not available (root in some containers).
	{"--unshare-all", "--cap-drop", "ALL", "--die-with-parent", "--new-session"},
}

var (
	probeOnce sync.Once
	probeArgs []string
	probeErr  error
)

// probeBwrap finds bwrap and the first candidate flag set that runs a
// trivial command here, once per process. It returns the binary followed by
// the flags.
func probeBwrap() ([]string, error) {
	probeOnce.Do(func() { probeArgs, probeErr = probe() })
	return probeArgs, probeErr
}

func probe() ([]string, error) {
	bin, err := exec.LookPath("bwrap")
	if err != nil {
		return nil, errors.New("bwrap not found in PATH")
	}
	dir, err := os.MkdirTemp("", "frugal-probe-")
	if err != nil {
		return nil, fmt.Errorf("probe bwrap: %w", err)
	}
	defer os.RemoveAll(dir)
	var last error
	for _, flags := range bwrapCandidates {
		args := append([]string{bin}, flags...)
		w := &Workspace{root: dir, bwrap: args}
		argv := w.bwrapArgv("test -w . && ! test -w /usr", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
		cancel()
		if err == nil {
			return args, nil
		}
		last = fmt.Errorf("%s %s: %w: %s", bin, strings.Join(flags, " "), err, strings.TrimSpace(string(out)))
	}
	return nil, fmt.Errorf("bwrap does not run here: %w", last)
}
