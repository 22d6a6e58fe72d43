package runner

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
)

// The system prompts are constants: the stable prefix every session of a
// tier shares, first in every request so that prompt caches can reuse it.
const (
	plannerSystem = `You are the planner of an autonomous agent run by frugal. Decompose the goal into the fewest steps that reach it, as JSON matching the given schema.
Step kinds:
- "mechanical": a shell command the runtime runs itself with no model (formatting, running a generator, checking a condition). Prefer it whenever no judgment is needed. Give "command".
- "work": the worker edits the workspace with file and command tools. Give precise "instructions" and the "files" it needs to see.
- "judgment": a decision that needs care, made by a stronger model in a fresh session. Use it rarely.
A step may carry "verify" gates (run, contains, regex, file_exists, file_changed); without them a work step is checked by the agent's own gates.
Answer with the JSON plan only.`

	workerSystem = `You are the worker of an autonomous agent run by frugal. Do exactly the step you are given inside the workspace, using the tools. Read only the files you need; make the smallest change that does the step; run the checks you are told about.
When the step is done, answer with a short summary of what you changed and no tool call. Do not ask questions: nobody is watching.`

	judgeSystem = `You are the judge of an autonomous agent run by frugal. You are called only for a decision that needs care. Decide from the material given, state the decision on the first line, then the reasons in a few lines. Answer exactly in the format the step asks for.`

	digestSystem = `You maintain the memory digest of an autonomous agent: the only memory its next session will read. Rewrite it from the old digest and this run's log. Keep what a future run needs (state of the work, decisions, open problems, facts about the workspace); drop what is done and no longer matters. Plain markdown bullets, no preamble.`
)

func (x *execution) planSpec(tier, feedback string) sessionSpec {
	var b strings.Builder
	fmt.Fprintf(&b, "# Goal\n%s\n\n", x.a.Goal)
	x.writeDigestSection(&b)
	fmt.Fprintf(&b, "# Workspace files\n%s\n\n", x.workspaceSummary(200))
	if len(x.a.Verify) > 0 {
		b.WriteString("# The agent's own gates (all must pass at the end)\n")
		for _, g := range x.a.Verify {
			fmt.Fprintf(&b, "- %s\n", g)
		}
		b.WriteString("\n")
	}
	if feedback != "" {
		fmt.Fprintf(&b, "# Your previous plan was rejected\n%s\n\nFix it.\n", clipTokens(feedback, x.a.Limits.ContextTokens/8))
	}
	return sessionSpec{step: "plan", tier: tier, system: plannerSystem, material: b.String(), schema: PlanSchema(), turns: 1}
}

func (x *execution) workSpec(i int, tier, feedback string) sessionSpec {
	return sessionSpec{
		step: x.st.Plan.Steps[i].ID, tier: tier, system: workerSystem, tools: x.ws.Tools(),
		material: x.stepMaterial(i, feedback, x.a.Limits.ContextTokens/3),
		turns:    x.a.Limits.ToolTurns, cache: true,
	}
}

func (x *execution) judgeSpec(i int, tier, feedback string) sessionSpec {
	return sessionSpec{
		step: x.st.Plan.Steps[i].ID, tier: tier, system: judgeSystem,
		material: x.stepMaterial(i, feedback, x.a.Limits.ContextTokens/2),
		turns:    1,
	}
}

// stepMaterial is a step's own material: goal, digest, the step, the files
// it names (within fileBudget tokens) and the previous attempt's failure.
// Earlier steps appear only through their one-line outcomes.
func (x *execution) stepMaterial(i int, feedback string, fileBudget int64) string {
	ps := x.st.Plan.Steps[i]
	var b strings.Builder
	fmt.Fprintf(&b, "# Goal\n%s\n\n", x.a.Goal)
	x.writeDigestSection(&b)
	if i > 0 {
		b.WriteString("# Steps already done in this run\n")
		for j := 0; j < i; j++ {
			fmt.Fprintf(&b, "- %s: %s\n", x.st.Plan.Steps[j].ID, oneLine(x.st.Plan.Steps[j].Title, 120))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "# Your step (%d of %d): %s\n%s\n\n", i+1, len(x.st.Plan.Steps), ps.Title, ps.Instructions)
	gates := x.gatesFor(ps)
	if len(gates) > 0 {
		b.WriteString("# It is accepted when these checks pass\n")
		for _, g := range gates {
			fmt.Fprintf(&b, "- %s\n", g)
		}
		b.WriteString("\n")
	}
	if len(ps.Files) > 0 {
		b.WriteString("# Files\n")
		per := fileBudget / int64(len(ps.Files))
		for _, f := range ps.Files {
			data, err := x.ws.ReadFile(f, 256<<10)
			if err != nil {
				fmt.Fprintf(&b, "## %s\n(unreadable: %v)\n\n", f, err)
				continue
			}
			fmt.Fprintf(&b, "## %s\n```\n%s\n```\n\n", f, clipTokens(string(data), per))
		}
	}
	if feedback != "" {
		fmt.Fprintf(&b, "# The previous attempt failed verification\n%s\n\nFix what failed.\n", clipTokensTail(feedback, x.a.Limits.ContextTokens/8))
	}
	return b.String()
}

func (x *execution) writeDigestSection(b *strings.Builder) {
	if strings.TrimSpace(x.digest) == "" {
		return
	}
	fmt.Fprintf(b, "# Memory (digest of earlier runs)\n%s\n\n", x.digest)
}

// workspaceSummary lists up to n workspace files, for the planner.
func (x *execution) workspaceSummary(n int) string {
	var files []string
	more := 0
	_ = fs.WalkDir(x.ws.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "node_modules" {
				return fs.SkipDir
			}
			return nil
		}
		if len(files) < n {
			files = append(files, p)
		} else {
			more++
		}
		return nil
	})
	sort.Strings(files)
	s := strings.Join(files, "\n")
	if more > 0 {
		s += fmt.Sprintf("\n… and %d more files", more)
	}
	if s == "" {
		s = "(empty)"
	}
	return s
}

// digestTimeout bounds the digest call at the end of a run.
const digestTimeout = 2 * time.Minute

// writeDigest rewrites memory.md with the cheapest tier, within
// digest_tokens. If that call cannot be made (a cap, a provider down) the
// digest is updated mechanically instead: the run's outcome is appended
// and the oldest lines dropped.
func (x *execution) writeDigest(ctx context.Context) {
	decisions, _ := x.store.Decisions(40)
	var runLog []string
	for _, d := range decisions {
		if strings.Contains(d, "run "+x.st.RunID+":") {
			runLog = append(runLog, d)
		}
	}
	outcome := fmt.Sprintf("- %s run %s: %s", x.r.o.Now().UTC().Format("2006-01-02"), x.st.RunID, x.st.Status)
	if x.st.Error != "" {
		outcome += ": " + oneLine(x.st.Error, 200)
	}
	limit := x.a.Limits.DigestTokens
	tier := x.cheapestTier()
	material := fmt.Sprintf("# Old digest\n%s\n\n# This run's log\n%s\n%s\n\nWrite the new digest in at most %d tokens.",
		orNone(x.digest), strings.Join(runLog, "\n"), outcome, limit*3/4)
	// The run is over: its digest may not hold it up for long.
	ctx, cancel := context.WithTimeout(ctx, digestTimeout)
	defer cancel()
	text, model, err := x.session(ctx, sessionSpec{step: "digest", tier: tier, system: digestSystem, material: material, turns: 1, maxOutput: limit})
	if err != nil || strings.TrimSpace(text) == "" {
		x.r.o.Logger.Info("digest rewritten mechanically", "err", err)
		text = clipTokensTail(strings.TrimSpace(x.digest+"\n"+outcome), limit)
		model = "mechanical"
	}
	text = clipTokens(strings.TrimSpace(text), limit)
	if err := x.store.WriteDigest(text + "\n"); err != nil {
		x.r.o.Logger.Warn("write digest", "err", err)
		return
	}
	x.record("digest", map[string]any{"tier": tier, "model": model, "tokens": len(text)})
}

// cheapestTier is the tier whose first model has the lowest input plus
// output price.
func (x *execution) cheapestTier() string {
	best, bestCost := "", frugal.Rate(-1)
	for _, tier := range sortedTiers(x.a) {
		p, err := x.r.o.Brains.Price(x.a.Brains[tier][0])
		if err != nil {
			continue
		}
		if c := p.Input + p.Output; bestCost < 0 || c < bestCost {
			best, bestCost = tier, c
		}
	}
	if best == "" {
		return x.a.Ladder[0]
	}
	return best
}

func sortedTiers(a *frugal.Agent) []string {
	tiers := make([]string, 0, len(a.Brains))
	for t := range a.Brains {
		tiers = append(tiers, t)
	}
	sort.Strings(tiers)
	return tiers
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none yet)"
	}
	return s
}
