package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
	"github.com/frugal-dev/frugal/verify"
)

// plan asks the planner tier for a plan, retrying an invalid plan with the
// validation error as feedback and escalating up the ladder.
func (x *execution) plan(ctx context.Context) error {
	rungs := ladderFrom(x.a, "planner")
	t := &x.st.PlanTry
	for {
		if t.Attempt >= x.a.Limits.AttemptsPerRung {
			t.Rung++
			t.Attempt = 0
			if t.Rung < len(rungs) {
				x.decide("planning escalated to %s after %d invalid plans", rungs[t.Rung], x.a.Limits.AttemptsPerRung)
			}
		}
		if t.Rung >= len(rungs) {
			return &stepFailure{msg: "no valid plan after every rung of the ladder: " + oneLine(t.Feedback, 1000)}
		}
		tier := rungs[t.Rung]
		t.Attempt++
		if err := x.save(); err != nil {
			return err
		}
		x.progress("planning · %s attempt %d", tier, t.Attempt)
		out, model, err := x.session(ctx, x.planSpec(tier, t.Feedback))
		if err != nil {
			if isFatal(err) {
				if notAnAttempt(ctx, err) {
					t.Attempt--
					_ = x.save()
				}
				return err
			}
			t.Feedback = err.Error()
			continue
		}
		p, err := ParsePlan(out)
		if err != nil {
			t.Feedback = err.Error()
			x.record("plan_invalid", map[string]any{"tier": tier, "model": model, "error": err.Error()})
			x.progress("plan invalid: %s", oneLine(err.Error(), 120))
			continue
		}
		x.st.Plan = p
		x.st.Steps = make([]StepState, len(p.Steps))
		for i, s := range p.Steps {
			x.st.Steps[i] = StepState{ID: s.ID, Status: StepPending}
		}
		x.record("plan", map[string]any{"tier": tier, "model": model, "plan": p})
		x.decide("planned %d steps (%s, %s)", len(p.Steps), tier, model)
		x.progress("plan: %d steps (%s)", len(p.Steps), stepKinds(p))
		return x.save()
	}
}

// step runs plan step i to acceptance: mechanical steps run their command;
// work and judgment steps climb their ladder, one fresh session per
// attempt, each verified by the step's gates.
func (x *execution) step(ctx context.Context, i int) error {
	ps := x.st.Plan.Steps[i]
	ss := &x.st.Steps[i]
	n := len(x.st.Plan.Steps)
	if ps.Kind == KindMechanical {
		return x.mechanical(ctx, i)
	}
	rungs := ladderFor(x.a, ps.Kind)
	gates := x.gatesFor(ps)
	for {
		if ss.Try.Attempt >= x.a.Limits.AttemptsPerRung {
			ss.Try.Rung++
			ss.Try.Attempt = 0
			if ss.Try.Rung < len(rungs) {
				x.decide("step %s escalated %s -> %s after %d failed attempts: %s", ps.ID, rungs[ss.Try.Rung-1], rungs[ss.Try.Rung], x.a.Limits.AttemptsPerRung, firstLine(ss.Try.Feedback))
				x.progress("%s escalated to %s", stepTitle(i, n, ps), rungs[ss.Try.Rung])
			}
		}
		if ss.Try.Rung >= len(rungs) {
			ss.Status = StepFailed
			return &stepFailure{msg: fmt.Sprintf("step %s (%s) failed at the top of the ladder: %s", ps.ID, ps.Title, oneLine(ss.Try.Feedback, 1500))}
		}
		tier := rungs[ss.Try.Rung]
		ss.Try.Attempt++
		if err := x.save(); err != nil {
			return err
		}
		x.progress("%s · %s attempt %d · %s", stepTitle(i, n, ps), tier, ss.Try.Attempt, x.capNote())
		snap, err := verify.TakeSnapshot(x.ws, verify.SnapshotPaths(gates))
		if err != nil {
			return err
		}
		spec := x.workSpec(i, tier, ss.Try.Feedback)
		if ps.Kind == KindJudgment {
			spec = x.judgeSpec(i, tier, ss.Try.Feedback)
		}
		out, model, err := x.session(ctx, spec)
		if err != nil {
			if isFatal(err) {
				if notAnAttempt(ctx, err) {
					// Not an attempt: nothing was tried. Resume retries it.
					ss.Try.Attempt--
					_ = x.save()
				}
				return err
			}
			ss.Try.Feedback = "The previous attempt did not finish: " + err.Error()
			x.progress("attempt failed: %s", oneLine(err.Error(), 120))
			continue
		}
		passed, results := verify.All(ctx, x.ws, gates, verify.Input{Output: out, Snapshot: snap})
		x.record("verify", map[string]any{"step": ps.ID, "tier": tier, "model": model, "passed": passed, "results": results})
		if passed {
			ss.Status = StepDone
			ss.Tier, ss.Model = tier, string(model)
			ss.Output = clipBytes(out, 2000)
			ss.Try.Feedback = ""
			x.decide("step %s accepted (%s, %s, attempt %d): %s", ps.ID, tier, model, ss.Try.Attempt, oneLine(ps.Title, 120))
			x.progress("%s accepted (%d gates)", stepTitle(i, n, ps), len(gates))
			return x.save()
		}
		ss.Try.Feedback = verify.Feedback(results)
		x.progress("%s verify failed: %s", stepTitle(i, n, ps), firstLine(ss.Try.Feedback))
		if err := x.save(); err != nil {
			return err
		}
	}
}

// mechanical runs a mechanical step's command in the sandbox, with no
// model: it passes when the command exits 0 and the step's gates pass. A
// failure is deterministic, so it is not retried: the run fails with the
// command's output as evidence.
func (x *execution) mechanical(ctx context.Context, i int) error {
	ps := x.st.Plan.Steps[i]
	ss := &x.st.Steps[i]
	n := len(x.st.Plan.Steps)
	gates := make([]frugal.Gate, 0, len(ps.Verify))
	for _, g := range ps.Verify {
		gates = append(gates, g.Gate())
	}
	snap, err := verify.TakeSnapshot(x.ws, verify.SnapshotPaths(gates))
	if err != nil {
		return err
	}
	x.progress("%s · no model · $0", stepTitle(i, n, ps))
	res, err := x.ws.Run(ctx, ps.Command, x.a.Limits.CommandTimeout)
	if err != nil {
		return err
	}
	x.record("command", map[string]any{"step": ps.ID, "result": res})
	if res.ExitCode != 0 {
		ss.Status = StepFailed
		why := fmt.Sprintf("exit code %d", res.ExitCode)
		if res.TimedOut {
			why = "timed out"
		}
		return &stepFailure{msg: fmt.Sprintf("mechanical step %s `%s` failed (%s): %s", ps.ID, ps.Command, why, oneLine(tool.ClipTail(res.Output, 1500), 1500))}
	}
	if passed, results := verify.All(ctx, x.ws, gates, verify.Input{Output: res.Output, Snapshot: snap}); !passed {
		ss.Status = StepFailed
		return &stepFailure{msg: fmt.Sprintf("mechanical step %s: %s", ps.ID, oneLine(verify.Feedback(results), 1500))}
	}
	ss.Status = StepDone
	ss.Tier = "mechanical"
	ss.Output = clipBytes(res.Output, 2000)
	x.decide("step %s accepted (mechanical, no model): %s", ps.ID, oneLine(ps.Title, 120))
	return x.save()
}

// gatesFor returns the gates of a step: its own, or the agent's when the
// plan gave it none (the agent's gates are what "done" means).
func (x *execution) gatesFor(ps PlanStep) []frugal.Gate {
	if len(ps.Verify) == 0 {
		return x.a.Verify
	}
	gates := make([]frugal.Gate, 0, len(ps.Verify))
	for _, g := range ps.Verify {
		gates = append(gates, g.Gate())
	}
	return gates
}

// notAnAttempt reports whether a session that ended with err tried
// nothing worth counting: denied by a cap, interrupted, or no provider
// answered. Resume makes that attempt again.
func notAnAttempt(ctx context.Context, err error) bool {
	code := frugal.ErrorCode(err)
	return code == frugal.EBUDGET || code == frugal.EUNAVAILABLE || ctx.Err() != nil
}

// isFatal reports whether err ends the run rather than the attempt: a cap's
// denial, an interruption, an invalid request, no provider reachable.
func isFatal(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	switch frugal.ErrorCode(err) {
	case frugal.EBUDGET, frugal.EUNAVAILABLE, frugal.EINVALID, frugal.ENOTFOUND:
		return true
	}
	return false
}

func stepKinds(p *Plan) string {
	counts := map[string]int{}
	for _, s := range p.Steps {
		counts[s.Kind]++
	}
	return fmt.Sprintf("%d mechanical, %d work, %d judgment", counts[KindMechanical], counts[KindWork], counts[KindJudgment])
}
