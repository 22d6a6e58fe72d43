-- The spend ledger: settled calls, holds in flight, caps and the counters
-- that let Reserve read a window's spend without summing its calls.
-- Times are unix milliseconds (UTC); money is integer micro-dollars.

-- One row per settled call, with its full attribution. at_ms is when the
-- call's hold was taken: a call's spend belongs to the windows holding it.
CREATE TABLE calls (
	id              INTEGER PRIMARY KEY,
	hold_id         TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL UNIQUE,
	at_ms           INTEGER NOT NULL,
	settled_ms      INTEGER NOT NULL,
	agent           TEXT    NOT NULL,
	run             TEXT    NOT NULL,
	step            TEXT    NOT NULL,
	tier            TEXT    NOT NULL,
	vkey            TEXT    NOT NULL,
	provider        TEXT    NOT NULL,
	model           TEXT    NOT NULL,
	input           INTEGER NOT NULL CHECK (input >= 0),
	cache_read      INTEGER NOT NULL CHECK (cache_read >= 0),
	cache_write_5m  INTEGER NOT NULL CHECK (cache_write_5m >= 0),
	cache_write_1h  INTEGER NOT NULL CHECK (cache_write_1h >= 0),
	output          INTEGER NOT NULL CHECK (output >= 0),
	reasoning       INTEGER NOT NULL CHECK (reasoning >= 0),
	cost            INTEGER NOT NULL CHECK (cost >= 0),
	worst           INTEGER NOT NULL CHECK (worst >= 0),
	latency_ms      INTEGER NOT NULL,
	outcome         TEXT    NOT NULL,
	estimated       INTEGER NOT NULL
) STRICT;

CREATE INDEX calls_at ON calls (at_ms);
CREATE INDEX calls_agent_at ON calls (agent, at_ms);
CREATE INDEX calls_run ON calls (run);

-- Money held for calls in flight. A row lives until its call is settled or
-- released, or its lease runs out (expires_ms).
CREATE TABLE holds (
	id         TEXT    NOT NULL PRIMARY KEY,
	agent      TEXT    NOT NULL,
	run        TEXT    NOT NULL,
	step       TEXT    NOT NULL,
	tier       TEXT    NOT NULL,
	vkey       TEXT    NOT NULL,
	provider   TEXT    NOT NULL,
	model      TEXT    NOT NULL,
	worst      INTEGER NOT NULL CHECK (worst >= 0),
	created_ms INTEGER NOT NULL,
	expires_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX holds_expires ON holds (expires_ms);

-- The caps. name is '' for the global scope.
CREATE TABLE budgets (
	scope       TEXT    NOT NULL,
	name        TEXT    NOT NULL,
	win         TEXT    NOT NULL,
	limit_micro INTEGER NOT NULL CHECK (limit_micro >= 0),
	updated_ms  INTEGER NOT NULL,
	PRIMARY KEY (scope, name, win)
) STRICT, WITHOUT ROWID;

-- Settled spend per scope, name, window and window instance, kept in the
-- same transaction as the call row. bucket is the window's start (unix ms)
-- for day, week and month, and 0 for total. A run's spend is the row
-- ('run', run id, 'total', 0), whichever cap reads it.
CREATE TABLE counters (
	scope  TEXT    NOT NULL,
	name   TEXT    NOT NULL,
	win    TEXT    NOT NULL,
	bucket INTEGER NOT NULL,
	spent  INTEGER NOT NULL,
	calls  INTEGER NOT NULL,
	PRIMARY KEY (scope, name, win, bucket)
) STRICT, WITHOUT ROWID;
