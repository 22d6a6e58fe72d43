package sqlite

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/frugal-dev/frugal"
)

// Reserve holds req.Worst against every cap that applies to req's
// attribution, checking them all in one transaction that holds the
// database's write lock, so no other caller in this or any other process
// can slip in between. It returns a *frugal.Denial (code EBUDGET) when the
// hold would let settled spend cross a cap: of the caps crossed, the one
// that resets last (a run or total cap never resets), so that a caller who
// defers until ResetsAt is not denied again by another cap. Bad requests
// are EINVALID.
func (db *DB) Reserve(ctx context.Context, req frugal.ReserveRequest) (frugal.Hold, error) {
	if req.Worst < 0 {
		return frugal.Hold{}, frugal.Errorf(frugal.EINVALID, "reserve: worst case %s is negative", req.Worst)
	}
	if req.Lease < 0 {
		return frugal.Hold{}, frugal.Errorf(frugal.EINVALID, "reserve: lease %s is negative", req.Lease)
	}
	if req.Lease == 0 {
		req.Lease = db.opts.DefaultLease
	}
	var h frugal.Hold
	o := &op{name: "reserve", apply: func(tx *wtx) error {
		var err error
		h, err = tx.reserve(req)
		return err
	}}
	if err := db.w.do(ctx, o); err != nil {
		return frugal.Hold{}, err
	}
	return h, nil
}

// Settle records the call of hold h and frees the hold, in one transaction
// that is committed (fsynced, with the default Synchronous) before Settle
// returns. A Settle with an idempotency key already recorded changes
// nothing and returns the call first recorded with it (freeing h if h is a
// different hold). Settling a hold that expired or is unknown still
// records the call from h's own fields: the money was spent. An invalid
// settlement is EINVALID.
func (db *DB) Settle(ctx context.Context, h frugal.Hold, s frugal.Settlement) (frugal.Call, error) {
	if h.ID == "" {
		return frugal.Call{}, frugal.Errorf(frugal.EINVALID, "settle: hold has no ID")
	}
	if err := s.Usage.Validate(); err != nil {
		return frugal.Call{}, fmt.Errorf("settle hold %s: %w", h.ID, err)
	}
	if s.Cost < 0 {
		return frugal.Call{}, frugal.Errorf(frugal.EINVALID, "settle hold %s: cost %s is negative", h.ID, s.Cost)
	}
	if s.Latency < 0 {
		return frugal.Call{}, frugal.Errorf(frugal.EINVALID, "settle hold %s: latency %s is negative", h.ID, s.Latency)
	}
	switch s.Outcome {
	case "":
		s.Outcome = frugal.OutcomeOK
	case frugal.OutcomeOK, frugal.OutcomeError, frugal.OutcomeInterrupted:
	default:
		return frugal.Call{}, frugal.Errorf(frugal.EINVALID, "settle hold %s: unknown outcome %q", h.ID, s.Outcome)
	}
	if s.IdempotencyKey == "" {
		s.IdempotencyKey = h.ID
	}
	var c frugal.Call
	o := &op{name: "settle", durable: true, apply: func(tx *wtx) error {
		var err error
		c, err = tx.settle(h, s)
		return err
	}}
	if err := db.w.do(ctx, o); err != nil {
		return frugal.Call{}, err
	}
	return c, nil
}

// Release frees a hold whose call was never billed. Releasing a hold that
// was settled, released, expired or never existed does nothing.
func (db *DB) Release(ctx context.Context, h frugal.Hold) error {
	if h.ID == "" {
		return frugal.Errorf(frugal.EINVALID, "release: hold has no ID")
	}
	return db.w.do(ctx, &op{name: "release", apply: func(tx *wtx) error {
		_, err := tx.w.st.deleteHold.ExecContext(tx.ctx, h.ID)
		return sqlErr(err)
	}})
}

// Renew extends the lease of an active hold to lease from now (0: the
// default lease), for a call that runs longer than its first lease, such
// as a long stream. A hold that was settled, released or has expired is
// ENOTFOUND: its money is no longer held, so the caller should stop or
// reserve again.
func (db *DB) Renew(ctx context.Context, h frugal.Hold, lease time.Duration) (frugal.Hold, error) {
	if lease < 0 {
		return frugal.Hold{}, frugal.Errorf(frugal.EINVALID, "renew hold %s: lease %s is negative", h.ID, lease)
	}
	if lease == 0 {
		lease = db.opts.DefaultLease
	}
	err := db.w.do(ctx, &op{name: "renew", apply: func(tx *wtx) error {
		exp := tx.nowMs + max(lease.Milliseconds(), 1)
		res, err := tx.w.conn.ExecContext(tx.ctx, `UPDATE holds SET expires_ms = ? WHERE id = ? AND expires_ms > ?`, exp, h.ID, tx.nowMs)
		if err != nil {
			return sqlErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return sqlErr(err)
		} else if n == 0 {
			return frugal.Errorf(frugal.ENOTFOUND, "renew: hold %s is no longer active (settled, released or expired)", h.ID)
		}
		h.Lease = lease
		h.ExpiresAt = time.UnixMilli(exp).UTC()
		return nil
	}})
	if err != nil {
		return frugal.Hold{}, err
	}
	return h, nil
}

// SetBudget adds cap b or changes its limit. A new cap counts the spend
// already settled in its current window. An invalid budget is EINVALID.
func (db *DB) SetBudget(ctx context.Context, b frugal.Budget) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return db.w.do(ctx, &op{name: "set budget", durable: true, apply: func(tx *wtx) error {
		_, err := tx.w.st.upsertBudget.ExecContext(tx.ctx, string(b.Scope), b.Name, string(b.Window), int64(b.Limit), tx.nowMs)
		return sqlErr(err)
	}})
}

// DeleteBudget removes a cap; the spend it counted stays recorded. An
// unknown cap is ENOTFOUND.
func (db *DB) DeleteBudget(ctx context.Context, scope frugal.Scope, name string, window frugal.Window) error {
	return db.w.do(ctx, &op{name: "delete budget", durable: true, apply: func(tx *wtx) error {
		res, err := tx.w.st.deleteBudget.ExecContext(tx.ctx, string(scope), name, string(window))
		if err != nil {
			return sqlErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return sqlErr(err)
		} else if n == 0 {
			b := frugal.Budget{Scope: scope, Name: name, Window: window}
			return frugal.Errorf(frugal.ENOTFOUND, "no %s", capName(b))
		}
		return nil
	}})
}

// capName names a cap without its limit: `agent "x"/day cap`.
func capName(b frugal.Budget) string {
	if b.Scope == frugal.ScopeGlobal {
		return fmt.Sprintf("global/%s cap", b.Window)
	}
	return fmt.Sprintf("%s %q/%s cap", b.Scope, b.Name, b.Window)
}

// wtx is the writer's open transaction: what an op may do inside it.
type wtx struct {
	ctx   context.Context
	w     *writer
	nowMs int64
}

// dropExpired deletes the holds whose lease ran out, so that a crashed
// process's holds stop counting against caps.
func (tx *wtx) dropExpired() error {
	rows, err := tx.w.st.dropExpired.QueryContext(tx.ctx, tx.nowMs)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, agent, run string
		var worst, created int64
		if err := rows.Scan(&id, &agent, &run, &worst, &created); err != nil {
			return err
		}
		tx.w.db.log.Warn("ledger hold expired without settle or release; its reservation is freed",
			"hold", id, "agent", agent, "run", run, "worst_micro_usd", worst, "created", time.UnixMilli(created).UTC())
	}
	return rows.Err()
}

func (tx *wtx) reserve(req frugal.ReserveRequest) (frugal.Hold, error) {
	now := time.UnixMilli(tx.nowMs).UTC()
	rows, err := tx.w.st.budgetsFor.QueryContext(tx.ctx, req.Agent, req.Run, req.Key)
	if err != nil {
		return frugal.Hold{}, sqlErr(err)
	}
	var caps []frugal.Budget
	for rows.Next() {
		var b frugal.Budget
		var scope, win string
		if err := rows.Scan(&scope, &b.Name, &win, &b.Limit); err != nil {
			rows.Close()
			return frugal.Hold{}, sqlErr(err)
		}
		b.Scope, b.Window = frugal.Scope(scope), frugal.Window(win)
		if b.Applies(req.Attribution) {
			caps = append(caps, b)
		}
	}
	if err := rows.Close(); err != nil {
		return frugal.Hold{}, sqlErr(err)
	}
	if err := rows.Err(); err != nil {
		return frugal.Hold{}, sqlErr(err)
	}
	var denial *frugal.Denial
	for _, b := range caps {
		st, err := capState(tx.ctx, writerReader{tx}, b, req.Run, now)
		if err != nil {
			return frugal.Hold{}, sqlErr(err)
		}
		if addSat(addSat(st.Spent, st.Reserved), req.Worst) <= b.Limit {
			continue
		}
		d := &frugal.Denial{Budget: b, Spent: st.Spent, Reserved: st.Reserved, Requested: req.Worst, ResetsAt: st.ResetsAt}
		if denial == nil || blocksLonger(d, denial) {
			denial = d
		}
	}
	if denial != nil {
		return frugal.Hold{}, denial
	}
	id, err := newID(tx.w.db.opts.Rand)
	if err != nil {
		return frugal.Hold{}, frugal.Errorf(frugal.EINTERNAL, "reserve: hold id: %w", err)
	}
	exp := tx.nowMs + req.Lease.Milliseconds()
	if req.Lease.Milliseconds() == 0 {
		exp++
	}
	_, err = tx.w.st.insertHold.ExecContext(tx.ctx, id, req.Agent, req.Run, req.Step, req.Tier, req.Key,
		req.Provider, req.Model, int64(req.Worst), tx.nowMs, exp)
	if err != nil {
		return frugal.Hold{}, sqlErr(err)
	}
	return frugal.Hold{ID: id, ReserveRequest: req, CreatedAt: now, ExpiresAt: time.UnixMilli(exp).UTC()}, nil
}

// blocksLonger reports whether denial a should be reported rather than b:
// it resets later (never, for run and total windows), or at the same time
// on a narrower cap.
func blocksLonger(a, b *frugal.Denial) bool {
	switch {
	case a.ResetsAt.IsZero() != b.ResetsAt.IsZero():
		return a.ResetsAt.IsZero()
	case !a.ResetsAt.Equal(b.ResetsAt):
		return a.ResetsAt.After(b.ResetsAt)
	}
	return scopeRank(a.Budget.Scope) < scopeRank(b.Budget.Scope)
}

func scopeRank(s frugal.Scope) int {
	switch s {
	case frugal.ScopeRun:
		return 0
	case frugal.ScopeAgent:
		return 1
	case frugal.ScopeKey:
		return 2
	}
	return 3
}

func (tx *wtx) settle(h frugal.Hold, s frugal.Settlement) (frugal.Call, error) {
	st := &tx.w.st
	c, found, err := scanCall(st.findCall.QueryRowContext(tx.ctx, s.IdempotencyKey))
	if err != nil {
		return frugal.Call{}, sqlErr(err)
	}
	if found {
		if c.HoldID != h.ID {
			if _, err := st.deleteHold.ExecContext(tx.ctx, h.ID); err != nil {
				return frugal.Call{}, sqlErr(err)
			}
		}
		return c, nil
	}
	c = frugal.Call{HoldID: h.ID, Time: h.CreatedAt, Attribution: h.Attribution, Provider: h.Provider,
		Model: h.Model, Worst: h.Worst, Settlement: s}
	var createdMs, expiresMs int64
	err = st.takeHold.QueryRowContext(tx.ctx, h.ID).Scan(&c.Agent, &c.Run, &c.Step, &c.Tier, &c.Key,
		&c.Provider, &c.Model, &c.Worst, &createdMs, &expiresMs)
	switch {
	case err == nil:
		c.Time = time.UnixMilli(createdMs).UTC()
	case isNoRows(err):
		if c.Time.IsZero() {
			c.Time = time.UnixMilli(tx.nowMs).UTC()
		}
		c.Time = c.Time.Truncate(time.Millisecond).UTC()
		tx.w.db.log.Warn("ledger settling a hold that is not active (expired, released or unknown); recording the call",
			"hold", h.ID, "agent", c.Agent, "run", c.Run, "cost_micro_usd", int64(s.Cost))
	default:
		return frugal.Call{}, sqlErr(err)
	}
	atMs := c.Time.UnixMilli()
	u := s.Usage
	res, err := st.insertCall.ExecContext(tx.ctx, h.ID, s.IdempotencyKey, atMs, tx.nowMs, c.Agent, c.Run, c.Step,
		c.Tier, c.Key, c.Provider, c.Model, u.Input, u.CacheRead, u.CacheWrite5m, u.CacheWrite1h, u.Output,
		u.Reasoning, int64(s.Cost), int64(c.Worst), s.Latency.Milliseconds(), string(s.Outcome), s.Estimated)
	if err != nil {
		return frugal.Call{}, sqlErr(err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return frugal.Call{}, sqlErr(err)
	}
	c.Latency = time.Duration(s.Latency.Milliseconds()) * time.Millisecond
	keys := counterKeys(c.Attribution, c.Time)
	bump, err := st.bumpStmt(tx.ctx, tx.w.conn, len(keys))
	if err != nil {
		return frugal.Call{}, sqlErr(err)
	}
	args := make([]any, 0, 5*len(keys))
	for _, k := range keys {
		args = append(args, string(k.scope), k.name, string(k.win), k.bucket, int64(s.Cost))
	}
	if _, err := bump.ExecContext(tx.ctx, args...); err != nil {
		return frugal.Call{}, sqlErr(err)
	}
	dk := dailyKeyOf(c)
	if _, err := st.bumpDaily.ExecContext(tx.ctx, dk.day, dk.agent, dk.tier, dk.provider, dk.model, 1,
		u.Input, u.CacheRead, u.CacheWrite5m, u.CacheWrite1h, u.Output, u.Reasoning, int64(s.Cost)); err != nil {
		return frugal.Call{}, sqlErr(err)
	}
	return c, nil
}

// counterKey names one counter row.
type counterKey struct {
	scope  frugal.Scope
	name   string
	win    frugal.Window
	bucket int64 // window start in unix ms; 0 for total
}

var calendarWindows = [...]frugal.Window{frugal.WindowDay, frugal.WindowWeek, frugal.WindowMonth}

// counterKeys lists every counter a call with attribution a, taken at t,
// adds to: day, week, month and total for the global scope and for its
// agent and key, and its run's total.
func counterKeys(a frugal.Attribution, t time.Time) []counterKey {
	var starts [len(calendarWindows)]int64
	for i, w := range calendarWindows {
		s, _ := w.Bounds(t)
		starts[i] = s.UnixMilli()
	}
	keys := make([]counterKey, 0, 13)
	add := func(scope frugal.Scope, name string) {
		for i, w := range calendarWindows {
			keys = append(keys, counterKey{scope, name, w, starts[i]})
		}
		keys = append(keys, counterKey{scope, name, frugal.WindowTotal, 0})
	}
	add(frugal.ScopeGlobal, "")
	if a.Agent != "" {
		add(frugal.ScopeAgent, a.Agent)
	}
	if a.Key != "" {
		add(frugal.ScopeKey, a.Key)
	}
	if a.Run != "" {
		keys = append(keys, counterKey{frugal.ScopeRun, a.Run, frugal.WindowTotal, 0})
	}
	return keys
}

func newID(r io.Reader) (string, error) {
	var b [12]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	return "h_" + hex.EncodeToString(b[:]), nil
}

// addSat adds two non-negative amounts, saturating instead of overflowing.
func addSat(a, b frugal.Money) frugal.Money {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// dailyKey names one row of the daily rollup.
type dailyKey struct {
	day                          int64 // UTC day number
	agent, tier, provider, model string
}

func dailyKeyOf(c frugal.Call) dailyKey {
	return dailyKey{c.Time.UnixMilli() / msPerDay, c.Agent, c.Tier, c.Provider, c.Model}
}

// dailySums is one row of the daily rollup's counters.
type dailySums struct {
	calls int64
	usage frugal.Usage
	cost  frugal.Money
}

func (d *dailySums) add(calls int64, u frugal.Usage, cost frugal.Money) {
	d.calls += calls
	d.usage = d.usage.Add(u)
	d.cost += cost
}
