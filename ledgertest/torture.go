package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/frugal-dev/frugal"
)

// Torture is a concurrent workload of reserve/settle cycles against
// overlapping caps: a global total cap, agent day caps, agent and global
// run caps, and run-scope caps. Several processes may run it on one store,
// each with its own Proc index; the caps depend only on the totals, so all
// processes and the checker agree on them.
type Torture struct {
	Procs   int    // processes sharing the store
	Proc    int    // this process's index, 0..Procs-1
	Workers int    // goroutines per process
	Cycles  int    // reserve/settle cycles per goroutine
	Seed    uint64 // randomness of this process's workload
}

// Tally is what one or more torture runs observed, to be checked against
// the store.
type Tally struct {
	Calls    int64            `json:"calls"`     // calls whose first Settle returned
	Settled  frugal.Money     `json:"settled"`   // their costs
	Released int64            `json:"released"`  // holds released unsettled
	Denied   int64            `json:"denied"`    // reserves denied
	DeniedBy map[string]int64 `json:"denied_by"` // denials by "scope/window"
}

// Add returns the sum of two tallies.
func (a Tally) Add(b Tally) Tally {
	out := Tally{Calls: a.Calls + b.Calls, Settled: a.Settled + b.Settled, Released: a.Released + b.Released,
		Denied: a.Denied + b.Denied, DeniedBy: map[string]int64{}}
	for k, v := range a.DeniedBy {
		out.DeniedBy[k] += v
	}
	for k, v := range b.DeniedBy {
		out.DeniedBy[k] += v
	}
	return out
}

const (
	cyclesPerRun = 50
	maxWorst     = 20_000 // micro-dollars
	nAgents      = 4
)

func (cfg Torture) totalCycles() int64 { return int64(cfg.Procs * cfg.Workers * cfg.Cycles) }

func agentName(i int) string { return fmt.Sprintf("agent-%d", i%nAgents) }

func runName(proc, worker, n int) string { return fmt.Sprintf("p%d-w%d-r%d", proc, worker, n) }

// Caps are the caps the torture runs against. With worst cases averaging
// 10,000 µ$ and actuals half of that, each of them binds during the run.
func (cfg Torture) Caps() []frugal.Budget {
	n := frugal.Money(cfg.totalCycles())
	bs := []frugal.Budget{
		{Scope: frugal.ScopeGlobal, Window: frugal.WindowTotal, Limit: n * 1200},
		{Scope: frugal.ScopeGlobal, Window: frugal.WindowRun, Limit: 150_000},
		{Scope: frugal.ScopeAgent, Name: agentName(0), Window: frugal.WindowDay, Limit: n / nAgents * 1000},
		{Scope: frugal.ScopeAgent, Name: agentName(2), Window: frugal.WindowDay, Limit: n / nAgents * 1300},
		{Scope: frugal.ScopeAgent, Name: agentName(1), Window: frugal.WindowRun, Limit: 80_000},
	}
	for p := range cfg.Procs {
		for w := 0; w < cfg.Workers; w += 5 {
			bs = append(bs, frugal.Budget{Scope: frugal.ScopeRun, Name: runName(p, w, 3), Window: frugal.WindowTotal, Limit: 40_000})
		}
	}
	return bs
}

// Run drives cfg.Workers goroutines of cfg.Cycles cycles each: reserve a
// random worst case, then settle an actual cost no larger (5% of the time
// twice, to exercise idempotency) or release (10%). Any error other than
// a denial stops the run.
func (cfg Torture) Run(ctx context.Context, l frugal.Ledger) (Tally, error) {
	var mu sync.Mutex
	sum := Tally{DeniedBy: map[string]int64{}}
	errs := make(chan error, cfg.Workers)
	var wg sync.WaitGroup
	for w := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t, err := cfg.worker(ctx, l, w)
			mu.Lock()
			sum = sum.Add(t)
			mu.Unlock()
			if err != nil {
				errs <- fmt.Errorf("proc %d worker %d: %w", cfg.Proc, w, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return sum, errors.Join(all...)
}

func (cfg Torture) worker(ctx context.Context, l frugal.Ledger, w int) (Tally, error) {
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(cfg.Proc*100_000+w)))
	t := Tally{DeniedBy: map[string]int64{}}
	for i := range cfg.Cycles {
		req := frugal.ReserveRequest{
			Attribution: frugal.Attribution{Agent: agentName(w), Run: runName(cfg.Proc, w, i/cyclesPerRun),
				Step: fmt.Sprintf("step-%d", i%7), Tier: "worker"},
			Provider: "sim", Model: "sim/small",
			Worst: frugal.Money(1 + rng.IntN(maxWorst)),
		}
		h, err := l.Reserve(ctx, req)
		var d *frugal.Denial
		if errors.As(err, &d) {
			t.Denied++
			t.DeniedBy[string(d.Budget.Scope)+"/"+string(d.Budget.Window)]++
			continue
		}
		if err != nil {
			return t, fmt.Errorf("reserve: %w", err)
		}
		if rng.IntN(10) == 0 {
			if err := l.Release(ctx, h); err != nil {
				return t, fmt.Errorf("release: %w", err)
			}
			t.Released++
			continue
		}
		cost := frugal.Money(rng.Int64N(int64(h.Worst) + 1))
		s := frugal.Settlement{
			Usage:   frugal.Usage{Input: int64(cost) / 3, Output: int64(cost) / 7},
			Cost:    cost,
			Outcome: frugal.OutcomeOK,
		}
		c, err := l.Settle(ctx, h, s)
		if err != nil {
			return t, fmt.Errorf("settle: %w", err)
		}
		if c.Cost != cost || c.HoldID != h.ID {
			return t, fmt.Errorf("settle returned %+v for hold %s cost %s", c, h.ID, cost)
		}
		t.Calls++
		t.Settled += cost
		if rng.IntN(20) == 0 {
			s.Cost++
			again, err := l.Settle(ctx, h, s)
			if err != nil {
				return t, fmt.Errorf("settle again: %w", err)
			}
			if again.ID != c.ID || again.Cost != cost {
				return t, fmt.Errorf("second settle of hold %s returned call %d costing %s, want call %d costing %s",
					h.ID, again.ID, again.Cost, c.ID, cost)
			}
		}
	}
	return t, nil
}

// CheckTorture checks the store after torture runs whose tallies add up
// to tally: no cap was crossed (per run, per agent and day, in total),
// every hold was settled or released, the store's totals equal what the
// callers were told to the micro-dollar, the counters reconcile with the
// rows, and every kind of cap denied at least once (else the run proved
// nothing).
func CheckTorture(t testing.TB, l Ledger, cfg Torture, tally Tally) {
	t.Helper()
	ctx := context.Background()
	if err := l.Reconcile(ctx); err != nil {
		t.Errorf("Reconcile: %v", err)
	}
	caps, err := l.Caps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range caps {
		if c.Reserved != 0 {
			t.Errorf("%v: %s still reserved after every hold was settled or released", c.Budget, c.Reserved)
		}
		if c.Spent > c.Limit {
			t.Errorf("%v: spent %s crosses the cap", c.Budget, c.Spent)
		}
	}
	rows, total, err := l.Spend(ctx, frugal.SpendFilter{By: []string{"agent", "run", "day"}})
	if err != nil {
		t.Fatal(err)
	}
	if total.Calls != tally.Calls || total.Cost != tally.Settled {
		t.Errorf("store has %d calls costing %s; callers settled %d costing %s",
			total.Calls, total.Cost, tally.Calls, tally.Settled)
	}
	limits := map[string]frugal.Money{}
	for _, b := range cfg.Caps() {
		limits[string(b.Scope)+"/"+b.Name+"/"+string(b.Window)] = b.Limit
	}
	check := func(what string, spent frugal.Money, key string) {
		if lim, ok := limits[key]; ok && spent > lim {
			t.Errorf("%s spent %s, over its cap %s (%s)", what, spent, lim, key)
		}
	}
	agentDay := map[string]frugal.Money{}
	for _, r := range rows {
		agent, run, day := r.Keys[0], r.Keys[1], r.Keys[2]
		check("run "+run, r.Cost, "global//run")
		check("run "+run, r.Cost, "agent/"+agent+"/run")
		check("run "+run, r.Cost, "run/"+run+"/total")
		agentDay[agent+"/"+day] += r.Cost
	}
	for k, spent := range agentDay {
		agent, _, _ := strings.Cut(k, "/")
		check("agent/day "+k, spent, "agent/"+agent+"/day")
	}
	check("everything", total.Cost, "global//total")
	for _, kind := range []string{"global/total", "global/run", "agent/day", "agent/run", "run/total"} {
		if tally.DeniedBy[kind] == 0 {
			t.Errorf("no reserve was denied by a %s cap (denials: %v): the torture did not exercise it", kind, tally.DeniedBy)
		}
	}
	t.Logf("torture: %d calls settled (%s), %d released, %d denied %v", tally.Calls, tally.Settled, tally.Released, tally.Denied, tally.DeniedBy)
}
