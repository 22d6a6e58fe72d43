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
