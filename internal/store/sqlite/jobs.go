package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// JobStore is the embedded driver's store.Jobs. The statements of its hot
// paths run prepared (SQLite parses a statement like the job INSERT in tens
// of microseconds), from the DB's cache (DB.stmt).
type JobStore struct {
	db *DB
}

var _ store.Jobs = (*JobStore)(nil)

// Jobs returns the store of S3 Batch Operations jobs.
func (s *DB) Jobs() *JobStore { return &JobStore{db: s} }

// jobColumns are the columns every full job read selects, in scanJob's order.
const jobColumns = `account_id, job_id, arn, operation, description, created_ms, priority,
	status, status_seq, status_update_reason, suspended_ms, suspended_cause, terminated_ms,
	failure_reasons, active_seconds, active_since_ms, total_tasks, tasks_succeeded, tasks_failed,
	spec, generated_manifest`

// The keyset condition of ListJobs: strictly after (created_ms, job_id) in
// the order created_ms DESC, job_id ASC. The first comparison lets the index
// range start at the cursor's millisecond.
const afterCursor = `created_ms <= ?3 AND (created_ms < ?3 OR job_id > ?4)
	AND (terminated_ms IS NULL OR terminated_ms > ?5)`

// The statements of the hot paths, run through prepare.
const (
	getJobSQL = `SELECT ` + jobColumns + ` FROM jobs WHERE account_id = ? AND job_id = ?`
	// See jobs_summary.go for why a page is one value.
	listAllSQL = `SELECT group_concat(summary, char(30)) FROM (SELECT summary FROM jobs INDEXED BY jobs_by_created
		WHERE account_id = ?1 AND ?2 = '' AND ` + afterCursor + `
		ORDER BY created_ms DESC, job_id LIMIT ?6)`
	listOneSQL = `SELECT group_concat(summary, char(30)) FROM (SELECT summary FROM jobs INDEXED BY jobs_by_status_created
		WHERE account_id = ?1 AND status = ?2 AND ` + afterCursor + `
		ORDER BY created_ms DESC, job_id LIMIT ?6)`
	suspendedSQL = `SELECT ` + jobColumns + ` FROM jobs INDEXED BY jobs_suspended
		WHERE status = 'Suspended' AND suspended_ms < ? ORDER BY suspended_ms LIMIT ?`
	jobTokenSQL  = `SELECT job_id, request_hash FROM job_tokens WHERE account_id = ? AND token = ?`
	insertJobSQL = `INSERT INTO jobs (account_id, job_id, arn, operation, description, created_ms, priority,
		status, status_seq, status_update_reason, suspended_ms, suspended_cause, terminated_ms, failure_reasons,
		active_seconds, active_since_ms, total_tasks, tasks_succeeded, tasks_failed, spec, generated_manifest, tags, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, job_id) DO NOTHING`
	insertJobTokenSQL = `INSERT INTO job_tokens (account_id, token, job_id, request_hash) VALUES (?, ?, ?, ?)`
)

// prepare returns the prepared statements of queries, in their order, or
// ErrClosed once the store is closed.
func (j *JobStore) prepare(queries ...string) ([]*sql.Stmt, error) {
	if _, err := j.db.read(); err != nil {
		return nil, err
	}
	sts := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		st, err := j.db.stmt(context.Background(), q)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		sts[i] = st
	}
	return sts, nil
}

// CreateJob implements store.Jobs.
func (j *JobStore) CreateJob(ctx context.Context, job *store.Job, tags []store.Tag, idem store.Idempotency) (string, bool, error) {
	failures, err := marshalFailures(job.State.FailureReasons)
	if err != nil {
		return "", false, err
	}
	tagDoc, err := encodeTags(tags)
	if err != nil {
		return "", false, err
	}
	sts, err := j.prepare(jobTokenSQL, insertJobSQL, insertJobTokenSQL)
	if err != nil {
		return "", false, err
	}
	tokenStmt, insertStmt, insTokStmt := sts[0], sts[1], sts[2]
	var id string
	var created bool
	err = j.db.write(ctx, func(tx *sql.Tx) error {
		// The writer may run this twice (docs of write): decide afresh.
		id, created = job.ID, true
		var prevID string
		var prevHash []byte
		err := tx.Stmt(tokenStmt).QueryRow(job.AccountID, idem.Token).Scan(&prevID, &prevHash)
		switch {
		case err == nil:
			if string(prevHash) != string(idem.RequestHash) {
				return store.ErrIdempotencyMismatch
			}
			id, created = prevID, false
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		res, err := tx.Stmt(insertStmt).Exec(
			job.AccountID, job.ID, job.ARN, job.Operation, job.Description, millis(job.CreatedAt), job.Priority,
			job.State.Status, job.State.StatusUpdateReason, nullMillis(job.State.SuspendedAt), job.State.SuspendedCause,
			nullMillis(job.State.TerminatedAt), failures, job.State.ActiveSeconds, nullMillis(job.State.ActiveSince),
			job.Progress.TotalTasks, job.Progress.Succeeded, job.Progress.Failed, blob(job.Spec), job.GeneratedManifest, tagDoc, formatSummary(job))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrJobExists
		}
		_, err = tx.Stmt(insTokStmt).Exec(job.AccountID, idem.Token, job.ID, blob(idem.RequestHash))
		return err
	})
	if err != nil {
		return "", false, wrap(err)
	}
	return id, created, nil
}

// GetJob implements store.Jobs.
func (j *JobStore) GetJob(ctx context.Context, accountID, jobID string) (*store.Job, error) {
	sts, err := j.prepare(getJobSQL)
	if err != nil {
		return nil, err
	}
	job, err := scanJob(sts[0].QueryRowContext(ctx, accountID, jobID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrJobNotFound
	}
	if err != nil {
		return nil, wrap(err)
	}
	return job, nil
}

// UpdateJobState implements store.Jobs.
func (j *JobStore) UpdateJobState(ctx context.Context, accountID, jobID string, from store.StatusVersion, next store.JobState) (*store.Job, error) {
	failures, err := marshalFailures(next.FailureReasons)
	if err != nil {
		return nil, err
	}
	sts, err := j.prepare(updateStateSQL, getJobSQL)
	if err != nil {
		return nil, err
	}
	stateStmt, getStmt := sts[0], sts[1]
	var out *store.Job
	err = j.db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Stmt(stateStmt).Exec(
			next.Status, next.StatusUpdateReason, nullMillis(next.SuspendedAt), next.SuspendedCause,
			nullMillis(next.TerminatedAt), failures, next.ActiveSeconds, nullMillis(next.ActiveSince),
			accountID, jobID, from.Status, from.Seq)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return existsOr(tx, accountID, jobID, store.ErrStatusConflict)
		}
		out, err = scanJob(tx.Stmt(getStmt).QueryRow(accountID, jobID))
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// SetJobPriority implements store.Jobs.
func (j *JobStore) SetJobPriority(ctx context.Context, accountID, jobID string, priority int32) (*store.Job, error) {
	sts, err := j.prepare(updatePrioritySQL, getJobSQL)
	if err != nil {
		return nil, err
	}
	priorityStmt, getStmt := sts[0], sts[1]
	var out *store.Job
	err = j.db.write(ctx, func(tx *sql.Tx) error {
		if err := updateOne(tx.Stmt(priorityStmt).Exec(priority, accountID, jobID)); err != nil {
			return err
		}
		var err error
		out, err = scanJob(tx.Stmt(getStmt).QueryRow(accountID, jobID))
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// SetJobProgress implements store.Jobs.
func (j *JobStore) SetJobProgress(ctx context.Context, accountID, jobID string, p store.JobProgress) error {
	sts, err := j.prepare(updateProgressSQL)
	if err != nil {
		return err
	}
	return wrap(j.db.write(ctx, func(tx *sql.Tx) error {
		return updateOne(tx.Stmt(sts[0]).Exec(p.TotalTasks, p.Succeeded, p.Failed, accountID, jobID))
	}))
}

// SetGeneratedManifest implements store.Jobs.
func (j *JobStore) SetGeneratedManifest(ctx context.Context, accountID, jobID string, doc []byte) error {
	return wrap(j.db.write(ctx, func(tx *sql.Tx) error {
		return updateOne(tx.Exec(`UPDATE jobs SET generated_manifest = ? WHERE account_id = ? AND job_id = ?`, doc, accountID, jobID))
	}))
}

// ScanJobs implements store.Jobs.
func (j *JobStore) ScanJobs(ctx context.Context, statuses []string, after store.JobKey, limit int) ([]store.Job, error) {
	if limit < 1 || len(statuses) == 0 {
		return nil, nil
	}
	db, err := j.db.read()
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, len(statuses)+4)
	for _, st := range statuses {
		args = append(args, st)
	}
	args = append(args, after.AccountID, after.AccountID, after.ID, limit)
	rows, err := db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs INDEXED BY jobs_by_status
		WHERE status IN (`+batchPlaceholders(len(statuses), "?")+`) AND (account_id > ? OR (account_id = ? AND job_id > ?))
		ORDER BY account_id, job_id LIMIT ?`, args...)
	if err != nil {
		return nil, wrap(err)
	}
	return collectJobs(rows)
}

// SuspendedBefore implements store.Jobs.
func (j *JobStore) SuspendedBefore(ctx context.Context, t time.Time, limit int) ([]store.Job, error) {
	sts, err := j.prepare(suspendedSQL)
	if err != nil {
		return nil, err
	}
	rows, err := sts[0].QueryContext(ctx, millis(t), limit)
	if err != nil {
		return nil, wrap(err)
	}
	return collectJobs(rows)
}

// PurgeJobs implements store.Jobs.
func (j *JobStore) PurgeJobs(ctx context.Context, t time.Time, limit int) (int, error) {
	var n int
	err := j.db.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT account_id, job_id FROM jobs INDEXED BY jobs_terminated
			WHERE terminated_ms IS NOT NULL AND terminated_ms <= ? LIMIT ?`, millis(t), limit)
		if err != nil {
			return err
		}
		var keys []store.JobKey
		for rows.Next() {
			var k store.JobKey
			if err := rows.Scan(&k.AccountID, &k.ID); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.Exec(`DELETE FROM jobs WHERE account_id = ? AND job_id = ?`, k.AccountID, k.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM job_tokens WHERE account_id = ? AND job_id = ?`, k.AccountID, k.ID); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	return n, wrap(err)
}

// The updates of the fields a summary shows rewrite it too.
var (
	updateStateSQL = `UPDATE jobs SET status = ?1, status_seq = status_seq + 1, status_update_reason = ?2,
		suspended_ms = ?3, suspended_cause = ?4, terminated_ms = ?5, failure_reasons = ?6, active_seconds = ?7,
		active_since_ms = ?8, summary = ` + summaryExpr(map[string]string{
		"status": "?1", "terminated_ms": "?5", "active_seconds": "?7", "active_since_ms": "?8"}) + `
		WHERE account_id = ?9 AND job_id = ?10 AND status = ?11 AND status_seq = ?12`
	updatePrioritySQL = `UPDATE jobs SET priority = ?1, summary = ` + summaryExpr(map[string]string{"priority": "?1"}) + `
		WHERE account_id = ?2 AND job_id = ?3`
	updateProgressSQL = `UPDATE jobs SET total_tasks = ?1, tasks_succeeded = ?2, tasks_failed = ?3, summary = ` +
		summaryExpr(map[string]string{"total_tasks": "?1", "tasks_succeeded": "?2", "tasks_failed": "?3"}) + `
		WHERE account_id = ?4 AND job_id = ?5`
)

// updateOne checks the outcome of an UPDATE that must touch exactly the one
// job it names.
func updateOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrJobNotFound
	}
	return nil
}

// existsOr returns ErrJobNotFound when the job does not exist, else err.
func existsOr(tx *sql.Tx, accountID, jobID string, err error) error {
	var one int
	switch qerr := tx.QueryRow(`SELECT 1 FROM jobs WHERE account_id = ? AND job_id = ?`, accountID, jobID).Scan(&one); {
	case errors.Is(qerr, sql.ErrNoRows):
		return store.ErrJobNotFound
	case qerr != nil:
		return qerr
	}
	return err
}

func scanJob(r rowScanner) (*store.Job, error) {
	var (
		job                                store.Job
		suspended, terminated, activeSince sql.NullInt64
		created                            int64
		failures                           sql.NullString
		spec, generated                    []byte
	)
	st := &job.State
	if err := r.Scan(&job.AccountID, &job.ID, &job.ARN, &job.Operation, &job.Description, &created, &job.Priority,
		&st.Status, &job.StatusSeq, &st.StatusUpdateReason, &suspended, &st.SuspendedCause, &terminated,
		&failures, &st.ActiveSeconds, &activeSince, &job.Progress.TotalTasks, &job.Progress.Succeeded,
		&job.Progress.Failed, &spec, &generated); err != nil {
		return nil, err
	}
	job.CreatedAt = fromMillis(created)
	st.SuspendedAt = fromNullMillis(suspended)
	st.TerminatedAt = fromNullMillis(terminated)
	st.ActiveSince = fromNullMillis(activeSince)
	job.Spec, job.GeneratedManifest = spec, generated
	if failures.Valid {
		if err := json.Unmarshal([]byte(failures.String), &st.FailureReasons); err != nil {
			return nil, fmt.Errorf("failure reasons of job %s: %w", job.ID, err)
		}
	}
	return &job, nil
}

// collectJobs reads every job rows holds and closes rows.
func collectJobs(rows *sql.Rows) ([]store.Job, error) {
	out, err := collectRows(rows, nil, func(r rowScanner) (store.Job, error) {
		job, err := scanJob(r)
		if err != nil {
			return store.Job{}, err
		}
		return *job, nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

type jsonFailure struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func marshalFailures(f []store.JobFailure) (any, error) {
	if f == nil {
		return nil, nil
	}
	out := make([]jsonFailure, len(f))
	for i, x := range f {
		out[i] = jsonFailure(x)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return string(b), nil
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func fromNullMillis(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMillis(v.Int64)
}

// blob keeps NOT NULL blob columns satisfied by an empty document.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// wrap returns the store's own errors (and context errors) as they are and
// prefixes anything else, so that callers can match the sentinels.
func wrap(err error) error {
	switch {
	case err == nil,
		errors.Is(err, store.ErrJobNotFound), errors.Is(err, store.ErrJobExists),
		errors.Is(err, store.ErrIdempotencyMismatch), errors.Is(err, store.ErrStatusConflict),
		errors.Is(err, store.ErrTooManyTags), errors.Is(err, store.ErrInvalidQuery),
		errors.Is(err, store.ErrBatchRunLeased), errors.Is(err, store.ErrBatchRunNotFound),
		errors.Is(err, store.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return fmt.Errorf("store: %w", err)
}
