package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/ledgertest"
	"github.com/frugal-dev/frugal/sqlite"
)

var bg = context.Background()

// TestSpendMatchesCalls records random calls and checks every report,
// whether it reads the daily rollup (whole days) or scans the calls,
// against sums computed here from the calls themselves.
func TestSpendMatchesCalls(t *testing.T) {
	db := mustOpen(t, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2025, time.January, 30, 0, 0, 0, 0, time.UTC)
	var calls []frugal.Call
	for i := range 3000 {
		calls = append(calls, frugal.Call{
			HoldID: fmt.Sprintf("h%d", i),
			Time:   base.Add(time.Duration(rng.Int64N(int64(10 * 24 * time.Hour)))).Truncate(time.Millisecond),
			Attribution: frugal.Attribution{Agent: fmt.Sprintf("a%d", rng.IntN(3)), Run: fmt.Sprintf("r%d", rng.IntN(20)),
				Step: fmt.Sprintf("s%d", rng.IntN(4)), Tier: []string{"planner", "worker"}[rng.IntN(2)]},
			Provider: []string{"sim", "ollama"}[rng.IntN(2)], Model: fmt.Sprintf("m%d", rng.IntN(3)),
			Settlement: frugal.Settlement{Usage: frugal.Usage{Input: rng.Int64N(5000), CacheRead: rng.Int64N(9000),
				CacheWrite5m: rng.Int64N(100), CacheWrite1h: rng.Int64N(100), Output: 100 + rng.Int64N(900), Reasoning: rng.Int64N(100)},
				Cost: frugal.Money(rng.Int64N(50_000))},
		})
	}
	n, err := db.Record(bg, calls)
	if err != nil || n != len(calls) {
		t.Fatalf("Record = %d, %v", n, err)
	}
	if n, err := db.Record(bg, calls[:10]); err != nil || n != 0 {
		t.Fatalf("recording again = %d, %v; want 0 added", n, err)
	}
	if err := db.Reconcile(bg); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	for _, f := range []frugal.SpendFilter{
		{By: []string{"agent", "day"}},
		{By: []string{"day", "model", "provider", "tier"}, Since: base.Add(2 * day), Until: base.Add(5 * day)},
		{By: []string{"model"}, Agent: "a1", Since: base.Add(3 * day)},
		{By: []string{"agent", "day"}, Since: base.Add(36 * time.Hour), Until: base.Add(100 * time.Hour)},
		{By: []string{"provider"}, Since: base.Add(30 * time.Hour)},
		{By: []string{"day", "tier"}, Until: base.Add(200 * time.Hour)},
		{By: []string{"agent"}, Since: base.Add(50 * time.Hour), Until: base.Add(60 * time.Hour)},
		{By: []string{"agent", "day"}, Since: base.Add(60 * time.Hour), Until: base.Add(80 * time.Hour)},
		{By: []string{"day"}, Since: base.Add(70 * time.Hour), Until: base.Add(72 * time.Hour)},
		{Since: base.Add(25 * time.Hour), Until: base.Add(170 * time.Hour)},
		{By: []string{"run", "step"}, Agent: "a2"},
		{By: []string{"tier"}, Run: "r3"},
		{},
	} {
		rows, total, err := db.Spend(bg, f)
		if err != nil {
			t.Fatal(err)
		}
		wantRows, wantTotal := spendOf(calls, f)
		if !reflect.DeepEqual(rows, wantRows) || !reflect.DeepEqual(total, wantTotal) {
			t.Errorf("Spend(%+v) =\n%v\n%+v\nwant\n%v\n%+v", f, rows, total, wantRows, wantTotal)
		}
	}
}

// spendOf is Spend computed naively.
func spendOf(calls []frugal.Call, f frugal.SpendFilter) ([]frugal.SpendRow, frugal.SpendRow) {
	groups := map[string]*frugal.SpendRow{}
	var total frugal.SpendRow
	for _, c := range calls {
		if (!f.Since.IsZero() && c.Time.Before(f.Since)) || (!f.Until.IsZero() && !c.Time.Before(f.Until)) ||
			(f.Agent != "" && c.Agent != f.Agent) || (f.Run != "" && c.Run != f.Run) {
			continue
		}
		total.Calls++
		total.Usage = total.Usage.Add(c.Usage)
		total.Cost += c.Cost
		if len(f.By) == 0 {
			continue
		}
		var keys []string
		for _, k := range f.By {
			keys = append(keys, map[string]string{"agent": c.Agent, "model": c.Model, "tier": c.Tier,
				"provider": c.Provider, "run": c.Run, "step": c.Step, "day": c.Time.UTC().Format(time.DateOnly)}[k])
		}
		id := strings.Join(keys, "\x00")
		g := groups[id]
		if g == nil {
			g = &frugal.SpendRow{Keys: keys}
			groups[id] = g
		}
		g.Calls++
		g.Usage = g.Usage.Add(c.Usage)
		g.Cost += c.Cost
	}
	rows := []frugal.SpendRow{}
	for _, g := range groups {
		rows = append(rows, *g)
	}
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i].Keys, "\x00") < strings.Join(rows[j].Keys, "\x00") })
	return rows, total
}

func TestRecordRejectsBadCalls(t *testing.T) {
	db := mustOpen(t, nil)
	good := frugal.Call{HoldID: "h1", Time: ledgertest.Base, Settlement: frugal.Settlement{Cost: 5}}
	for name, c := range map[string]frugal.Call{
		"no key":         {Time: ledgertest.Base},
		"no time":        {HoldID: "h2"},
		"negative cost":  {HoldID: "h3", Time: ledgertest.Base, Settlement: frugal.Settlement{Cost: -1}},
		"negative usage": {HoldID: "h4", Time: ledgertest.Base, Settlement: frugal.Settlement{Usage: frugal.Usage{Output: -1}}},
	} {
		if _, err := db.Record(bg, []frugal.Call{good, c}); frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if _, total, _ := db.Spend(bg, frugal.SpendFilter{}); total.Calls != 0 {
		t.Fatalf("a refused Record stored %d calls", total.Calls)
	}
}

func TestPathWithSpecialCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd ?dir# %20x")
	if err := mkdir(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "frugal?.db")
	db, err := sqlite.Open(bg, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Path() != path {
		t.Fatalf("Path() = %q, want %q", db.Path(), path)
	}
	if _, err := db.Reserve(bg, frugal.ReserveRequest{Worst: 1}); err != nil {
		t.Fatal(err)
	}
	if !exists(path) {
		t.Fatalf("the database is not at %s", path)
	}
}

func TestDefaultLeaseAndExpiryLog(t *testing.T) {
	clock := ledgertest.NewClock(ledgertest.Base)
	var logs bytes.Buffer
	db, err := sqlite.Open(bg, filepath.Join(t.TempDir(), "frugal.db"), sqlite.Options{
		Now: clock.Now, DefaultLease: 90 * time.Second,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, err := db.Reserve(bg, frugal.ReserveRequest{Attribution: frugal.Attribution{Agent: "sleepy", Run: "r1"}, Worst: 42})
	if err != nil {
		t.Fatal(err)
	}
	if !h.ExpiresAt.Equal(ledgertest.Base.Add(90 * time.Second)) {
		t.Fatalf("hold expires %s, want 90s after %s", h.ExpiresAt, ledgertest.Base)
	}
	clock.Advance(91 * time.Second)
	if _, err := db.Reserve(bg, frugal.ReserveRequest{Worst: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "expired") || !strings.Contains(logs.String(), h.ID) || !strings.Contains(logs.String(), "agent=sleepy") {
		t.Fatalf("no warning naming the expired hold; log:\n%s", logs.String())
	}
}

func TestCapReportNamesRuns(t *testing.T) {
	clock := ledgertest.NewClock(ledgertest.Base)
	db := mustOpen(t, clock.Now)
	ledgertest.SetCaps(t, db, []frugal.Budget{
		{Scope: frugal.ScopeAgent, Name: "a", Window: frugal.WindowRun, Limit: 1000},
		{Scope: frugal.ScopeGlobal, Window: frugal.WindowRun, Limit: 5000},
		{Scope: frugal.ScopeRun, Name: "r-x", Window: frugal.WindowTotal, Limit: 10},
		{Scope: frugal.ScopeGlobal, Window: frugal.WindowMonth, Limit: 9000},
	})
	settle := func(agent, run string, cost frugal.Money) {
		h, err := db.Reserve(bg, frugal.ReserveRequest{Attribution: frugal.Attribution{Agent: agent, Run: run}, Worst: cost})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Settle(bg, h, frugal.Settlement{Cost: cost}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	settle("a", "r1", 300)
	settle("a", "r2", 200)
	settle("b", "r3", 50)
	lines, err := db.CapReport(bg)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		cap, run     string
		spent, limit frugal.Money
	}
	var gs []got
	for _, l := range lines {
		gs = append(gs, got{fmt.Sprintf("%s/%s/%s", l.Scope, l.Name, l.Window), l.Run, l.Spent, l.Limit})
	}
	want := []got{
		{"global//run", "r3", 50, 5000},
		{"global//month", "", 550, 9000},
		{"agent/a/run", "r2", 200, 1000},
		{"run/r-x/total", "r-x", 0, 10},
	}
	if !reflect.DeepEqual(gs, want) {
		t.Fatalf("cap report =\n%v\nwant\n%v", gs, want)
	}
	if !lines[1].ResetsAt.Equal(time.Date(2025, time.April, 1, 0, 0, 0, 0, time.UTC)) || !lines[0].ResetsAt.IsZero() {
		t.Fatalf("resets: %s and %s", lines[1].ResetsAt, lines[0].ResetsAt)
	}
}

func TestCallsPaging(t *testing.T) {
	clock := ledgertest.NewClock(ledgertest.Base)
	db := mustOpen(t, clock.Now)
	for i := range 25 {
		h, err := db.Reserve(bg, frugal.ReserveRequest{Attribution: frugal.Attribution{Agent: []string{"a", "b"}[i%2]}, Worst: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Settle(bg, h, frugal.Settlement{Cost: frugal.Money(i), Latency: 1234567 * time.Microsecond}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	var costs []frugal.Money
	var before int64
	for {
		page, err := db.Calls(bg, sqlite.CallFilter{Agent: "a", BeforeID: before, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			costs = append(costs, c.Cost)
			before = c.ID
			if c.Latency != 1234*time.Millisecond || c.Outcome != frugal.OutcomeOK || c.Agent != "a" {
				t.Fatalf("call = %+v", c)
			}
		}
	}
	want := []frugal.Money{24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0}
	if !reflect.DeepEqual(costs, want) {
		t.Fatalf("costs newest first = %v, want %v", costs, want)
	}
	page, err := db.Calls(bg, sqlite.CallFilter{Since: ledgertest.Base.Add(20 * time.Minute), Until: ledgertest.Base.Add(22 * time.Minute)})
	if err != nil || len(page) != 2 || page[0].Cost != 21 || page[1].Cost != 20 {
		t.Fatalf("calls in [20m, 22m) = %+v, %v", page, err)
	}
	if _, err := db.Calls(bg, sqlite.CallFilter{Limit: 10001}); frugal.ErrorCode(err) != frugal.EINVALID {
		t.Fatalf("limit 10001: %v", err)
	}
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o700) }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestRenew(t *testing.T) {
	clock := ledgertest.NewClock(ledgertest.Base)
	db := mustOpen(t, clock.Now)
	ledgertest.SetCaps(t, db, []frugal.Budget{{Scope: frugal.ScopeGlobal, Window: frugal.WindowTotal, Limit: 100}})
	h, err := db.Reserve(bg, frugal.ReserveRequest{Worst: 100, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(50 * time.Second)
	if h, err = db.Renew(bg, h, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if want := ledgertest.Base.Add(50*time.Second + 2*time.Minute); !h.ExpiresAt.Equal(want) {
		t.Fatalf("renewed hold expires %s, want %s", h.ExpiresAt, want)
	}
	clock.Advance(time.Minute) // past the first lease, within the renewed one
	if _, err := db.Reserve(bg, frugal.ReserveRequest{Worst: 1}); frugal.ErrorCode(err) != frugal.EBUDGET {
		t.Fatalf("the renewed hold no longer counts: %v", err)
	}
	clock.Advance(time.Minute)
	if _, err := db.Renew(bg, h, time.Minute); frugal.ErrorCode(err) != frugal.ENOTFOUND {
		t.Fatalf("renewing an expired hold: %v, want ENOTFOUND", err)
	}
	if _, err := db.Renew(bg, frugal.Hold{ID: "nope"}, time.Minute); frugal.ErrorCode(err) != frugal.ENOTFOUND {
		t.Fatalf("renewing an unknown hold: %v, want ENOTFOUND", err)
	}
}
