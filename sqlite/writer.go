package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frugal-dev/frugal"
)

// The writer applies every write of this process through one connection.
// It group-commits: while one transaction is being fsynced the next
// operations queue up, and the writer applies all of them, in order, in the
// next transaction. Each operation sees the ones before it in the batch, so
// cap checks stay exact; each caller gets its answer only after the commit.

const (
	maxBatch   = 256
	queueDepth = 4096
)

// Op states: a caller may withdraw a pending op; once the writer has
// claimed it (inside a transaction that holds the write lock) the caller
// waits for the answer.
const (
	statePending int32 = iota
	stateClaimed
	stateCancelled
)

var errClosed = frugal.Errorf(frugal.EUNAVAILABLE, "ledger: closed")

// op is one queued write and, once done is signalled, its answer.
type op struct {
	name string // for errors: "reserve", "settle", ...
	// durable ops (settling, recording, caps) are fsynced at commit when
	// Options.Synchronous asks for it. The others (reserve, release,
	// renew) need not be: a process that loses them in a power cut loses
	// its holds with them, and the next durable commit syncs them anyway.
	durable bool
	apply   func(tx *wtx) error
	state   atomic.Int32
	done    chan struct{}
	err     error // set by the writer before done is signalled
}

type writer struct {
	db     *DB
	conn   *sql.Conn
	sync   string // the connection's synchronous setting now
	st     stmts
	queue  chan *op
	mu     sync.RWMutex // held for reading while queueing; Close takes it to stop new ops
	closed bool
	stop   chan struct{}
	exited chan struct{}
}

func newWriter(ctx context.Context, db *DB, conn *sql.Conn) (*writer, error) {
	w := &writer{
		db:     db,
		conn:   conn,
		sync:   db.opts.Synchronous, // as the DSN set it
		queue:  make(chan *op, queueDepth),
		stop:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	if err := w.st.prepare(ctx, conn); err != nil {
		return nil, db.fail(err, "prepare")
	}
	go w.loop()
	return w, nil
}

// do queues o and waits for its answer. If ctx ends before the writer has
// claimed o, o is withdrawn and never applied; after that, do waits for
// the commit so that the caller never misses a hold or a call that exists.
func (w *writer) do(ctx context.Context, o *op) error {
	o.done = make(chan struct{}, 1)
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errClosed
	}
	select {
	case w.queue <- o:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case <-o.done:
		return o.err
	case <-ctx.Done():
		if o.state.CompareAndSwap(statePending, stateCancelled) {
			return ctx.Err()
		}
		<-o.done
		return o.err
	}
}

// close stops new operations, lets the queued ones finish and waits for
// the writer goroutine to end.
func (w *writer) close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.exited
	w.st.close()
}

func (w *writer) loop() {
	defer close(w.exited)
	batch := make([]*op, 0, maxBatch)
	for {
		var first *op
		select {
		case first = <-w.queue:
		case <-w.stop:
			select {
			case first = <-w.queue:
			default:
				return
			}
		}
		batch = append(batch[:0], first)
	drain:
		for len(batch) < maxBatch {
			select {
			case o := <-w.queue:
				batch = append(batch, o)
			default:
				break drain
			}
		}
		w.run(batch)
		clear(batch)
	}
}

// run applies a batch in one transaction. If the transaction fails with an
// SQL error, it is rolled back and each of its ops is tried again in a
// transaction of its own, so that one op's failure (say, a full disk)
// fails no other op that could succeed.
func (w *writer) run(batch []*op) {
	claimed, err := w.begin(batch)
	if len(claimed) == 0 {
		return
	}
	if err == nil {
		err = w.applyAll(claimed)
	}
	if err == nil {
		w.reply(claimed)
		return
	}
	if len(claimed) == 1 || isClosedConn(err) {
		for _, o := range claimed {
			o.err = w.db.fail(err, o.name)
		}
		w.reply(claimed)
		return
	}
	w.db.log.Warn("ledger batch failed; retrying its operations one by one", "path", w.db.path, "ops", len(claimed), "err", err)
	for _, o := range claimed {
		err := w.beginClaimed([]*op{o})
		if err == nil {
			err = w.applyAll([]*op{o})
		}
		if err != nil {
			o.err = w.db.fail(err, o.name)
		}
		w.reply([]*op{o})
	}
}

// begin takes the write lock and claims the ops of batch that were not
// withdrawn meanwhile. While another process holds the lock beyond the busy
// timeout it keeps waiting, dropping withdrawn ops, and never fails with
// SQLITE_BUSY.
func (w *writer) begin(batch []*op) ([]*op, error) {
	ctx := context.Background()
	for {
		err := w.setSync(batch)
		if err == nil {
			_, err = w.conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		}
		if err != nil && isBusy(err) {
			live := batch[:0]
			for _, o := range batch {
				if o.state.Load() != stateCancelled {
					live = append(live, o)
				}
			}
			batch = live
			if len(batch) == 0 {
				return nil, nil
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		claimed := batch[:0]
		for _, o := range batch {
			if o.state.CompareAndSwap(statePending, stateClaimed) {
				claimed = append(claimed, o)
			}
		}
		if err == nil && len(claimed) == 0 {
			_, err = w.conn.ExecContext(ctx, "ROLLBACK")
			if err != nil {
				w.db.log.Error("ledger rollback failed", "path", w.db.path, "err", err)
			}
			return nil, nil
		}
		return claimed, err
	}
}

// beginClaimed starts a transaction for ops already claimed.
func (w *writer) beginClaimed(ops []*op) error {
	if err := w.setSync(ops); err != nil {
		return err
	}
	return beginImmediate(context.Background(), w.conn)
}

// setSync sets the connection's synchronous level for a transaction of
// ops: Options.Synchronous if any of them is durable, else NORMAL, which
// in WAL mode skips the fsync. SQLite allows the change only outside a
// transaction.
func (w *writer) setSync(ops []*op) error {
	want := "NORMAL"
	for _, o := range ops {
		if o.durable {
			want = w.db.opts.Synchronous
			break
		}
	}
	if want == w.sync {
		return nil
	}
	_, err := w.conn.ExecContext(context.Background(), "PRAGMA synchronous = "+want)
	if err == nil {
		w.sync = want
	}
	return err
}

// applyAll runs ops inside the open transaction and commits. Domain
// errors (a denial, an unknown budget) stay in each op; the first SQL
// error rolls the whole transaction back and is returned.
func (w *writer) applyAll(ops []*op) error {
	ctx := context.Background()
	now := w.db.now()
	tx := &wtx{ctx: ctx, w: w, nowMs: now.UnixMilli()}
	err := tx.dropExpired()
	for _, o := range ops {
		if err != nil {
			break
		}
		o.err = nil
		if aerr := o.apply(tx); aerr != nil {
			var se sqlError
			if errors.As(aerr, &se) {
				err = se.err
			} else {
				o.err = aerr
			}
		}
	}
	if err == nil {
		_, err = w.conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := w.conn.ExecContext(ctx, "ROLLBACK"); rerr != nil && !strings.Contains(rerr.Error(), "no transaction") {
			w.db.log.Error("ledger rollback failed", "path", w.db.path, "err", rerr)
		}
		return err
	}
	return nil
}

func (w *writer) reply(ops []*op) {
	for _, o := range ops {
		o.done <- struct{}{}
	}
}

func isClosedConn(err error) bool {
	return errors.Is(err, sql.ErrConnDone) || errors.Is(err, context.Canceled)
}

// sqlError marks an error from the database inside an op, which fails the
// whole transaction, as opposed to a domain error that fails only its op.
type sqlError struct{ err error }

func (e sqlError) Error() string { return e.err.Error() }
func (e sqlError) Unwrap() error { return e.err }

func sqlErr(err error) error {
	if err == nil {
		return nil
	}
	return sqlError{err}
}

// stmts are the writer's prepared statements, bound to its connection.
type stmts struct {
	dropExpired, budgetsFor, counter, reserved, insertHold *sql.Stmt
	findCall, takeHold, insertCall, deleteHold             *sql.Stmt
	upsertBudget, deleteBudget, bumpDaily                  *sql.Stmt
	bump                                                   map[int]*sql.Stmt // by number of counter rows
}

func (s *stmts) prepare(ctx context.Context, conn *sql.Conn) error {
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&s.dropExpired, `DELETE FROM holds WHERE expires_ms <= ? RETURNING id, agent, run, worst, created_ms`},
		{&s.budgetsFor, `SELECT scope, name, win, limit_micro FROM budgets
			WHERE scope = 'global' OR (scope = 'agent' AND name = ?1) OR (scope = 'run' AND name = ?2) OR (scope = 'key' AND name = ?3)`},
		{&s.counter, counterSQL},
		{&s.reserved, reservedSQL},
		{&s.insertHold, `INSERT INTO holds (id, agent, run, step, tier, vkey, provider, model, worst, created_ms, expires_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.findCall, `SELECT ` + callColumns + ` FROM calls WHERE idempotency_key = ?`},
		{&s.takeHold, `DELETE FROM holds WHERE id = ?
			RETURNING agent, run, step, tier, vkey, provider, model, worst, created_ms, expires_ms`},
		{&s.insertCall, `INSERT INTO calls (hold_id, idempotency_key, at_ms, settled_ms, agent, run, step, tier, vkey,
			provider, model, input, cache_read, cache_write_5m, cache_write_1h, output, reasoning, cost, worst,
			latency_ms, outcome, estimated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.deleteHold, `DELETE FROM holds WHERE id = ?`},
		{&s.upsertBudget, `INSERT INTO budgets (scope, name, win, limit_micro, updated_ms) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (scope, name, win) DO UPDATE SET limit_micro = excluded.limit_micro, updated_ms = excluded.updated_ms`},
		{&s.deleteBudget, `DELETE FROM budgets WHERE scope = ? AND name = ? AND win = ?`},
		{&s.bumpDaily, bumpDailySQL},
	} {
		st, err := conn.PrepareContext(ctx, p.q)
		if err != nil {
			s.close()
			return fmt.Errorf("prepare %.40q: %w", p.q, err)
		}
		*p.st = st
	}
	s.bump = map[int]*sql.Stmt{}
	return nil
}

const bumpDailySQL = `INSERT INTO daily (day, agent, tier, provider, model, calls, input, cache_read,
	cache_write_5m, cache_write_1h, output, reasoning, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (day, agent, tier, provider, model) DO UPDATE SET calls = calls + excluded.calls,
	input = input + excluded.input, cache_read = cache_read + excluded.cache_read,
	cache_write_5m = cache_write_5m + excluded.cache_write_5m, cache_write_1h = cache_write_1h + excluded.cache_write_1h,
	output = output + excluded.output, reasoning = reasoning + excluded.reasoning, cost = cost + excluded.cost`

// bumpStmt returns the statement that adds one call to n counter rows.
func (s *stmts) bumpStmt(ctx context.Context, conn *sql.Conn, n int) (*sql.Stmt, error) {
	if st, ok := s.bump[n]; ok {
		return st, nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO counters (scope, name, win, bucket, spent, calls) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, 1)")
	}
	b.WriteString(" ON CONFLICT (scope, name, win, bucket) DO UPDATE SET spent = spent + excluded.spent, calls = calls + 1")
	st, err := conn.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	s.bump[n] = st
	return st, nil
}

func (s *stmts) close() {
	for _, st := range []*sql.Stmt{s.dropExpired, s.budgetsFor, s.counter, s.reserved, s.insertHold,
		s.findCall, s.takeHold, s.insertCall, s.deleteHold, s.upsertBudget, s.deleteBudget, s.bumpDaily} {
		if st != nil {
			st.Close()
		}
	}
	for _, st := range s.bump {
		st.Close()
	}
}
