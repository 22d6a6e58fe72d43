package ledgertest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
)

var cases = []struct {
	name string
	fn   func(t *testing.T, l Ledger, c *Clock)
}{
	{"ReserveSettle", testReserveSettle},
	{"DenialFields", testDenialFields},
	{"DenialPicksLongestBlock", testDenialPicksLongestBlock},
	{"Release", testRelease},
	{"IdempotentSettle", testIdempotentSettle},
	{"SettleUnknownHold", testSettleUnknownHold},
	{"LeaseExpiry", testLeaseExpiry},
	{"DayRollover", testDayRollover},
	{"HoldAcrossMidnight", testHoldAcrossMidnight},
	{"WeekRollover", testWeekRollover},
	{"MonthEnd", testMonthEnd},
	{"RunCaps", testRunCaps},
	{"CapAddedLater", testCapAddedLater},
	{"DeleteBudget", testDeleteBudget},
	{"KeyCap", testKeyCap},
	{"BadInput", testBadInput},
	{"SpendReport", testSpendReport},
	{"ConcurrentExactFill", testConcurrentExactFill},
}

var bg = context.Background()

func req(agent, run string, worst frugal.Money) frugal.ReserveRequest {
	return frugal.ReserveRequest{
		Attribution: frugal.Attribution{Agent: agent, Run: run, Step: "s1", Tier: "worker"},
		Provider:    "sim", Model: "sim/small", Worst: worst,
	}
}

func mustReserve(t *testing.T, l Ledger, r frugal.ReserveRequest) frugal.Hold {
	t.Helper()
	h, err := l.Reserve(bg, r)
	if err != nil {
		t.Fatalf("Reserve(%s/%s, %s): %v", r.Agent, r.Run, r.Worst, err)
	}
	return h
}

func mustDeny(t *testing.T, l Ledger, r frugal.ReserveRequest) *frugal.Denial {
	t.Helper()
	h, err := l.Reserve(bg, r)
	var d *frugal.Denial
	if !errors.As(err, &d) {
		t.Fatalf("Reserve(%s/%s, %s) = hold %s, %v; want a *frugal.Denial", r.Agent, r.Run, r.Worst, h.ID, err)
	}
	if code := frugal.ErrorCode(err); code != frugal.EBUDGET {
		t.Fatalf("ErrorCode(denial) = %q, want %q", code, frugal.EBUDGET)
	}
	return d
}

func mustSettle(t *testing.T, l Ledger, h frugal.Hold, cost frugal.Money) frugal.Call {
	t.Helper()
	c, err := l.Settle(bg, h, frugal.Settlement{Usage: frugal.Usage{Input: 100, Output: 10}, Cost: cost, Outcome: frugal.OutcomeOK})
	if err != nil {
		t.Fatalf("Settle(%s, %s): %v", h.ID, cost, err)
	}
	return c
}

func capOf(t *testing.T, l Ledger, scope frugal.Scope, name string, w frugal.Window) frugal.CapStatus {
	t.Helper()
	caps, err := l.Caps(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range caps {
		if c.Scope == scope && c.Name == name && c.Window == w {
			return c
		}
	}
	t.Fatalf("no cap %s %q %s in %+v", scope, name, w, caps)
	return frugal.CapStatus{}
}

func mustReconcile(t *testing.T, l Ledger) {
	t.Helper()
	if err := l.Reconcile(bg); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
}

func total(t *testing.T, l Ledger, f frugal.SpendFilter) frugal.SpendRow {
	t.Helper()
	_, tot, err := l.Spend(bg, f)
	if err != nil {
		t.Fatal(err)
	}
	return tot
}

func testReserveSettle(t *testing.T, l Ledger, c *Clock) {
	r := frugal.ReserveRequest{
		Attribution: frugal.Attribution{Agent: "coder", Run: "run-1", Step: "plan", Tier: "planner", Key: "vk-1"},
		Provider:    "deepseek", Model: "deepseek/deepseek-chat", Worst: 5000, Lease: 2 * time.Minute,
	}
	h := mustReserve(t, l, r)
	if h.ID == "" || h.ReserveRequest != r || !h.CreatedAt.Equal(Base) || !h.ExpiresAt.Equal(Base.Add(2*time.Minute)) {
		t.Fatalf("hold = %+v; want the request, created %s, expiring 2m later", h, Base)
	}
	c.Advance(3 * time.Second)
	s := frugal.Settlement{
		Usage:   frugal.Usage{Input: 1200, CacheRead: 800, CacheWrite5m: 50, CacheWrite1h: 25, Output: 300, Reasoning: 120},
		Cost:    4321,
		Latency: 1500 * time.Millisecond,
		Outcome: frugal.OutcomeOK,
	}
	call, err := l.Settle(bg, h, s)
	if err != nil {
		t.Fatal(err)
	}
	want := frugal.Call{ID: call.ID, HoldID: h.ID, Time: Base, Attribution: r.Attribution, Provider: r.Provider,
		Model: r.Model, Worst: 5000, Settlement: s}
	want.IdempotencyKey = h.ID
	if call.ID <= 0 || !call.Time.Equal(Base) {
		t.Fatalf("call ID %d time %s; want ID > 0 and the hold's time %s", call.ID, call.Time, Base)
	}
	call.Time = want.Time
	if !reflect.DeepEqual(call, want) {
		t.Fatalf("call =\n%+v\nwant\n%+v", call, want)
	}
	rows, tot, err := l.Spend(bg, frugal.SpendFilter{By: []string{"agent", "model", "tier", "provider", "day", "run", "step"}})
	if err != nil {
		t.Fatal(err)
	}
	wantRow := frugal.SpendRow{Keys: []string{"coder", "deepseek/deepseek-chat", "planner", "deepseek", "2025-03-12", "run-1", "plan"},
		Calls: 1, Usage: s.Usage, Cost: 4321}
	if len(rows) != 1 || !reflect.DeepEqual(rows[0], wantRow) {
		t.Fatalf("spend rows = %+v, want [%+v]", rows, wantRow)
	}
	if tot.Calls != 1 || tot.Cost != 4321 || tot.Usage != s.Usage {
		t.Fatalf("spend total = %+v", tot)
	}
	mustReconcile(t, l)
}

func testDenialFields(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeGlobal, Window: frugal.WindowDay, Limit: frugal.Dollar}})
	a := mustReserve(t, l, req("a", "r1", 600_000))
	mustSettle(t, l, a, 400_000)
	mustReserve(t, l, req("a", "r1", 500_000)) // 400k + 500k ≤ 1M
	d := mustDeny(t, l, req("b", "r2", 200_000))
	want := frugal.Denial{
		Budget: frugal.Budget{Scope: frugal.ScopeGlobal, Window: frugal.WindowDay, Limit: frugal.Dollar},
		Spent:  400_000, Reserved: 500_000, Requested: 200_000,
		ResetsAt: time.Date(2025, time.March, 13, 0, 0, 0, 0, time.UTC),
	}
	if d.Budget != want.Budget || d.Spent != want.Spent || d.Reserved != want.Reserved ||
		d.Requested != want.Requested || !d.ResetsAt.Equal(want.ResetsAt) {
		t.Fatalf("denial = %+v, want %+v", *d, want)
	}
	mustReserve(t, l, req("b", "r2", 100_000)) // exactly reaches the limit
	mustDeny(t, l, req("b", "r2", 1))
	mustReserve(t, l, req("b", "r2", 0)) // a free call never crosses a cap
	st := capOf(t, l, frugal.ScopeGlobal, "", frugal.WindowDay)
	if st.Spent != 400_000 || st.Reserved != 600_000 || st.Remaining != 0 || !st.ResetsAt.Equal(want.ResetsAt) || st.Limit != frugal.Dollar {
		t.Fatalf("cap status = %+v", st)
	}
}

func testDenialPicksLongestBlock(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{
		{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowDay, Limit: 100},
		{Scope: frugal.ScopeGlobal, Window: frugal.WindowMonth, Limit: 150},
		{Scope: frugal.ScopeRun, Name: "r9", Window: frugal.WindowTotal, Limit: 50},
	})
	mustSettle(t, l, mustReserve(t, l, req("a", "r1", 90)), 90)
	// Only the day cap is crossed.
	if d := mustDeny(t, l, req("a", "r1", 20)); d.Budget.Window != frugal.WindowDay {
		t.Fatalf("denied by %v, want the agent day cap", d.Budget)
	}
	// Day (resets tomorrow) and month (resets April 1) are crossed: month blocks longer.
	d := mustDeny(t, l, req("a", "r1", 70))
	if d.Budget.Window != frugal.WindowMonth || !d.ResetsAt.Equal(time.Date(2025, time.April, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("denied by %v resetting %s, want the global month cap resetting 2025-04-01", d.Budget, d.ResetsAt)
	}
	// The run cap never resets: it blocks longest.
	d = mustDeny(t, l, req("a", "r9", 70))
	if d.Budget.Scope != frugal.ScopeRun || !d.ResetsAt.IsZero() {
		t.Fatalf("denied by %v resetting %s, want the run cap, never resetting", d.Budget, d.ResetsAt)
	}
}

func testRelease(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowTotal, Limit: 1000}})
	h := mustReserve(t, l, req("a", "r1", 1000))
	mustDeny(t, l, req("a", "r1", 1))
	if err := l.Release(bg, h); err != nil {
		t.Fatal(err)
	}
	if st := capOf(t, l, frugal.ScopeAgent, "a", frugal.WindowTotal); st.Reserved != 0 || st.Spent != 0 || st.Remaining != 1000 {
		t.Fatalf("after release: %+v", st)
	}
	if err := l.Release(bg, h); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if err := l.Release(bg, frugal.Hold{ID: "no-such-hold"}); err != nil {
		t.Fatalf("release of an unknown hold: %v", err)
	}
	h2 := mustReserve(t, l, req("a", "r1", 600))
	mustSettle(t, l, h2, 500)
	if err := l.Release(bg, h2); err != nil {
		t.Fatalf("release after settle: %v", err)
	}
	if st := capOf(t, l, frugal.ScopeAgent, "a", frugal.WindowTotal); st.Spent != 500 || st.Reserved != 0 || st.Remaining != 500 {
		t.Fatalf("release after settle changed the cap: %+v", st)
	}
	mustReconcile(t, l)
}

func testIdempotentSettle(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeGlobal, Window: frugal.WindowTotal, Limit: 10_000}})
	h := mustReserve(t, l, req("a", "r1", 1000))
	first := mustSettle(t, l, h, 700)
	again, err := l.Settle(bg, h, frugal.Settlement{Cost: 999, Outcome: frugal.OutcomeOK})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, first) {
		t.Fatalf("second settle = %+v, want the first call %+v", again, first)
	}
	// Another hold settled under an explicit key already used: the first
	// call stands and the second hold is freed.
	s := frugal.Settlement{Cost: 300, IdempotencyKey: "req-42"}
	k1, err := l.Settle(bg, mustReserve(t, l, req("a", "r1", 400)), s)
	if err != nil {
		t.Fatal(err)
	}
	h3 := mustReserve(t, l, req("a", "r1", 400))
	s.Cost = 350
	k2, err := l.Settle(bg, h3, s)
	if err != nil {
		t.Fatal(err)
	}
	if k2.ID != k1.ID || k2.Cost != 300 || k2.IdempotencyKey != "req-42" {
		t.Fatalf("settle with a used key = %+v, want call %d costing 300", k2, k1.ID)
	}
	st := capOf(t, l, frugal.ScopeGlobal, "", frugal.WindowTotal)
	if st.Spent != 1000 || st.Reserved != 0 {
		t.Fatalf("cap after duplicate settles = %+v, want spent 1000 reserved 0", st)
	}
	if tot := total(t, l, frugal.SpendFilter{}); tot.Calls != 2 || tot.Cost != 1000 {
		t.Fatalf("spend total = %+v, want 2 calls costing 1000", tot)
	}
	mustReconcile(t, l)
}

func testSettleUnknownHold(t *testing.T, l Ledger, c *Clock) {
	h := frugal.Hold{ID: "h-from-elsewhere", ReserveRequest: req("ghost", "r7", 900), CreatedAt: Base.Add(-time.Hour)}
	call := mustSettle(t, l, h, 800)
	if call.Agent != "ghost" || call.Run != "r7" || !call.Time.Equal(Base.Add(-time.Hour)) || call.Cost != 800 {
		t.Fatalf("call = %+v", call)
	}
	if tot := total(t, l, frugal.SpendFilter{Agent: "ghost"}); tot.Calls != 1 || tot.Cost != 800 {
		t.Fatalf("spend = %+v", tot)
	}
	mustReconcile(t, l)
}

func testLeaseExpiry(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeGlobal, Window: frugal.WindowTotal, Limit: frugal.Dollar}})
	r := req("a", "r1", frugal.Dollar)
	r.Lease = time.Minute
	h := mustReserve(t, l, r)
	if !h.ExpiresAt.Equal(Base.Add(time.Minute)) {
		t.Fatalf("hold expires %s, want %s", h.ExpiresAt, Base.Add(time.Minute))
	}
	mustDeny(t, l, req("b", "r2", 1))
	c.Advance(59 * time.Second)
	if d := mustDeny(t, l, req("b", "r2", 1)); d.Reserved != frugal.Dollar {
		t.Fatalf("reserved before expiry = %s", d.Reserved)
	}
	c.Advance(time.Second)
	if st := capOf(t, l, frugal.ScopeGlobal, "", frugal.WindowTotal); st.Reserved != 0 {
		t.Fatalf("expired hold still reserved: %+v", st)
	}
	h2 := mustReserve(t, l, req("b", "r2", 600_000))
	// The process that held h was only slow: its call is still recorded.
	mustSettle(t, l, h, 700_000)
	st := capOf(t, l, frugal.ScopeGlobal, "", frugal.WindowTotal)
	if st.Spent != 700_000 || st.Reserved != 600_000 {
		t.Fatalf("after late settle: %+v", st)
	}
	mustSettle(t, l, h2, 1)
	mustReconcile(t, l)
}

// fillDay spends limit for agent "a" at the clock's time and checks the
// denial that follows resets at wantReset.
func fillAndDeny(t *testing.T, l Ledger, b frugal.Budget, wantReset time.Time) {
	t.Helper()
	SetCaps(t, l, []frugal.Budget{b})
	mustSettle(t, l, mustReserve(t, l, req("a", "r1", b.Limit)), b.Limit)
	d := mustDeny(t, l, req("a", "r1", 1))
	if d.Spent != b.Limit || !d.ResetsAt.Equal(wantReset) {
		t.Fatalf("denial %+v, want spent %s resetting %s", *d, b.Limit, wantReset)
	}
}

func testDayRollover(t *testing.T, l Ledger, c *Clock) {
	c.Set(time.Date(2025, time.March, 10, 23, 59, 59, 500_000_000, time.UTC))
	midnight := time.Date(2025, time.March, 11, 0, 0, 0, 0, time.UTC)
	fillAndDeny(t, l, frugal.Budget{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowDay, Limit: 1000}, midnight)
	c.Advance(499 * time.Millisecond)
	mustDeny(t, l, req("a", "r1", 1))
	c.Set(midnight)
	mustSettle(t, l, mustReserve(t, l, req("a", "r1", 1000)), 1000)
	if st := capOf(t, l, frugal.ScopeAgent, "a", frugal.WindowDay); st.Spent != 1000 || !st.ResetsAt.Equal(midnight.AddDate(0, 0, 1)) {
		t.Fatalf("new day's cap = %+v", st)
	}
	rows, _, err := l.Spend(bg, frugal.SpendFilter{By: []string{"day"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Keys[0] != "2025-03-10" || rows[1].Keys[0] != "2025-03-11" || rows[0].Cost != 1000 || rows[1].Cost != 1000 {
		t.Fatalf("spend by day = %+v", rows)
	}
	mustReconcile(t, l)
}

func testHoldAcrossMidnight(t *testing.T, l Ledger, c *Clock) {
	c.Set(time.Date(2025, time.March, 10, 23, 59, 0, 0, time.UTC))
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowDay, Limit: 1000}})
	h := mustReserve(t, l, req("a", "r1", 800))
	c.Set(time.Date(2025, time.March, 11, 0, 1, 0, 0, time.UTC))
	// Yesterday's hold does not count against today's cap...
	h2 := mustReserve(t, l, req("a", "r1", 1000))
	if err := l.Release(bg, h2); err != nil {
		t.Fatal(err)
	}
	// ...and its call is charged to the day it was reserved in.
	mustSettle(t, l, h, 800)
	if st := capOf(t, l, frugal.ScopeAgent, "a", frugal.WindowDay); st.Spent != 0 {
		t.Fatalf("today's cap charged with yesterday's call: %+v", st)
	}
	rows, _, err := l.Spend(bg, frugal.SpendFilter{By: []string{"day"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Keys[0] != "2025-03-10" {
		t.Fatalf("spend by day = %+v", rows)
	}
}

func testWeekRollover(t *testing.T, l Ledger, c *Clock) {
	sunday := time.Date(2025, time.March, 16, 23, 59, 59, 0, time.UTC)
	monday := time.Date(2025, time.March, 17, 0, 0, 0, 0, time.UTC)
	c.Set(time.Date(2025, time.March, 10, 0, 0, 0, 0, time.UTC)) // Monday of the same week
	fillAndDeny(t, l, frugal.Budget{Scope: frugal.ScopeGlobal, Window: frugal.WindowWeek, Limit: 500}, monday)
	c.Set(sunday)
	mustDeny(t, l, req("a", "r1", 1))
	c.Set(monday)
	mustReserve(t, l, req("a", "r1", 500))
}

func testMonthEnd(t *testing.T, l Ledger, c *Clock) {
	leap := time.Date(2024, time.February, 29, 23, 59, 59, 999_000_000, time.UTC)
	march := time.Date(2024, time.March, 1, 0, 0, 0, 0, time.UTC)
	c.Set(time.Date(2024, time.February, 1, 0, 0, 0, 0, time.UTC))
	fillAndDeny(t, l, frugal.Budget{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowMonth, Limit: 700}, march)
	c.Set(leap)
	mustDeny(t, l, req("a", "r1", 1))
	c.Set(march)
	mustSettle(t, l, mustReserve(t, l, req("a", "r1", 700)), 700)
	// The year's end: December 31 to January 1.
	c.Set(time.Date(2024, time.December, 31, 23, 0, 0, 0, time.UTC))
	newYear := time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)
	mustSettle(t, l, mustReserve(t, l, req("a", "r1", 700)), 700)
	if d := mustDeny(t, l, req("a", "r1", 1)); !d.ResetsAt.Equal(newYear) {
		t.Fatalf("December cap resets %s, want %s", d.ResetsAt, newYear)
	}
	c.Set(newYear)
	mustReserve(t, l, req("a", "r1", 700))
	mustReconcile(t, l)
}

func testRunCaps(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{
		{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowRun, Limit: 1000},
		{Scope: frugal.ScopeRun, Name: "special", Window: frugal.WindowTotal, Limit: 300},
		{Scope: frugal.ScopeGlobal, Window: frugal.WindowRun, Limit: 2000},
	})
	mustSettle(t, l, mustReserve(t, l, req("a", "r1", 1000)), 1000)
	d := mustDeny(t, l, req("a", "r1", 1))
	if d.Budget.Scope != frugal.ScopeAgent || d.Budget.Window != frugal.WindowRun || d.Spent != 1000 || !d.ResetsAt.IsZero() {
		t.Fatalf("denial = %+v, want agent a's run cap with spent 1000, never resetting", *d)
	}
	// Each run is limited on its own.
	mustSettle(t, l, mustReserve(t, l, req("a", "r2", 1000)), 900)
	// Another agent's run is under the global run cap only.
	mustSettle(t, l, mustReserve(t, l, req("b", "r3", 2000)), 2000)
	if d := mustDeny(t, l, req("b", "r3", 1)); d.Budget.Scope != frugal.ScopeGlobal || d.Budget.Window != frugal.WindowRun {
		t.Fatalf("denied by %v, want the global run cap", d.Budget)
	}
	// A run-scope cap limits that run, whoever runs it.
	mustReserve(t, l, req("b", "special", 300))
	if d := mustDeny(t, l, req("c", "special", 1)); d.Budget.Scope != frugal.ScopeRun || d.Reserved != 300 {
		t.Fatalf("denial %+v, want the run cap with 300 reserved", *d)
	}
	// The agent run cap is reported for the agent's latest run.
	if st := capOf(t, l, frugal.ScopeAgent, "a", frugal.WindowRun); st.Spent != 900 || st.Remaining != 100 || !st.ResetsAt.IsZero() {
		t.Fatalf("agent run cap = %+v, want spent 900 (run r2)", st)
	}
	mustReconcile(t, l)
}

func testCapAddedLater(t *testing.T, l Ledger, c *Clock) {
	mustSettle(t, l, mustReserve(t, l, req("a", "r1", 800)), 700)
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowDay, Limit: 1000}})
	if d := mustDeny(t, l, req("a", "r2", 400)); d.Spent != 700 {
		t.Fatalf("denial = %+v, want spent 700 from before the cap", *d)
	}
	// Raising the limit takes effect at once.
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowDay, Limit: 1100}})
	mustReserve(t, l, req("a", "r2", 400))
	if st := capOf(t, l, frugal.ScopeAgent, "a", frugal.WindowDay); st.Limit != 1100 || st.Spent != 700 || st.Reserved != 400 || st.Remaining != 0 {
		t.Fatalf("cap = %+v", st)
	}
}

func testDeleteBudget(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowDay, Limit: 10}})
	mustDeny(t, l, req("a", "r1", 11))
	if err := l.DeleteBudget(bg, frugal.ScopeAgent, "a", frugal.WindowDay); err != nil {
		t.Fatal(err)
	}
	mustReserve(t, l, req("a", "r1", 11))
	err := l.DeleteBudget(bg, frugal.ScopeAgent, "a", frugal.WindowDay)
	if code := frugal.ErrorCode(err); code != frugal.ENOTFOUND {
		t.Fatalf("deleting a missing cap: %v (code %q), want %q", err, code, frugal.ENOTFOUND)
	}
	if caps, err := l.Caps(bg); err != nil || len(caps) != 0 {
		t.Fatalf("caps = %v, %v; want none", caps, err)
	}
}

func testKeyCap(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeKey, Name: "team-a", Window: frugal.WindowMonth, Limit: 100}})
	r := req("", "", 100)
	r.Key = "team-a"
	mustSettle(t, l, mustReserve(t, l, r), 100)
	r.Worst = 1
	mustDeny(t, l, r)
	r.Key = "team-b"
	mustReserve(t, l, r)
	mustReconcile(t, l)
}

func testBadInput(t *testing.T, l Ledger, c *Clock) {
	check := func(what string, err error) {
		t.Helper()
		if code := frugal.ErrorCode(err); code != frugal.EINVALID {
			t.Errorf("%s: %v (code %q), want %q", what, err, code, frugal.EINVALID)
		}
	}
	_, err := l.Reserve(bg, req("a", "r1", -1))
	check("negative worst", err)
	bad := req("a", "r1", 1)
	bad.Lease = -time.Second
	_, err = l.Reserve(bg, bad)
	check("negative lease", err)
	h := mustReserve(t, l, req("a", "r1", 10))
	_, err = l.Settle(bg, h, frugal.Settlement{Usage: frugal.Usage{Input: -5}, Cost: 1})
	check("negative usage", err)
	_, err = l.Settle(bg, h, frugal.Settlement{Cost: -1})
	check("negative cost", err)
	_, err = l.Settle(bg, h, frugal.Settlement{Cost: 1, Outcome: "exploded"})
	check("unknown outcome", err)
	_, err = l.Settle(bg, frugal.Hold{}, frugal.Settlement{Cost: 1})
	check("hold without ID", err)
	check("unknown scope", l.SetBudget(bg, frugal.Budget{Scope: "planet", Window: frugal.WindowDay, Limit: 1}))
	check("negative limit", l.SetBudget(bg, frugal.Budget{Scope: frugal.ScopeGlobal, Window: frugal.WindowDay, Limit: -1}))
	_, _, err = l.Spend(bg, frugal.SpendFilter{By: []string{"colour"}})
	check("unknown by key", err)
	_, _, err = l.Spend(bg, frugal.SpendFilter{By: []string{"agent", "agent"}})
	check("repeated by key", err)
	if tot := total(t, l, frugal.SpendFilter{}); tot.Calls != 0 {
		t.Fatalf("a rejected settle recorded calls: %+v", tot)
	}
	if caps, err := l.Caps(bg); err != nil || len(caps) != 0 {
		t.Fatalf("a rejected budget was stored: %v, %v", caps, err)
	}
}

func testSpendReport(t *testing.T, l Ledger, c *Clock) {
	type call struct {
		agent, model string
		day          int
		cost         frugal.Money
	}
	for _, x := range []call{
		{"b", "sim/big", 0, 300}, {"a", "sim/small", 0, 100}, {"a", "sim/small", 1, 10},
		{"a", "sim/big", 1, 1000}, {"b", "sim/big", 2, 5}, {"a", "sim/small", 0, 1},
	} {
		c.Set(Base.AddDate(0, 0, x.day))
		r := req(x.agent, "r", 2000)
		r.Model = x.model
		h := mustReserve(t, l, r)
		if _, err := l.Settle(bg, h, frugal.Settlement{Usage: frugal.Usage{Input: 10, CacheRead: 1, Output: 2}, Cost: x.cost}); err != nil {
			t.Fatal(err)
		}
	}
	rows, tot, err := l.Spend(bg, frugal.SpendFilter{By: []string{"agent", "day"}})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		keys  string
		calls int64
		cost  frugal.Money
	}
	var gs []got
	for _, r := range rows {
		gs = append(gs, got{r.Keys[0] + " " + r.Keys[1], r.Calls, r.Cost})
	}
	want := []got{{"a 2025-03-12", 2, 101}, {"a 2025-03-13", 2, 1010}, {"b 2025-03-12", 1, 300}, {"b 2025-03-14", 1, 5}}
	if !reflect.DeepEqual(gs, want) {
		t.Fatalf("by agent,day = %v, want %v", gs, want)
	}
	if tot.Calls != 6 || tot.Cost != 1416 || tot.Usage != (frugal.Usage{Input: 60, CacheRead: 6, Output: 12}) {
		t.Fatalf("total = %+v", tot)
	}
	rows, tot, err = l.Spend(bg, frugal.SpendFilter{By: []string{"model"}, Agent: "a",
		Since: Base.AddDate(0, 0, 1), Until: Base.AddDate(0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Keys[0] != "sim/big" || rows[0].Cost != 1000 || rows[1].Keys[0] != "sim/small" || rows[1].Cost != 10 || tot.Cost != 1010 {
		t.Fatalf("a's models on day 1 = %+v total %+v", rows, tot)
	}
	rows, tot, err = l.Spend(bg, frugal.SpendFilter{By: []string{"agent"}, Since: Base.AddDate(1, 0, 0)})
	if err != nil || len(rows) != 0 || tot.Calls != 0 || tot.Cost != 0 {
		t.Fatalf("empty range = %+v %+v %v", rows, tot, err)
	}
}

// testConcurrentExactFill has 64 callers race for a cap that fits exactly
// 100 of their holds: exactly 100 must win.
func testConcurrentExactFill(t *testing.T, l Ledger, c *Clock) {
	SetCaps(t, l, []frugal.Budget{{Scope: frugal.ScopeGlobal, Window: frugal.WindowTotal, Limit: 100_000}})
	var mu sync.Mutex
	won, denied := 0, 0
	var wg sync.WaitGroup
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				_, err := l.Reserve(bg, req("a", "r", 1000))
				var d *frugal.Denial
				mu.Lock()
				switch {
				case err == nil:
					won++
				case errors.As(err, &d):
					denied++
				default:
					t.Errorf("goroutine %d: %v", g, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 100 || denied != 156 {
		t.Fatalf("%d holds granted and %d denied, want exactly 100 and 156", won, denied)
	}
	if st := capOf(t, l, frugal.ScopeGlobal, "", frugal.WindowTotal); st.Reserved != 100_000 || st.Remaining != 0 {
		t.Fatalf("cap = %+v", st)
	}
}
