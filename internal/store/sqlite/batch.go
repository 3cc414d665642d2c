package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// BatchRunStore is the embedded driver's store.BatchRuns.
type BatchRunStore struct {
	db *DB
}

var _ store.BatchRuns = (*BatchRunStore)(nil)

// BatchRuns returns the batch engine's run records.
func (s *DB) BatchRuns() *BatchRunStore { return &BatchRunStore{db: s} }

const batchRunCols = `account_id, job_id, owner, lease_until_ms, phase, mark, position, done, spool_size, succeeded, failed, updated_ms`

func scanBatchRun(row rowScanner) (store.BatchRun, error) {
	var r store.BatchRun
	var lease, updated int64
	var done []byte
	cp := &r.Checkpoint
	err := row.Scan(&r.AccountID, &r.JobID, &r.Owner, &lease, &cp.Phase, &cp.Mark, &cp.Position, &done,
		&cp.SpoolSize, &cp.Succeeded, &cp.Failed, &updated)
	if err != nil {
		return r, err
	}
	r.LeaseUntil, r.UpdatedAt = fromMillis(lease), fromMillis(updated)
	cp.Done, err = decodeDone(cp.Mark, done)
	return r, err
}

// encodeDone writes rows (ascending, all at or after mark) as uvarint
// deltas from mark.
func encodeDone(mark int64, rows []int64) ([]byte, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]byte, 0, 2*len(rows))
	prev := mark
	for i, r := range rows {
		if r < prev || (i > 0 && r == prev) {
			return nil, fmt.Errorf("store: checkpoint rows must be ascending from the mark, found %d after %d", r, prev)
		}
		out = binary.AppendUvarint(out, uint64(r-prev))
		prev = r
	}
	return out, nil
}

func decodeDone(mark int64, b []byte) ([]int64, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var rows []int64
	prev := mark
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errors.New("store: corrupt checkpoint rows")
		}
		prev += int64(d)
		rows = append(rows, prev)
		b = b[n:]
	}
	return rows, nil
}

// ClaimBatchRun implements store.BatchRuns.
func (b *BatchRunStore) ClaimBatchRun(ctx context.Context, accountID, jobID, owner string, now, until time.Time) (store.BatchRun, error) {
	var out store.BatchRun
	err := b.db.write(ctx, func(tx *sql.Tx) error {
		cur, err := scanBatchRun(tx.QueryRow(`SELECT `+batchRunCols+` FROM batch_runs WHERE account_id = ? AND job_id = ?`, accountID, jobID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.Exec(`INSERT INTO batch_runs (account_id, job_id, owner, lease_until_ms, updated_ms) VALUES (?, ?, ?, ?, ?)`,
				accountID, jobID, owner, millis(until), millis(now))
			if err != nil {
				return err
			}
			out = store.BatchRun{AccountID: accountID, JobID: jobID, Owner: owner, LeaseUntil: fromMillis(millis(until)), UpdatedAt: fromMillis(millis(now))}
			return nil
		case err != nil:
			return err
		case cur.Owner != owner && cur.LeaseUntil.After(now):
			return store.ErrBatchRunLeased
		}
		if _, err := tx.Exec(`UPDATE batch_runs SET owner = ?, lease_until_ms = ?, updated_ms = ? WHERE account_id = ? AND job_id = ?`,
			owner, millis(until), millis(now), accountID, jobID); err != nil {
			return err
		}
		cur.Owner, cur.LeaseUntil, cur.UpdatedAt = owner, fromMillis(millis(until)), fromMillis(millis(now))
		out = cur
		return nil
	})
	return out, wrap(err)
}

// SaveBatchCheckpoint implements store.BatchRuns.
func (b *BatchRunStore) SaveBatchCheckpoint(ctx context.Context, accountID, jobID, owner string, now, until time.Time, cp store.BatchCheckpoint) error {
	done, err := encodeDone(cp.Mark, cp.Done)
	if err != nil {
		return err
	}
	return wrap(b.db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE batch_runs SET lease_until_ms = ?, phase = ?, mark = ?, position = ?, done = ?,
			spool_size = ?, succeeded = ?, failed = ?, updated_ms = ? WHERE account_id = ? AND job_id = ? AND owner = ?`,
			millis(until), cp.Phase, cp.Mark, cp.Position, done, cp.SpoolSize, cp.Succeeded, cp.Failed, millis(now),
			accountID, jobID, owner)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var other string
		err = tx.QueryRow(`SELECT owner FROM batch_runs WHERE account_id = ? AND job_id = ?`, accountID, jobID).Scan(&other)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrBatchRunNotFound
		}
		if err != nil {
			return err
		}
		return store.ErrBatchRunLeased
	}))
}

// GetBatchRun implements store.BatchRuns.
func (b *BatchRunStore) GetBatchRun(ctx context.Context, accountID, jobID string) (store.BatchRun, error) {
	db, err := b.db.read()
	if err != nil {
		return store.BatchRun{}, err
	}
	r, err := scanBatchRun(db.QueryRowContext(ctx, `SELECT `+batchRunCols+` FROM batch_runs WHERE account_id = ? AND job_id = ?`, accountID, jobID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, store.ErrBatchRunNotFound
	}
	return r, wrap(err)
}

// DeleteBatchRun implements store.BatchRuns.
func (b *BatchRunStore) DeleteBatchRun(ctx context.Context, accountID, jobID string) error {
	return wrap(b.db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM batch_runs WHERE account_id = ? AND job_id = ?`, accountID, jobID)
		return err
	}))
}

// ListBatchRuns implements store.BatchRuns.
func (b *BatchRunStore) ListBatchRuns(ctx context.Context, afterAccount, afterJob string, limit int) ([]store.BatchRun, error) {
	db, err := b.db.read()
	if err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT `+batchRunCols+` FROM batch_runs
		WHERE account_id > ?1 OR (account_id = ?1 AND job_id > ?2) ORDER BY account_id, job_id LIMIT ?3`,
		afterAccount, afterJob, limit)
	if err != nil {
		return nil, wrap(err)
	}
	out, err := collectRows(rows, nil, scanBatchRun)
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}
