package sqlite

import (
	"context"
	"database/sql"
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

// spendPart is one query of a report: calls or daily rows in [since, until).
type spendPart struct {
	daily        bool
	since, until time.Time // zero: unbounded
}

// planSpend splits f's time range so that whole UTC days are read from the
// daily rollup and only the partial days at either end scan the calls. A
// report by run or step, or of one run, scans the calls throughout.
func planSpend(f frugal.SpendFilter) []spendPart {
	if f.Run != "" || slices.Contains(f.By, "run") || slices.Contains(f.By, "step") {
		return []spendPart{{false, f.Since, f.Until}}
	}
	s0, u0 := f.Since, f.Until
	if !s0.IsZero() && s0.UnixMilli()%msPerDay != 0 {
		s0 = time.UnixMilli((s0.UnixMilli()/msPerDay + 1) * msPerDay).UTC()
	}
	if !u0.IsZero() && u0.UnixMilli()%msPerDay != 0 {
		u0 = time.UnixMilli(u0.UnixMilli() / msPerDay * msPerDay).UTC()
	}
	if !s0.IsZero() && !u0.IsZero() && !u0.After(s0) {
		return []spendPart{{false, f.Since, f.Until}} // within a day or two: no whole day
	}
	var parts []spendPart
	if !s0.Equal(f.Since) {
		parts = append(parts, spendPart{false, f.Since, s0})
	}
	parts = append(parts, spendPart{true, s0, u0})
	if !u0.Equal(f.Until) {
		parts = append(parts, spendPart{false, u0, f.Until})
	}
	return parts
}

// Spend reports the calls that f selects (by the time their hold was
// taken), grouped by f.By in that order and sorted by the group keys
// (days chronologically), with the total over all of them. With no By
// keys there are no rows, only the total. Whole UTC days are read from
// the daily rollup, so a report by agent, model, tier, provider or day
// scans at most the calls of the partial days at either end of its range,
// whatever the size of the ledger; a report by run or step, or of one run,
// scans the calls in range. An unknown or repeated By key, or Until not
// after Since, is EINVALID.
func (db *DB) Spend(ctx context.Context, f frugal.SpendFilter) ([]frugal.SpendRow, frugal.SpendRow, error) {
	var total frugal.SpendRow
	for i, k := range f.By {
		if !slices.Contains(SpendKeys, k) {
			return nil, total, frugal.Errorf(frugal.EINVALID, "spend: cannot group by %q (want %s)", k, strings.Join(SpendKeys, ", "))
		}
		if slices.Index(f.By, k) != i {
			return nil, total, frugal.Errorf(frugal.EINVALID, "spend: %q given twice in by", k)
		}
	}
	if err := checkRange(f.Since, f.Until); err != nil {
		return nil, total, err
	}
	parts := planSpend(f)
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for all parts
	if err != nil {
		return nil, total, db.fail(err, "spend")
	}
	defer tx.Rollback()
	var all [][]frugal.SpendRow
	for _, p := range parts {
		rows, t, err := spendPartRows(ctx, tx, f, p)
		if err != nil {
			return nil, total, db.fail(err, "spend")
		}
		all = append(all, rows)
		total.Calls += t.Calls
		total.Usage = total.Usage.Add(t.Usage)
		total.Cost += t.Cost
	}
	if len(all) == 1 {
		return all[0], total, nil
	}
	return mergeSpend(all), total, nil
}

// mergeSpend adds up rows of equal keys from several sorted parts and
// sorts the result as SQL would (byte order, dates chronologically).
func mergeSpend(parts [][]frugal.SpendRow) []frugal.SpendRow {
	byKey := map[string]int{}
	out := []frugal.SpendRow{}
	for _, rows := range parts {
		for _, r := range rows {
			k := strings.Join(r.Keys, "\x00")
			i, ok := byKey[k]
			if !ok {
				byKey[k] = len(out)
				out = append(out, r)
				continue
			}
			out[i].Calls += r.Calls
			out[i].Usage = out[i].Usage.Add(r.Usage)
			out[i].Cost += r.Cost
		}
	}
	slices.SortFunc(out, func(a, b frugal.SpendRow) int { return slices.Compare(a.Keys, b.Keys) })
	return out
}

// spendPartRows runs one part of a report; its rows come sorted by keys.
func spendPartRows(ctx context.Context, tx *sql.Tx, f frugal.SpendFilter, p spendPart) ([]frugal.SpendRow, frugal.SpendRow, error) {
	var total frugal.SpendRow
	cols := make([]string, len(f.By))
	for i, k := range f.By {
		cols[i], _ = spendColumn(k, p.daily)
	}
	var q, where string
	var args []any
	if p.daily {
		where, args = dailyWhere(p.since, p.until, f.Agent)
		q = `COALESCE(SUM(calls), 0), COALESCE(SUM(input), 0), COALESCE(SUM(cache_read), 0), COALESCE(SUM(cache_write_5m), 0),
		COALESCE(SUM(cache_write_1h), 0), COALESCE(SUM(output), 0), COALESCE(SUM(reasoning), 0), COALESCE(SUM(cost), 0)
		FROM daily` + where
	} else {
		where, args = callWhere(p.since, p.until, f.Agent, f.Run)
		q = `COUNT(*), COALESCE(SUM(input), 0), COALESCE(SUM(cache_read), 0), COALESCE(SUM(cache_write_5m), 0),
		COALESCE(SUM(cache_write_1h), 0), COALESCE(SUM(output), 0), COALESCE(SUM(reasoning), 0), COALESCE(SUM(cost), 0)
		FROM calls` + where
	}
	sel := "SELECT "
	for _, c := range cols {
		sel += c + ", "
	}
	q = sel + q
	if len(cols) > 0 {
		q += " GROUP BY " + strings.Join(cols, ", ") + " ORDER BY " + strings.Join(cols, ", ")
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, total, err
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
			return nil, total, err
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
	return out, total, rows.Err()
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
func dailyWhere(since, until time.Time, agent string) (string, []any) {
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
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// callWhere builds the WHERE clause shared by Spend and Calls, using only
// the conditions that are set so that SQLite can pick an index.
func callWhere(since, until time.Time, agent, run string) (string, []any) {
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
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
