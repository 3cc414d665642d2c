-- The batch engine's run records (internal/store/batch.go): one row per job
-- the engine runs, holding the lease of the node running it and the job's
-- latest checkpoint. done holds the rows done beyond the watermark as
-- uvarint deltas (a few hundred bytes at most). Times are Unix milliseconds.
CREATE TABLE batch_runs (
	account_id     TEXT NOT NULL,
	job_id         TEXT NOT NULL,
	owner          TEXT NOT NULL,
	lease_until_ms INTEGER NOT NULL,
	phase          TEXT NOT NULL DEFAULT '',
	mark           INTEGER NOT NULL DEFAULT 0,
	position       INTEGER NOT NULL DEFAULT 0,
	done           BLOB,
	spool_size     INTEGER NOT NULL DEFAULT 0,
	succeeded      INTEGER NOT NULL DEFAULT 0,
	failed         INTEGER NOT NULL DEFAULT 0,
	updated_ms     INTEGER NOT NULL,
	PRIMARY KEY (account_id, job_id)
) WITHOUT ROWID;
