package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
)

// SpendKeys are the SpendFilter.By keys Spend groups by.
var SpendKeys = []string{"agent", "model", "tier", "provider", "day", "run", "step"}

const msPerDay = 24 * 60 * 60 * 1000

// spendColumn maps a By key to its SQL expression over the calls table,
// or over the daily rollup. day groups on the UTC day number, formatted as
// YYYY-MM-DD after the query.
func spendColumn(key string, daily bool) (string, bool) {
	switch key {
	case "agent", "model", "tier", "provider":
		return key, true
	case "run", "step":
		return key, !daily
	case "day":
		if daily {
			return "day", true
		}
		return "(at_ms / " + fmt.Sprint(msPerDay) + ")", true
	}
	return "", false
}

// canUseDaily reports whether the daily rollup answers f: no run or step
// in it, and time bounds on whole UTC days.
func canUseDaily(f frugal.SpendFilter) bool {
	for _, k := range f.By {
		if k == "run" || k == "step" {
			return false
		}
	}
	onDay := func(t time.Time) bool { return t.IsZero() || t.UnixMilli()%msPerDay == 0 }
	return f.Run == "" && onDay(f.Since) && onDay(f.Until)
}

// Spend reports the calls that f selects (by the time their hold was
// taken), grouped by f.By in that order and sorted by the group keys
// (days chronologically), with the total over all of them. With no By
// keys there are no rows, only the total. Reports over whole UTC days
// that group by agent, model, tier, provider or day read the daily rollup
// and take milliseconds whatever the number of calls; others scan the
// calls in range. An unknown or repeated By key, or Until not after
// Since, is EINVALID.
func (db *DB) Spend(ctx context.Context, f frugal.SpendFilter) ([]frugal.SpendRow, frugal.SpendRow, error) {
	var total frugal.SpendRow
	daily := canUseDaily(f)
	cols := make([]string, len(f.By))
	for i, k := range f.By {
		c, ok := spendColumn(k, daily)
		if !ok {
			return nil, total, frugal.Errorf(frugal.EINVALID, "spend: cannot group by %q (want %s)", k, strings.Join(SpendKeys, ", "))
		}
		if slices.Index(f.By, k) != i {
			return nil, total, frugal.Errorf(frugal.EINVALID, "spend: %q given twice in by", k)
		}
		cols[i] = c
	}
	var q, where string
	var args []any
	var err error
	if daily {
		where, args, err = dailyWhere(f.Since, f.Until, f.Agent)
		q = `COALESCE(SUM(calls), 0), COALESCE(SUM(input), 0), COALESCE(SUM(cache_read), 0), COALESCE(SUM(cache_write_5m), 0),
		COALESCE(SUM(cache_write_1h), 0), COALESCE(SUM(output), 0), COALESCE(SUM(reasoning), 0), COALESCE(SUM(cost), 0)
		FROM daily` + where
	} else {
		where, args, err = callWhere(f.Since, f.Until, f.Agent, f.Run)
		q = `COUNT(*), COALESCE(SUM(input), 0), COALESCE(SUM(cache_read), 0), COALESCE(SUM(cache_write_5m), 0),
		COALESCE(SUM(cache_write_1h), 0), COALESCE(SUM(output), 0), COALESCE(SUM(reasoning), 0), COALESCE(SUM(cost), 0)
		FROM calls` + where
	}
	if err != nil {
		return nil, total, err
	}
	sel := "SELECT "
	for _, c := range cols {
		sel += c + ", "
	}
	q = sel + q
	if len(cols) > 0 {
		q += " GROUP BY " + strings.Join(cols, ", ") + " ORDER BY " + strings.Join(cols, ", ")
	}
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, total, db.fail(err, "spend")
	}
	defer rows.Close()
	out := []frugal.SpendRow{}
	dayIdx := slices.Index(f.By, "day")
	dest := make([]any, len(cols)+8)
	for rows.Next() {
		r := frugal.SpendRow{Keys: make([]string, len(cols))}
		var day int64
		for i := range cols {
			if i == dayIdx {
				dest[i] = &day
			} else {
				dest[i] = &r.Keys[i]
			}
		}
		u := &r.Usage
		copy(dest[len(cols):], []any{&r.Calls, &u.Input, &u.CacheRead, &u.CacheWrite5m, &u.CacheWrite1h, &u.Output, &u.Reasoning, &r.Cost})
		if err := rows.Scan(dest...); err != nil {
			return nil, total, db.fail(err, "spend")
		}
		if dayIdx >= 0 {
			r.Keys[dayIdx] = time.UnixMilli(day * msPerDay).UTC().Format(time.DateOnly)
		}
		if len(cols) == 0 {
			total = r
			total.Keys = nil
			continue
		}
		total.Calls += r.Calls
		total.Usage = total.Usage.Add(r.Usage)
		total.Cost += r.Cost
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, total, db.fail(err, "spend")
	}
	return out, total, nil
}

func checkRange(since, until time.Time) error {
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return frugal.Errorf(frugal.EINVALID, "until %s is not after since %s",
			until.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
	}
	return nil
}

// dailyWhere is callWhere for the daily rollup; since and until are on
// whole UTC days.
func dailyWhere(since, until time.Time, agent string) (string, []any, error) {
	if err := checkRange(since, until); err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	if !since.IsZero() {
		conds, args = append(conds, "day >= ?"), append(args, since.UnixMilli()/msPerDay)
	}
	if !until.IsZero() {
		conds, args = append(conds, "day < ?"), append(args, until.UnixMilli()/msPerDay)
	}
	if agent != "" {
		conds, args = append(conds, "agent = ?"), append(args, agent)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// callWhere builds the WHERE clause shared by Spend and Calls, using only
// the conditions that are set so that SQLite can pick an index.
func callWhere(since, until time.Time, agent, run string) (string, []any, error) {
	if err := checkRange(since, until); err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	if !since.IsZero() {
		conds, args = append(conds, "at_ms >= ?"), append(args, since.UnixMilli())
	}
	if !until.IsZero() {
		conds, args = append(conds, "at_ms < ?"), append(args, until.UnixMilli())
	}
	if agent != "" {
		conds, args = append(conds, "agent = ?"), append(args, agent)
	}
	if run != "" {
		conds, args = append(conds, "run = ?"), append(args, run)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// CallFilter selects settled calls for Calls.
type CallFilter struct {
	Since time.Time // inclusive, on the hold's time; zero: no bound
	Until time.Time // exclusive; zero: no bound
	Agent string
	Run   string
	// BeforeID pages backwards: only calls with a smaller ID; 0: from the newest.
	BeforeID int64
	// Limit caps the number of calls returned; 0: 100. At most 10000.
	Limit int
}

const callColumns = `id, hold_id, idempotency_key, at_ms, agent, run, step, tier, vkey, provider, model,
	input, cache_read, cache_write_5m, cache_write_1h, output, reasoning, cost, worst, latency_ms, outcome, estimated`

// Calls lists settled calls, newest (highest ID) first. A Limit beyond
// 10000 or a negative one is EINVALID.
func (db *DB) Calls(ctx context.Context, f CallFilter) ([]frugal.Call, error) {
	if f.Limit < 0 || f.Limit > 10000 {
		return nil, frugal.Errorf(frugal.EINVALID, "calls: limit %d out of range 0..10000", f.Limit)
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	where, args, err := callWhere(f.Since, f.Until, f.Agent, f.Run)
	if err != nil {
		return nil, err
	}
	if f.BeforeID > 0 {
		if where == "" {
			where = " WHERE id < ?"
		} else {
			where += " AND id < ?"
		}
		args = append(args, f.BeforeID)
	}
	rows, err := db.rdb.QueryContext(ctx, "SELECT "+callColumns+" FROM calls"+where+" ORDER BY id DESC LIMIT ?", append(args, f.Limit)...)
	if err != nil {
		return nil, db.fail(err, "calls")
	}
	defer rows.Close()
	out := []frugal.Call{}
	for rows.Next() {
		c, _, err := scanCall(rows)
		if err != nil {
			return nil, db.fail(err, "calls")
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(err, "calls")
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

// scanCall reads one row of callColumns. found is false on sql.ErrNoRows.
func scanCall(s scanner) (c frugal.Call, found bool, err error) {
	var atMs, latencyMs int64
	var outcome string
	u := &c.Usage
	err = s.Scan(&c.ID, &c.HoldID, &c.IdempotencyKey, &atMs, &c.Agent, &c.Run, &c.Step, &c.Tier, &c.Key,
		&c.Provider, &c.Model, &u.Input, &u.CacheRead, &u.CacheWrite5m, &u.CacheWrite1h, &u.Output, &u.Reasoning,
		&c.Cost, &c.Worst, &latencyMs, &outcome, &c.Estimated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	c.Time = time.UnixMilli(atMs).UTC()
	c.Latency = time.Duration(latencyMs) * time.Millisecond
	c.Outcome = frugal.Outcome(outcome)
	return c, true, nil
}

// Reconcile checks that every spend counter and every row of the daily
// rollup equals the sums over the settled calls it covers, and that no
// call is missing from either, reading one consistent snapshot. A
// mismatch is EINTERNAL and lists up to five of them. It reads every
// call, so it takes seconds per million calls.
func (db *DB) Reconcile(ctx context.Context) error {
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return db.fail(err, "reconcile")
	}
	defer tx.Rollback()
	type tally struct{ spent, calls int64 }
	want := map[counterKey]tally{}
	wantDaily := map[dailyKey]*dailySums{}
	rows, err := tx.QueryContext(ctx, `SELECT at_ms, agent, run, vkey, tier, provider, model,
		input, cache_read, cache_write_5m, cache_write_1h, output, reasoning, cost FROM calls`)
	if err != nil {
		return db.fail(err, "reconcile")
	}
	for rows.Next() {
		var at int64
		var c frugal.Call
		u := &c.Usage
		if err := rows.Scan(&at, &c.Agent, &c.Run, &c.Key, &c.Tier, &c.Provider, &c.Model,
			&u.Input, &u.CacheRead, &u.CacheWrite5m, &u.CacheWrite1h, &u.Output, &u.Reasoning, &c.Cost); err != nil {
			rows.Close()
			return db.fail(err, "reconcile")
		}
		c.Time = time.UnixMilli(at)
		for _, k := range counterKeys(c.Attribution, c.Time) {
			t := want[k]
			t.spent += int64(c.Cost)
			t.calls++
			want[k] = t
		}
		dk := dailyKeyOf(c)
		d := wantDaily[dk]
		if d == nil {
			d = &dailySums{}
			wantDaily[dk] = d
		}
		d.add(1, c.Usage, c.Cost)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return db.fail(err, "reconcile")
	}
	var bad []string
	rows, err = tx.QueryContext(ctx, `SELECT scope, name, win, bucket, spent, calls FROM counters`)
	if err != nil {
		return db.fail(err, "reconcile")
	}
	for rows.Next() {
		var k counterKey
		var scope, win string
		var got tally
		if err := rows.Scan(&scope, &k.name, &win, &k.bucket, &got.spent, &got.calls); err != nil {
			rows.Close()
			return db.fail(err, "reconcile")
		}
		k.scope, k.win = frugal.Scope(scope), frugal.Window(win)
		w := want[k]
		delete(want, k)
		if w != got {
			bad = append(bad, fmt.Sprintf("%s: counter says %s in %d calls, calls say %s in %d",
				k, frugal.Money(got.spent), got.calls, frugal.Money(w.spent), w.calls))
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return db.fail(err, "reconcile")
	}
	for k, w := range want {
		bad = append(bad, fmt.Sprintf("%s: no counter, calls say %s in %d calls", k, frugal.Money(w.spent), w.calls))
	}
	rows, err = tx.QueryContext(ctx, `SELECT day, agent, tier, provider, model, calls, input, cache_read,
		cache_write_5m, cache_write_1h, output, reasoning, cost FROM daily`)
	if err != nil {
		return db.fail(err, "reconcile")
	}
	for rows.Next() {
		var k dailyKey
		var got dailySums
		u := &got.usage
		if err := rows.Scan(&k.day, &k.agent, &k.tier, &k.provider, &k.model, &got.calls, &u.Input, &u.CacheRead,
			&u.CacheWrite5m, &u.CacheWrite1h, &u.Output, &u.Reasoning, &got.cost); err != nil {
			rows.Close()
			return db.fail(err, "reconcile")
		}
		w := wantDaily[k]
		delete(wantDaily, k)
		if w == nil {
			w = &dailySums{}
		}
		if *w != got {
			bad = append(bad, fmt.Sprintf("daily %v: rollup says %d calls %s costing %s, calls say %d calls %s costing %s",
				k, got.calls, got.usage, got.cost, w.calls, w.usage, w.cost))
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return db.fail(err, "reconcile")
	}
	for k, w := range wantDaily {
		bad = append(bad, fmt.Sprintf("daily %v: no rollup row, calls say %d calls costing %s", k, w.calls, w.cost))
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	n := len(bad)
	if n > 5 {
		bad = bad[:5]
	}
	return frugal.Errorf(frugal.EINTERNAL, "ledger %s: %d rollups disagree with the calls: %s", db.path, n, strings.Join(bad, "; "))
}

func (k counterKey) String() string {
	s := string(k.scope)
	if k.name != "" {
		s += fmt.Sprintf(" %q", k.name)
	}
	s += "/" + string(k.win)
	if k.bucket != 0 {
		s += " from " + time.UnixMilli(k.bucket).UTC().Format(time.DateOnly)
	}
	return s
}
