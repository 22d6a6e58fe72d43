-- Daily rollup of settled calls by agent, tier, provider and model, kept
-- in the same transaction as the call row, so that spend reports over
-- whole UTC days read a few rows per day instead of every call.
CREATE TABLE daily (
	day            INTEGER NOT NULL, -- UTC day number: at_ms / 86400000
	agent          TEXT    NOT NULL,
	tier           TEXT    NOT NULL,
	provider       TEXT    NOT NULL,
	model          TEXT    NOT NULL,
	calls          INTEGER NOT NULL,
	input          INTEGER NOT NULL,
	cache_read     INTEGER NOT NULL,
	cache_write_5m INTEGER NOT NULL,
	cache_write_1h INTEGER NOT NULL,
	output         INTEGER NOT NULL,
	reasoning      INTEGER NOT NULL,
	cost           INTEGER NOT NULL,
	PRIMARY KEY (day, agent, tier, provider, model)
) STRICT, WITHOUT ROWID;

INSERT INTO daily
SELECT at_ms / 86400000, agent, tier, provider, model, COUNT(*), SUM(input), SUM(cache_read),
	SUM(cache_write_5m), SUM(cache_write_1h), SUM(output), SUM(reasoning), SUM(cost)
FROM calls GROUP BY 1, 2, 3, 4, 5;
