package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/ledgertest"
	"github.com/frugal-dev/frugal/sqlite"
)

// BenchmarkReserveSettle measures Reserve+Settle cycles per second with
// durability on (synchronous=FULL: every commit is fsynced) at 1, 8 and 64
// concurrent callers, under three caps that apply to every call (global
// day, agent day, agent run). allocs/op counts every allocation in the
// process per cycle, the writer's included.
func BenchmarkReserveSettle(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		for _, callers := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("sync=%s/callers=%d", sync, callers), func(b *testing.B) {
				benchCycles(b, sync, callers)
			})
		}
	}
}

func benchCycles(b *testing.B, synchronous string, callers int) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "frugal.db"), sqlite.Options{Synchronous: synchronous})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, bud := range []frugal.Budget{
		{Scope: frugal.ScopeGlobal, Window: frugal.WindowDay, Limit: 1 << 60},
		{Scope: frugal.ScopeAgent, Name: "agent-0", Window: frugal.WindowDay, Limit: 1 << 60},
		{Scope: frugal.ScopeAgent, Name: "agent-0", Window: frugal.WindowRun, Limit: 1 << 60},
	} {
		if err := db.SetBudget(ctx, bud); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := frugal.ReserveRequest{
				Attribution: frugal.Attribution{Agent: "agent-0", Run: fmt.Sprintf("run-%d", g), Step: "work", Tier: "worker"},
				Provider:    "sim", Model: "sim/small", Worst: 20_000,
			}
			for next.Add(1) <= int64(b.N) {
				h, err := db.Reserve(ctx, req)
				if err != nil {
					b.Error(err)
					return
				}
				_, err = db.Settle(ctx, h, frugal.Settlement{Usage: frugal.Usage{Input: 1000, Output: 200}, Cost: 12_345, Latency: time.Second})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "cycles/s")
}

// BenchmarkSpend1M measures the report behind `frugal spend --by
// agent,day` over one million settled calls (8 agents over 100 days), in
// process: whole days come from the daily rollup, a bound inside a day
// adds a scan of that day's calls, and grouping by run scans every call. cmd/frugal's
// BenchmarkSpendCLI1M measures the command with its peak memory.
func BenchmarkSpend1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a million-call ledger")
	}
	db := millionCalls(b)
	for _, bc := range []struct {
		name  string
		f     frugal.SpendFilter
		calls int64
	}{
		{"rollup/by=agent,day", frugal.SpendFilter{By: []string{"agent", "day"}}, 1_000_000},
		{"rollup+scan/by=agent,day/since=mid-day", frugal.SpendFilter{By: []string{"agent", "day"}, Since: time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)}, 540_000},
		{"scan/by=run", frugal.SpendFilter{By: []string{"run"}}, 1_000_000},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				rows, total, err := db.Spend(context.Background(), bc.f)
				if err != nil {
					b.Fatal(err)
				}
				if total.Calls < bc.calls || len(rows) == 0 {
					b.Fatalf("%d calls in %d rows", total.Calls, len(rows))
				}
			}
		})
	}
}

var million struct {
	sync.Once
	db  *sqlite.DB
	err error
}

// millionCalls opens, once per test binary, a ledger of a million calls;
// TestMain removes it.
func millionCalls(b *testing.B) *sqlite.DB {
	million.Do(func() {
		dir, err := os.MkdirTemp("", "frugal-bench-")
		if err != nil {
			million.err = err
			return
		}
		benchDirs = append(benchDirs, dir)
		db, err := sqlite.Open(context.Background(), filepath.Join(dir, "frugal.db"), sqlite.Options{Synchronous: "NORMAL"})
		if err != nil {
			million.err = err
			return
		}
		start := time.Now()
		million.db, million.err = db, FillCalls(context.Background(), db, 1_000_000)
		b.Logf("recorded 1,000,000 calls in %s", time.Since(start).Round(time.Millisecond))
	})
	if million.err != nil {
		b.Fatal(million.err)
	}
	return million.db
}

var benchDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	if million.db != nil {
		million.db.Close()
	}
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// FillCalls records n calls of ledgertest.SyntheticCall, ending at
// 2025-03-12, in transactions of 20,000.
func FillCalls(ctx context.Context, db *sqlite.DB, n int) error {
	end := time.Date(2025, time.March, 12, 0, 0, 0, 0, time.UTC)
	const chunk = 20_000
	calls := make([]frugal.Call, 0, chunk)
	for i := range n {
		calls = append(calls, ledgertest.SyntheticCall(i, end))
		if len(calls) == chunk || i == n-1 {
			if _, err := db.Record(ctx, calls); err != nil {
				return err
			}
			calls = calls[:0]
		}
	}
	return nil
}
