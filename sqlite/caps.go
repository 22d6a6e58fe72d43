package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"sort"
	"time"

	"github.com/frugal-dev/frugal"
)

// A cap's spent is one counter row; its reserved is the sum of the active
// holds it covers. A hold counts in a calendar window when it was taken in
// that window, as its call's spend will.
const (
	counterSQL = `SELECT COALESCE((SELECT spent FROM counters
		WHERE scope = ? AND name = ? AND win = ? AND bucket = ?), 0)`
	reservedSQL = `SELECT COALESCE(SUM(worst), 0) FROM holds
		WHERE expires_ms > ?1 AND created_ms >= ?2 AND created_ms < ?3
		AND (?4 = '' OR agent = ?4) AND (?5 = '' OR vkey = ?5) AND (?6 = '' OR run = ?6)`
)

// capReader reads counters and holds, inside the writer's transaction or a
// read transaction.
type capReader interface {
	queryRow(ctx context.Context, which string, args ...any) *sql.Row
}

type writerReader struct{ tx *wtx }

func (r writerReader) queryRow(ctx context.Context, which string, args ...any) *sql.Row {
	if which == counterSQL {
		return r.tx.w.st.counter.QueryRowContext(ctx, args...)
	}
	return r.tx.w.st.reserved.QueryRowContext(ctx, args...)
}

type txReader struct{ tx *sql.Tx }

func (r txReader) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return r.tx.QueryRowContext(ctx, q, args...)
}

// capStatus is where one cap stands for one call (or one report) at now.
type capStatus struct {
	Spent, Reserved frugal.Money
	ResetsAt        time.Time
}

// capState reads the spent and reserved amounts of cap b in the window
// that holds now. run is the run that a run-window cap limits (the call's
// run); a call outside any run is limited on its own.
func capState(ctx context.Context, r capReader, b frugal.Budget, run string, now time.Time) (capStatus, error) {
	var st capStatus
	nowMs := now.UnixMilli()
	var agent, key string
	switch b.Scope {
	case frugal.ScopeAgent:
		agent = b.Name
	case frugal.ScopeKey:
		key = b.Name
	case frugal.ScopeRun:
		run = b.Name
	}
	switch {
	case b.Scope == frugal.ScopeRun || b.Window == frugal.WindowRun:
		// A run's spend is its own counter, whichever cap reads it.
		if run == "" {
			return st, nil
		}
		if err := r.queryRow(ctx, counterSQL, string(frugal.ScopeRun), run, string(frugal.WindowTotal), 0).Scan(&st.Spent); err != nil {
			return st, err
		}
		err := r.queryRow(ctx, reservedSQL, nowMs, int64(math.MinInt64), int64(math.MaxInt64), "", "", run).Scan(&st.Reserved)
		return st, err
	case b.Window == frugal.WindowTotal:
		if err := r.queryRow(ctx, counterSQL, string(b.Scope), b.Name, string(b.Window), 0).Scan(&st.Spent); err != nil {
			return st, err
		}
		err := r.queryRow(ctx, reservedSQL, nowMs, int64(math.MinInt64), int64(math.MaxInt64), agent, key, "").Scan(&st.Reserved)
		return st, err
	}
	start, end := b.Window.Bounds(now)
	st.ResetsAt = end
	if err := r.queryRow(ctx, counterSQL, string(b.Scope), b.Name, string(b.Window), start.UnixMilli()).Scan(&st.Spent); err != nil {
		return st, err
	}
	err := r.queryRow(ctx, reservedSQL, nowMs, start.UnixMilli(), end.UnixMilli(), agent, key, "").Scan(&st.Reserved)
	return st, err
}

// CapLine is a cap where it stands now, with the run it reports on.
type CapLine struct {
	frugal.CapStatus
	// Run is the run a run-window cap reports on: the cap's own run for
	// the run scope; otherwise the most recent run the cap covers (by its
	// newest active hold or settled call), "" when there is none.
	Run string `json:"run,omitempty"`
}

// Caps lists every cap with its spent, reserved and remaining amounts in
// the window that holds now. A run-window cap of the agent, key or global
// scope limits each run on its own; it is reported for its most recent
// run (see CapReport to learn which).
func (db *DB) Caps(ctx context.Context) ([]frugal.CapStatus, error) {
	lines, err := db.CapReport(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]frugal.CapStatus, len(lines))
	for i, l := range lines {
		out[i] = l.CapStatus
	}
	return out, nil
}

// CapReport is Caps with the run each run-window cap reports on. Caps are
// ordered by scope (global, agent, key, run), name and window (run, day,
// week, month, total), all read from one consistent snapshot.
func (db *DB) CapReport(ctx context.Context) ([]CapLine, error) {
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, db.fail(err, "caps")
	}
	defer tx.Rollback()
	now := time.UnixMilli(db.now().UnixMilli()).UTC()
	rows, err := tx.QueryContext(ctx, `SELECT scope, name, win, limit_micro FROM budgets`)
	if err != nil {
		return nil, db.fail(err, "caps")
	}
	var lines []CapLine
	for rows.Next() {
		var l CapLine
		var scope, win string
		if err := rows.Scan(&scope, &l.Name, &win, &l.Limit); err != nil {
			rows.Close()
			return nil, db.fail(err, "caps")
		}
		l.Scope, l.Window = frugal.Scope(scope), frugal.Window(win)
		lines = append(lines, l)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, db.fail(err, "caps")
	}
	sort.Slice(lines, func(i, j int) bool {
		a, b := lines[i].Budget, lines[j].Budget
		if a.Scope != b.Scope {
			return scopeOrder(a.Scope) < scopeOrder(b.Scope)
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return windowOrder(a.Window) < windowOrder(b.Window)
	})
	for i := range lines {
		l := &lines[i]
		switch {
		case l.Scope == frugal.ScopeRun:
			l.Run = l.Name
		case l.Window == frugal.WindowRun:
			if l.Run, err = latestRun(ctx, tx, l.Budget, now); err != nil {
				return nil, db.fail(err, "caps")
			}
		}
		st, err := capState(ctx, txReader{tx}, l.Budget, l.Run, now)
		if err != nil {
			return nil, db.fail(err, "caps")
		}
		l.Spent, l.Reserved, l.ResetsAt = st.Spent, st.Reserved, st.ResetsAt
		l.Remaining = max(0, l.Limit-addSat(st.Spent, st.Reserved))
	}
	return lines, nil
}

// latestRun finds the most recent run that cap b covers: the run of its
// newest active hold, else of its newest settled call.
func latestRun(ctx context.Context, tx *sql.Tx, b frugal.Budget, now time.Time) (string, error) {
	var cond string
	var args []any
	switch b.Scope {
	case frugal.ScopeAgent:
		cond, args = " AND agent = ?", []any{b.Name}
	case frugal.ScopeKey:
		cond, args = " AND vkey = ?", []any{b.Name}
	}
	var run string
	err := tx.QueryRowContext(ctx, `SELECT run FROM holds WHERE run != '' AND expires_ms > ?`+cond+
		` ORDER BY created_ms DESC LIMIT 1`, append([]any{now.UnixMilli()}, args...)...).Scan(&run)
	if err == nil || !isNoRows(err) {
		return run, err
	}
	err = tx.QueryRowContext(ctx, `SELECT run FROM calls WHERE run != ''`+cond+
		` ORDER BY at_ms DESC, id DESC LIMIT 1`, args...).Scan(&run)
	if isNoRows(err) {
		return "", nil
	}
	return run, err
}

func scopeOrder(s frugal.Scope) int {
	switch s {
	case frugal.ScopeGlobal:
		return 0
	case frugal.ScopeAgent:
		return 1
	case frugal.ScopeKey:
		return 2
	}
	return 3
}

func windowOrder(w frugal.Window) int {
	switch w {
	case frugal.WindowRun:
		return 0
	case frugal.WindowDay:
		return 1
	case frugal.WindowWeek:
		return 2
	case frugal.WindowMonth:
		return 3
	}
	return 4
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
