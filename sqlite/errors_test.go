package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/ledgertest"
	"github.com/frugal-dev/frugal/sqlite"
)

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is no SQLite file ", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		opts       sqlite.Options
		code       string
		says       string
	}{
		{"parent is a file", filepath.Join(file, "frugal.db"), sqlite.Options{}, frugal.EINVALID, "is not a directory"},
		{"parent missing", filepath.Join(dir, "nope", "frugal.db"), sqlite.Options{}, frugal.EINVALID, "does not exist"},
		{"path is a directory", dir, sqlite.Options{}, frugal.EINVALID, "is a directory"},
		{"not a database", garbage, sqlite.Options{}, frugal.EINVALID, "not a frugal database"},
		{"synchronous off", filepath.Join(dir, "x.db"), sqlite.Options{Synchronous: "OFF"}, frugal.EINVALID, "synchronous"},
		{"negative lease", filepath.Join(dir, "x.db"), sqlite.Options{DefaultLease: -time.Second}, frugal.EINVALID, "lease"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlite.Open(context.Background(), tc.path, tc.opts)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%s) succeeded", tc.path)
			}
			if code := frugal.ErrorCode(err); code != tc.code || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("Open(%s) = %v (code %q); want code %q saying %q", tc.path, err, code, tc.code, tc.says)
			}
			if tc.opts.Synchronous == "" && tc.opts.DefaultLease == 0 && !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("error %q does not name the path %s", err, tc.path)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused Open created the file: %v", err)
	}
}

func TestOpenReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions; TestOpenErrors covers a parent that is a file")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Open(context.Background(), filepath.Join(dir, "frugal.db"), sqlite.Options{})
	if code := frugal.ErrorCode(err); code != frugal.EUNAVAILABLE || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open in a read-only directory = %v (code %q), want EUNAVAILABLE naming the path", err, code)
	}
}

// TestDiskFull fills the database (PRAGMA max_page_count stands for a full
// disk): the failing Settle must say so clearly, name the file, and leave
// nothing behind; once there is room again the same Settle succeeds.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, nil)
	if err := sqlite.SetMaxPageCount(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	var settled int64
	var failed frugal.Hold
	var ferr error
	for i := range 100_000 {
		h, err := db.Reserve(ctx, frugal.ReserveRequest{Attribution: frugal.Attribution{Agent: "a", Run: "r"}, Worst: 100})
		if err != nil {
			ferr = err
			break
		}
		if _, err := db.Settle(ctx, h, frugal.Settlement{Usage: frugal.Usage{Input: int64(i)}, Cost: 7}); err != nil {
			failed, ferr = h, err
			break
		}
		settled++
	}
	if ferr == nil {
		t.Fatal("the database never filled up")
	}
	if code := frugal.ErrorCode(ferr); code != frugal.EUNAVAILABLE || !strings.Contains(ferr.Error(), "full") || !strings.Contains(ferr.Error(), db.Path()) {
		t.Fatalf("error on a full database = %v (code %q); want EUNAVAILABLE saying full and naming %s", ferr, code, db.Path())
	}
	t.Logf("%d calls fit; then: %v", settled, ferr)
	_, total, err := db.Spend(ctx, frugal.SpendFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total.Calls != settled || total.Cost != frugal.Money(7*settled) {
		t.Fatalf("after the failure the ledger has %d calls costing %s, want %d costing %s", total.Calls, total.Cost, settled, frugal.Money(7*settled))
	}
	if err := db.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if failed.ID == "" {
		return // the failure hit a Reserve: nothing to retry
	}
	if err := sqlite.SetMaxPageCount(ctx, db, 1<<30); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Settle(ctx, failed, frugal.Settlement{Cost: 7}); err != nil {
		t.Fatalf("settle once there is room: %v", err)
	}
	if _, total, _ = db.Spend(ctx, frugal.SpendFilter{}); total.Calls != settled+1 {
		t.Fatalf("%d calls after the retry, want %d", total.Calls, settled+1)
	}
	if err := db.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestDiskFullConcurrent fills the database from 16 callers at once, so
// that failures hit batches of several operations: every Settle that
// returned nil is recorded, every one that failed left nothing.
func TestDiskFullConcurrent(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, nil)
	if err := sqlite.SetMaxPageCount(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var ok, failed int64
	var okCost frugal.Money
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				h, err := db.Reserve(ctx, frugal.ReserveRequest{Attribution: frugal.Attribution{Agent: "a", Run: "r"}, Worst: 100})
				if err != nil {
					break
				}
				cost := frugal.Money(1 + g + i%13)
				_, err = db.Settle(ctx, h, frugal.Settlement{Cost: cost})
				mu.Lock()
				if err == nil {
					ok++
					okCost += cost
				} else {
					failed++
					if frugal.ErrorCode(err) != frugal.EUNAVAILABLE {
						t.Errorf("settle: %v", err)
					}
				}
				mu.Unlock()
				if err != nil {
					break
				}
			}
		}()
	}
	wg.Wait()
	if failed == 0 {
		t.Fatal("the database never filled up")
	}
	_, total, err := db.Spend(ctx, frugal.SpendFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total.Calls != ok || total.Cost != okCost {
		t.Fatalf("ledger has %d calls costing %s; callers were told %d costing %s", total.Calls, total.Cost, ok, okCost)
	}
	if err := db.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frugal.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (999, '0999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = sqlite.Open(context.Background(), path, sqlite.Options{})
	if frugal.ErrorCode(err) != frugal.EINVALID || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a newer schema: %v", err)
	}
}

// TestConcurrentOpen has several processes' worth of handles create one
// new file at once: each migration must run exactly once.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frugal.db")
	var wg sync.WaitGroup
	dbs := make([]*sqlite.DB, 6)
	errs := make([]error, len(dbs))
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = sqlite.Open(context.Background(), path, sqlite.Options{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n, max int
	if err := raw.QueryRow("SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != 2 || max != 2 {
		t.Fatalf("schema_migrations has %d rows up to version %d, want 2 up to 2", n, max)
	}
	var mode string
	if err := raw.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v; want wal", mode, err)
	}
}

// TestCancelledReserveLeavesNoHold cancels Reserves at random moments: a
// Reserve that returned an error must not have left a hold behind.
func TestCancelledReserveLeavesNoHold(t *testing.T) {
	db := mustOpen(t, nil)
	ledgertest.SetCaps(t, db, []frugal.Budget{{Scope: frugal.ScopeGlobal, Window: frugal.WindowTotal, Limit: frugal.Dollar}})
	var mu sync.Mutex
	var held frugal.Money
	cancelled := 0
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration((g*7+i*13)%900)*time.Microsecond)
				h, err := db.Reserve(ctx, frugal.ReserveRequest{Attribution: frugal.Attribution{Agent: "a"}, Worst: 10})
				cancel()
				mu.Lock()
				if err == nil {
					held += h.Worst
				} else if errors.Is(err, context.DeadlineExceeded) {
					cancelled++
				} else {
					t.Errorf("reserve: %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	caps, err := db.Caps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if caps[0].Reserved != held {
		t.Fatalf("the ledger holds %s, callers got holds for %s (%d reserves cancelled)", caps[0].Reserved, held, cancelled)
	}
	t.Logf("%d of 1280 reserves cancelled; %s held", cancelled, held)
}

func TestClosed(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "frugal.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, err = db.Reserve(context.Background(), frugal.ReserveRequest{Worst: 1})
	if frugal.ErrorCode(err) != frugal.EUNAVAILABLE {
		t.Fatalf("Reserve after Close: %v", err)
	}
}
