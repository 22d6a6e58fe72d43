package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/frugal-dev/frugal"
)

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
	if err := checkRange(f.Since, f.Until); err != nil {
		return nil, err
	}
	where, args := callWhere(f.Since, f.Until, f.Agent, f.Run)
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
