// Package runner is frugal's agent loop: plan with a cheap tier, run each
// step mechanically or in a fresh lean session, verify with deterministic
// gates, retry with the failure as feedback and escalate up the ladder. It
// defers a run when a cap denies a call and resumes it from durable state.
package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/memory"
	"github.com/frugal-dev/frugal/tool"
)

// Ledger is what the runner needs of the spend ledger beyond the metered
// calls: the agent's caps, and the run's spend for its summary.
type Ledger interface {
	SetBudget(ctx context.Context, b frugal.Budget) error
	DeleteBudget(ctx context.Context, scope frugal.Scope, name string, window frugal.Window) error
	Spend(ctx context.Context, f frugal.SpendFilter) ([]frugal.SpendRow, frugal.SpendRow, error)
}

// Options configure a Runner. Home, Brains and Ledger are required.
type Options struct {
	Home   string         // FRUGAL_HOME: agents/<name>/ lives here
	Brains *brains.Client // metered calls; its ledger is Ledger
	Ledger Ledger
	// Progress receives live progress lines; nil: quiet.
	Progress io.Writer
	// Isolation overrides the agent's isolation mode when set.
	Isolation frugal.Isolation
	Logger    *slog.Logger
	Now       func() time.Time
	// NewRunID makes run IDs; nil: a time-ordered random ID.
	NewRunID func() string
}

// Runner runs agents. One Runner may run several agents at once; one agent
// runs at most once at a time (a lock file in its directory).
type Runner struct {
	o Options
}

// New returns a Runner.
func New(o Options) *Runner {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewRunID == nil {
		now := o.Now
		o.NewRunID = func() string {
			var b [3]byte
			_, _ = rand.Read(b[:])
			return "r" + now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
		}
	}
	return &Runner{o: o}
}

// Run runs agent a once. If the agent has an unfinished run (deferred by
// a cap, or interrupted by a crash), Run continues it instead of starting
// a new one, so nothing already paid for is paid again. The summary's
// Status says how it ended; an error means the run could not be carried
// out at all (bad input, the store unreachable).
func (r *Runner) Run(ctx context.Context, a *frugal.Agent) (Summary, error) {
	return r.run(ctx, a, "")
}

// Resume continues the unfinished run runID of agent a; it is an error
// (ENOTFOUND) when that is not the agent's current run, and EINVALID when
// the run already finished.
func (r *Runner) Resume(ctx context.Context, a *frugal.Agent, runID string) (Summary, error) {
	return r.run(ctx, a, runID)
}

// FindRun returns the agent name and agent file of run runID, looking
// through every agent's state under home.
func FindRun(home, runID string) (agent, agentFile string, status Status, err error) {
	names, err := memory.ListAgents(home)
	if err != nil {
		return "", "", "", err
	}
	for _, n := range names {
		st, err := memory.Open(home, n)
		if err != nil {
			continue
		}
		var s State
		found, err := st.LoadState(&s)
		st.Close()
		if err == nil && found && s.RunID == runID {
			return s.Agent, s.AgentFile, s.Status, nil
		}
	}
	return "", "", "", frugal.Errorf(frugal.ENOTFOUND, "no run %q under %s (only an agent's latest run can be resumed)", runID, home)
}

func (r *Runner) run(ctx context.Context, a *frugal.Agent, resumeID string) (Summary, error) {
	store, err := memory.Open(r.o.Home, a.Name)
	if err != nil {
		return Summary{}, err
	}
	defer store.Close()
	unlock, err := lockAgent(store.Dir())
	if err != nil {
		return Summary{}, err
	}
	defer unlock()

	var st State
	found, err := store.LoadState(&st)
	if err != nil {
		return Summary{}, err
	}
	resumed := found && !st.Status.Finished()
	switch {
	case resumeID != "" && (!found || st.RunID != resumeID):
		return Summary{}, frugal.Errorf(frugal.ENOTFOUND, "run %q is not agent %s's current run", resumeID, a.Name)
	case resumeID != "" && !resumed:
		return Summary{}, frugal.Errorf(frugal.EINVALID, "run %s already %s; start a new one with frugal run", resumeID, st.Status)
	case !resumed:
		now := r.o.Now().UTC()
		st = State{Version: 1, RunID: r.o.NewRunID(), Agent: a.Name, Status: StatusPlanning, StartedAt: now}
	}
	st.AgentFile = a.File
	st.Deferral, st.Error = nil, ""

	if err := r.applyBudgets(ctx, a); err != nil {
		return Summary{}, err
	}
	iso := a.Isolation
	if r.o.Isolation != "" {
		iso = r.o.Isolation
	}
	ws, err := tool.NewWorkspace(a.Workspace, tool.Options{
		Isolation:      iso,
		CommandTimeout: a.Limits.CommandTimeout,
		// A tool result may take about a quarter of the context (a byte
		// is at most a token), so that a session can always hold one.
		MaxResultBytes: int(min(max(a.Limits.ContextTokens, 1024), 16<<10)),
		Hide:           []string{r.o.Home},
		Now:            r.o.Now,
	})
	if err != nil {
		return Summary{}, err
	}
	defer ws.Close()
	tr, err := store.Transcript(st.RunID)
	if err != nil {
		return Summary{}, err
	}
	defer tr.Close()

	x := &execution{r: r, a: a, st: &st, store: store, ws: ws, tr: tr, resumed: resumed}
	if a.Limits.WallTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.Limits.WallTime)
		defer cancel()
	}
	runErr := x.execute(ctx)
	sum, serr := r.summarize(context.WithoutCancel(ctx), &st)
	sum.Resumed = resumed
	return sum, errors.Join(runErr, serr)
}

// applyBudgets makes the ledger's caps for agent a match its file: caps it
// sets are upserted, windows it leaves out are removed.
func (r *Runner) applyBudgets(ctx context.Context, a *frugal.Agent) error {
	want := map[frugal.Window]frugal.Money{frugal.WindowRun: a.Budget.Run, frugal.WindowDay: a.Budget.Day, frugal.WindowMonth: a.Budget.Month}
	for _, w := range []frugal.Window{frugal.WindowRun, frugal.WindowDay, frugal.WindowMonth} {
		if want[w] > 0 {
			if err := r.o.Ledger.SetBudget(ctx, frugal.Budget{Scope: frugal.ScopeAgent, Name: a.Name, Window: w, Limit: want[w]}); err != nil {
				return fmt.Errorf("set %s cap of agent %s: %w", w, a.Name, err)
			}
		} else if err := r.o.Ledger.DeleteBudget(ctx, frugal.ScopeAgent, a.Name, w); err != nil && frugal.ErrorCode(err) != frugal.ENOTFOUND {
			return fmt.Errorf("remove %s cap of agent %s: %w", w, a.Name, err)
		}
	}
	return nil
}

// summarize builds the run's summary from the ledger, so that calls made
// before a deferral or a crash count too.
func (r *Runner) summarize(ctx context.Context, st *State) (Summary, error) {
	s := Summary{RunID: st.RunID, Agent: st.Agent, Status: st.Status, Steps: len(st.Steps), Deferral: st.Deferral, Error: st.Error, ByTier: map[string]TierSummary{}}
	if st.Status == StatusPlanning || st.Status == StatusRunning {
		// Stopped in flight: scripts see failed (DESIGN's statuses), and
		// the state stays where resume continues.
		s.Status, s.Resumable = StatusFailed, true
	}
	for _, ss := range st.Steps {
		if ss.Status == StepDone {
			s.Done++
		}
	}
	rows, total, err := r.o.Ledger.Spend(ctx, frugal.SpendFilter{By: []string{"tier"}, Run: st.RunID, Agent: st.Agent})
	if err != nil {
		return s, fmt.Errorf("summarize run %s: %w", st.RunID, err)
	}
	for _, row := range rows {
		s.ByTier[row.Keys[0]] = TierSummary{Calls: row.Calls, Cost: row.Cost}
	}
	s.Calls, s.Cost = total.Calls, total.Cost
	s.Tokens = Tokens{Input: total.Usage.Input, CacheRead: total.Usage.CacheRead, CacheWrite: total.Usage.CacheWrite(), Output: total.Usage.Output}
	return s, nil
}

// lockAgent takes the agent's run lock, so that two processes never run
// one agent at once; the kernel drops it if the process dies.
func lockAgent(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, "run.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, frugal.Errorf(frugal.EUNAVAILABLE, "agent %s is already running (lock %s held)", filepath.Base(dir), path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
