package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

// checkRun runs the gate's command in the workspace sandbox with the
// gate's timeout (0: the workspace's). It passes on exit 0; the feedback
// gives the command, how it ended and the tail of its output.
func checkRun(ctx context.Context, ws *tool.Workspace, g frugal.Gate, max int) (bool, string) {
	r, err := ws.Run(ctx, g.Run, g.Timeout)
	if err != nil {
		return false, fmt.Sprintf("$ %s\ncould not run: %v", g.Run, err)
	}
	var head string
	switch {
	case r.TimedOut:
		head = fmt.Sprintf("$ %s\ntimed out after %s; killed", g.Run, round(r.Duration))
	default:
		head = fmt.Sprintf("$ %s\nexit code %d after %s", g.Run, r.ExitCode, round(r.Duration))
	}
	ok := !r.TimedOut && r.ExitCode == 0
	if ok || r.OutputBytes == 0 {
		if !ok {
			head += " (no output)"
		}
		return ok, head
	}
	room := max - len(head) - 64
	return ok, head + "; the end of its output:\n" + tool.ClipTail(strings.TrimRight(r.Output, "\n")+"\n", room)
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}
