// Package verify owns the deterministic gates that decide whether a step's
// work is accepted: a command exiting 0, a JSON Schema, a regex or a
// substring, a file existing or changed. Each verdict carries bounded
// feedback written for the next attempt, and gates read and run only
// inside the workspace, through package tool's checks and sandbox.
package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

// DefaultMaxFeedback is the feedback kept per gate when Input.MaxFeedback
// is 0, in bytes: the end of a test run is where its failure summary is.
const DefaultMaxFeedback = 4 << 10

// maxTargetBytes bounds a file a gate reads (a schema, or the target of
// jsonschema, regex and contains).
const maxTargetBytes = 8 << 20

// Input is what gates check besides the workspace.
type Input struct {
	Output string // the step's output, the target of a gate with no File
	// Snapshot holds the workspace files as they were when the step began,
	// for file_changed; take it with TakeSnapshot over SnapshotPaths.
	Snapshot *Snapshot
	// MaxFeedback bounds each gate's feedback in bytes; 0: DefaultMaxFeedback.
	MaxFeedback int
}

// Check runs one gate. It never returns an error: a gate that cannot be
// checked (a malformed gate, a path outside the workspace, a schema that
// does not compile, a command that cannot start, a cancelled ctx) fails,
// with feedback saying why. The caller tells a cancellation apart by
// ctx.Err().
func Check(ctx context.Context, ws *tool.Workspace, g frugal.Gate, in Input) frugal.GateResult {
	max := in.MaxFeedback
	if max <= 0 {
		max = DefaultMaxFeedback
	}
	var (
		ok bool
		fb string
	)
	kind := g.Kind()
	switch {
	case kind == "":
		fb = "invalid gate: set exactly one of run, jsonschema, regex, contains, file_exists, file_changed"
	case ws == nil && (kind != "regex" && kind != "contains" || g.File != ""):
		fb = "gate needs a workspace and none was given"
	default:
		switch kind {
		case "run":
			ok, fb = checkRun(ctx, ws, g, max)
		case "jsonschema":
			ok, fb = checkSchema(ws, g, in.Output)
		case "regex":
			ok, fb = checkRegex(ws, g, in.Output, max)
		case "contains":
			ok, fb = checkContains(ws, g, in.Output, max)
		case "file_exists":
			ok, fb = checkExists(ws, g)
		case "file_changed":
			ok, fb = checkChanged(ws, g, in.Snapshot)
		}
	}
	return frugal.GateResult{Gate: g, Passed: ok, Feedback: tool.Clip(fb, max)}
}

// All runs every gate in order — it does not stop at the first failure, so
// that the feedback lists every failing gate — and reports whether all
// passed. An empty list passes.
func All(ctx context.Context, ws *tool.Workspace, gates []frugal.Gate, in Input) (passed bool, results []frugal.GateResult) {
	passed = true
	results = make([]frugal.GateResult, 0, len(gates))
	for _, g := range gates {
		r := Check(ctx, ws, g, in)
		passed = passed && r.Passed
		results = append(results, r)
	}
	return passed, results
}

// Feedback renders the failing gates of results for the next attempt, one
// block per gate naming it, "" when all passed. Its size is bounded by the
// gates' own bounded feedback.
func Feedback(results []frugal.GateResult) string {
	var b strings.Builder
	failed := 0
	for _, r := range results {
		if r.Passed {
			continue
		}
		failed++
		fmt.Fprintf(&b, "gate failed: %s\n", r.Gate)
		if r.Feedback != "" {
			b.WriteString(strings.TrimRight(r.Feedback, "\n"))
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d gates failed.\n\n", failed, len(results)) + strings.TrimRight(b.String(), "\n") + "\n"
}

// target returns what a jsonschema, regex or contains gate checks: the
// file it names, or the step's output. name says which, for messages.
func target(ws *tool.Workspace, g frugal.Gate, output string) (text, name string, err error) {
	if g.File == "" {
		return output, "the step output", nil
	}
	b, err := ws.ReadFile(g.File, maxTargetBytes)
	if err != nil {
		return "", g.File, err
	}
	return string(b), g.File, nil
}
