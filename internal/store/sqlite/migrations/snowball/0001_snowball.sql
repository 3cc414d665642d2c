-- The Snowball job-management API's state. Times are Unix nanoseconds.
-- Every list is newest first with the id as tiebreak, so each table has an
-- index on (account, created_ns, id) for keyset pagination.
CREATE TABLE snowball_addresses (
    id         TEXT    PRIMARY KEY,
    account    TEXT    NOT NULL,
    created_ns INTEGER NOT NULL,
    data       BLOB    NOT NULL
);
CREATE INDEX snowball_addresses_list ON snowball_addresses (account, created_ns, id);

CREATE TABLE snowball_pricing (
    id         TEXT    PRIMARY KEY,
    account    TEXT    NOT NULL,
    created_ns INTEGER NOT NULL,
    data       BLOB    NOT NULL
);
CREATE INDEX snowball_pricing_list ON snowball_pricing (account, created_ns, id);

CREATE TABLE snowball_clusters (
    id          TEXT    PRIMARY KEY,
    account     TEXT    NOT NULL,
    created_ns  INTEGER NOT NULL,
    description TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    data        BLOB    NOT NULL
);
CREATE INDEX snowball_clusters_list ON snowball_clusters (account, created_ns, id);

CREATE TABLE snowball_jobs (
    id            TEXT    PRIMARY KEY,
    account       TEXT    NOT NULL,
    group_id      TEXT    NOT NULL,
    cluster_id    TEXT    NOT NULL,
    is_master     INTEGER NOT NULL,
    job_type      TEXT    NOT NULL,
    snowball_type TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    created_ns    INTEGER NOT NULL,
    state_ns      INTEGER NOT NULL,
    -- NULL while the job waits for something other than the clock.
    due_ns        INTEGER,
    ltp_id        TEXT    NOT NULL,
    data          BLOB    NOT NULL
);
-- The list columns are in the index so that ListJobs reads no table rows.
CREATE INDEX snowball_jobs_list ON snowball_jobs (account, created_ns, id, state, is_master, job_type, snowball_type, description);
CREATE INDEX snowball_jobs_group ON snowball_jobs (account, group_id, created_ns, id);
CREATE INDEX snowball_jobs_cluster ON snowball_jobs (account, cluster_id, created_ns, id) WHERE cluster_id <> '';
CREATE INDEX snowball_jobs_ltp ON snowball_jobs (account, ltp_id, created_ns, id) WHERE ltp_id <> '';
CREATE INDEX snowball_jobs_due ON snowball_jobs (due_ns) WHERE due_ns IS NOT NULL;
