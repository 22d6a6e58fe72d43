package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/memory"
	"github.com/frugal-dev/frugal/tool"
	"github.com/frugal-dev/frugal/verify"
)

// execution is one run in progress: the agent, its durable state and the
// workspace it acts in.
type execution struct {
	r       *Runner
	a       *frugal.Agent
	st      *State
	store   *memory.Store
	ws      *tool.Workspace
	tr      *memory.Transcript
	resumed bool
	digest  string
	spent   frugal.Money // this run's spend so far, for progress lines
}

// stepFailure ends a run as failed, with the evidence in its message.
type stepFailure struct{ msg string }

func (e *stepFailure) Error() string { return e.msg }

func (x *execution) execute(ctx context.Context) error {
	d, err := x.store.Digest()
	if err != nil {
		return err
	}
	x.digest = clipTokens(d, x.a.Limits.DigestTokens)
	if _, total, err := x.r.o.Ledger.Spend(ctx, frugal.SpendFilter{Run: x.st.RunID, Agent: x.a.Name}); err == nil {
		x.spent = total.Cost
	}
	if x.resumed {
		x.progress("resuming run %s (%s)", x.st.RunID, x.st.Status)
		x.record("resume", map[string]any{"status": x.st.Status})
	} else {
		x.progress("run %s: %s", x.st.RunID, oneLine(x.a.Goal, 100))
		x.record("start", map[string]any{"goal": x.a.Goal, "agent_file": x.a.File})
	}

	if x.st.Plan == nil {
		x.st.Status = StatusPlanning
		if err := x.save(); err != nil {
			return err
		}
		if err := x.plan(ctx); err != nil {
			return x.stop(ctx, err)
		}
	}
	x.st.Status = StatusRunning
	if err := x.save(); err != nil {
		return err
	}
	for i := range x.st.Plan.Steps {
		if x.st.Steps[i].Status == StepDone {
			continue
		}
		if err := x.step(ctx, i); err != nil {
			return x.stop(ctx, err)
		}
	}
	if !x.st.Final {
		if err := x.final(ctx); err != nil {
			return x.stop(ctx, err)
		}
	}
	return x.finish(ctx, StatusDone, "")
}

// final runs the agent's own gates once every step is done.
func (x *execution) final(ctx context.Context) error {
	if len(x.a.Verify) > 0 {
		passed, results := verify.All(ctx, x.ws, x.a.Verify, verify.Input{})
		x.record("final_verify", map[string]any{"passed": passed, "results": results})
		if !passed {
			return &stepFailure{msg: "final verification failed: " + oneLine(verify.Feedback(results), 1500)}
		}
		x.progress("final gates passed (%d)", len(x.a.Verify))
	}
	x.st.Final = true
	return x.save()
}

// stop turns the error that ended a run into its durable status: a cap's
// denial defers it, a failed step or the wall-time limit fails it, and an
// interruption (a signal) leaves it resumable.
func (x *execution) stop(ctx context.Context, err error) error {
	var d *frugal.Denial
	var sf *stepFailure
	switch {
	case errors.As(err, &d):
		def := &Deferral{Cap: d.Budget.String(), Limit: d.Budget.Limit, Spent: d.Spent, Reserved: d.Reserved, Requested: d.Requested, Message: d.Error()}
		if !d.ResetsAt.IsZero() {
			t := d.ResetsAt.UTC()
			def.ResetsAt = &t
		}
		x.st.Status = StatusDeferred
		x.st.Deferral = def
		x.progress("deferred: %s", d.Error())
		x.decide("deferred by %s", d.Error())
		x.record("deferred", def)
		return x.save()
	case errors.As(err, &sf):
		return x.finish(context.WithoutCancel(ctx), StatusFailed, sf.msg)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return x.finish(context.WithoutCancel(ctx), StatusFailed, fmt.Sprintf("wall time of %s exceeded", x.a.Limits.WallTime))
	case ctx.Err() != nil || frugal.ErrorCode(err) == frugal.EUNAVAILABLE:
		// Interrupted, or no provider of a tier answered: the run stays
		// resumable from the state on disk, nothing done is paid again.
		x.st.Error = err.Error()
		x.record("interrupted", map[string]any{"error": err.Error()})
		x.decide("interrupted, resumable: %s", oneLine(err.Error(), 300))
		_ = x.save()
		return err
	}
	_ = x.finish(context.WithoutCancel(ctx), StatusFailed, err.Error())
	return err
}

// finish ends the run: the digest is rewritten by the cheapest tier,
// the outcome is logged, the state is saved.
func (x *execution) finish(ctx context.Context, status Status, why string) error {
	x.st.Status = status
	x.st.Error = why
	if !x.st.Digested {
		x.writeDigest(ctx)
		x.st.Digested = true
	}
	if status == StatusDone {
		x.decide("run done: %d steps, %s", len(x.st.Steps), x.spent)
		x.progress("done: %d steps, %s", len(x.st.Steps), x.spent)
	} else {
		x.decide("run %s: %s", status, oneLine(why, 300))
		x.progress("%s: %s", status, oneLine(why, 300))
	}
	x.record("end", map[string]any{"status": status, "error": why})
	return x.save()
}

func (x *execution) save() error {
	x.st.UpdatedAt = x.r.o.Now().UTC()
	return x.store.SaveState(x.st)
}

// decide appends one line to the agent's decision log. A failure to log is
// not worth failing the run for: it is reported through the logger.
func (x *execution) decide(format string, args ...any) {
	line := fmt.Sprintf("run %s: ", x.st.RunID) + fmt.Sprintf(format, args...)
	if err := x.store.AppendDecision(line); err != nil {
		x.r.o.Logger.Warn("decision log", "err", err)
	}
}

// record appends an event to the run's transcript (for people; never
// re-sent to a model).
func (x *execution) record(event string, data any) {
	err := x.tr.Append(map[string]any{"t": x.r.o.Now().UTC().Format(time.RFC3339Nano), "event": event, "data": data})
	if err != nil {
		x.r.o.Logger.Warn("transcript", "err", err)
	}
}

func (x *execution) progress(format string, args ...any) {
	if x.r.o.Progress == nil {
		return
	}
	fmt.Fprintf(x.r.o.Progress, "%s %s\n", x.a.Name+":", fmt.Sprintf(format, args...))
}

// capNote is the run's spend against its per-run cap, for progress lines.
func (x *execution) capNote() string {
	if x.a.Budget.Run > 0 {
		return fmt.Sprintf("%s / run cap %s", x.spent, x.a.Budget.Run)
	}
	return x.spent.String()
}

// ladderFrom returns the rungs a task starting on tier climbs: tier
// itself, then the ladder's rungs above it (or, when tier is not on the
// ladder, the ladder's top rung if different).
func ladderFrom(a *frugal.Agent, tier string) []string {
	rungs := []string{tier}
	for i, t := range a.Ladder {
		if t == tier {
			return append(rungs, a.Ladder[i+1:]...)
		}
	}
	if n := len(a.Ladder); n > 0 && a.Ladder[n-1] != tier {
		rungs = append(rungs, a.Ladder[n-1])
	}
	return rungs
}

// ladderFor returns the rungs of a step of the given kind.
func ladderFor(a *frugal.Agent, kind string) []string {
	switch kind {
	case KindJudgment:
		if _, ok := a.Brains["judge"]; ok {
			return ladderFrom(a, "judge")
		}
		return a.Ladder[len(a.Ladder)-1:]
	case KindWork:
		return a.Ladder
	}
	return nil
}

func stepTitle(i, n int, s PlanStep) string {
	return fmt.Sprintf("step %d/%d %s %q", i+1, n, s.Kind, oneLine(s.Title, 60))
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return oneLine(s, 200)
}
