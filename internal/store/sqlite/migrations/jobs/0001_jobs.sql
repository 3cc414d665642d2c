-- S3 Batch Operations jobs (internal/store/jobs.go). Times are Unix
-- milliseconds; a NULL time is "not set". The request document (spec) and
-- the generated-manifest descriptor are opaque to the store; tags and
-- failure reasons are small JSON arrays kept with the job so that a job is
-- one row.
CREATE TABLE jobs (
    account_id           TEXT    NOT NULL,
    job_id               TEXT    NOT NULL,
    arn                  TEXT    NOT NULL,
    operation            TEXT    NOT NULL,
    description          TEXT    NOT NULL DEFAULT '',
    created_ms           INTEGER NOT NULL,
    priority             INTEGER NOT NULL,
    status               TEXT    NOT NULL,
    status_seq           INTEGER NOT NULL,
    status_update_reason TEXT    NOT NULL DEFAULT '',
    suspended_ms         INTEGER,
    suspended_cause      TEXT    NOT NULL DEFAULT '',
    terminated_ms        INTEGER,
    failure_reasons      TEXT,
    active_seconds       INTEGER NOT NULL DEFAULT 0,
    active_since_ms      INTEGER,
    total_tasks          INTEGER NOT NULL DEFAULT 0,
    tasks_succeeded      INTEGER NOT NULL DEFAULT 0,
    tasks_failed         INTEGER NOT NULL DEFAULT 0,
    spec                 BLOB    NOT NULL,
    generated_manifest   BLOB,
    tags                 TEXT    NOT NULL DEFAULT '[]',
    -- What a ListJobs item shows as one value, kept up to date by every
    -- write that changes one of its fields (summary in jobs_summary.go).
    summary              TEXT    NOT NULL,
    PRIMARY KEY (account_id, job_id)
);

-- ListJobs without a filter, and per status: newest first, then job id.
-- Both indexes cover what a list reads (the summary and the termination
-- time it filters on), so that a page comes from a few index pages without
-- visiting the (large) job rows.
CREATE INDEX jobs_by_created ON jobs (account_id, created_ms DESC, job_id, terminated_ms, summary);
CREATE INDEX jobs_by_status_created ON jobs (account_id, status, created_ms DESC, job_id, terminated_ms, summary);

-- Start-up scans of the statuses the control plane and the engine resume.
CREATE INDEX jobs_by_status ON jobs (status, account_id, job_id);
-- The lifecycle clock: Suspended jobs by age, terminated jobs by end.
CREATE INDEX jobs_suspended ON jobs (suspended_ms) WHERE status = 'Suspended';
CREATE INDEX jobs_terminated ON jobs (terminated_ms) WHERE terminated_ms IS NOT NULL;

-- CreateJob idempotency: a token names the job its request created.
CREATE TABLE job_tokens (
    account_id   TEXT NOT NULL,
    token        TEXT NOT NULL,
    job_id       TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    PRIMARY KEY (account_id, token)
);
CREATE INDEX job_tokens_by_job ON job_tokens (account_id, job_id);
