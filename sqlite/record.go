package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/frugal-dev/frugal"
)

// Record stores calls that were billed without a hold of this ledger: an
// import from another ledger, a backfill from transcripts. All of calls go
// in one transaction with their counters; a call whose idempotency key is
// already recorded (its HoldID when the key is empty) is skipped, so a
// Record can be repeated. No cap is checked: the money is already spent.
// It returns how many calls were added. Each call needs a Time and a key
// or a HoldID; its ID is ignored. An invalid call is EINVALID and nothing
// is recorded.
func (db *DB) Record(ctx context.Context, calls []frugal.Call) (int, error) {
	for i := range calls {
		c := &calls[i]
		if c.IdempotencyKey == "" && c.HoldID == "" {
			return 0, frugal.Errorf(frugal.EINVALID, "record: call %d has neither an idempotency key nor a hold ID", i)
		}
		if c.Time.IsZero() {
			return 0, frugal.Errorf(frugal.EINVALID, "record: call %d has no time", i)
		}
		if err := c.Usage.Validate(); err != nil {
			return 0, fmt.Errorf("record: call %d: %w", i, err)
		}
		if c.Cost < 0 || c.Worst < 0 || c.Latency < 0 {
			return 0, frugal.Errorf(frugal.EINVALID, "record: call %d: negative cost, worst case or latency", i)
		}
	}
	added := 0
	err := db.w.do(ctx, &op{name: "record", durable: true, apply: func(tx *wtx) error {
		added = 0
		st, err := tx.w.conn.PrepareContext(tx.ctx, `INSERT INTO calls (hold_id, idempotency_key, at_ms, settled_ms, agent, run,
			step, tier, vkey, provider, model, input, cache_read, cache_write_5m, cache_write_1h, output, reasoning, cost,
			worst, latency_ms, outcome, estimated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (idempotency_key) DO NOTHING`)
		if err != nil {
			return sqlErr(err)
		}
		defer st.Close()
		type tally struct{ spent, calls int64 }
		sums := map[counterKey]tally{}
		days := map[dailyKey]*dailySums{}
		for _, c := range calls {
			key := c.IdempotencyKey
			if key == "" {
				key = c.HoldID
			}
			outcome := c.Outcome
			if outcome == "" {
				outcome = frugal.OutcomeOK
			}
			u := c.Usage
			res, err := st.ExecContext(tx.ctx, c.HoldID, key, c.Time.UnixMilli(), tx.nowMs, c.Agent, c.Run, c.Step,
				c.Tier, c.Key, c.Provider, c.Model, u.Input, u.CacheRead, u.CacheWrite5m, u.CacheWrite1h, u.Output,
				u.Reasoning, int64(c.Cost), int64(c.Worst), c.Latency.Milliseconds(), string(outcome), c.Estimated)
			if err != nil {
				return sqlErr(err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return sqlErr(err)
			} else if n == 0 {
				continue
			}
			added++
			c.Time = time.UnixMilli(c.Time.UnixMilli())
			dk := dailyKeyOf(c)
			d := days[dk]
			if d == nil {
				d = &dailySums{}
				days[dk] = d
			}
			d.add(1, u, c.Cost)
			for _, k := range counterKeys(c.Attribution, c.Time) {
				t := sums[k]
				t.spent += int64(c.Cost)
				t.calls++
				sums[k] = t
			}
		}
		up, err := tx.w.conn.PrepareContext(tx.ctx, `INSERT INTO counters (scope, name, win, bucket, spent, calls)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (scope, name, win, bucket) DO UPDATE SET spent = spent + excluded.spent, calls = calls + excluded.calls`)
		if err != nil {
			return sqlErr(err)
		}
		defer up.Close()
		for k, t := range sums {
			if _, err := up.ExecContext(tx.ctx, string(k.scope), k.name, string(k.win), k.bucket, t.spent, t.calls); err != nil {
				return sqlErr(err)
			}
		}
		for k, d := range days {
			u := d.usage
			if _, err := tx.w.st.bumpDaily.ExecContext(tx.ctx, k.day, k.agent, k.tier, k.provider, k.model, d.calls,
				u.Input, u.CacheRead, u.CacheWrite5m, u.CacheWrite1h, u.Output, u.Reasoning, int64(d.cost)); err != nil {
				return sqlErr(err)
			}
		}
		return nil
	}})
	if err != nil {
		return 0, err
	}
	return added, nil
}
