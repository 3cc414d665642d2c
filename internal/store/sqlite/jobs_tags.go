package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jobplane/jobplane/internal/store"
)

// A job's tags are a JSON array of {"k","v"} objects in the jobs row: the set
// is small (50 at most), always read and written whole, and one row keeps a
// job and its tags consistent without a join.
type jsonTag struct {
	K string `json:"k"`
	V string `json:"v"`
}

// JobTags implements store.Jobs.
func (j *JobStore) JobTags(ctx context.Context, accountID, jobID string) ([]store.Tag, error) {
	db, err := j.db.read()
	if err != nil {
		return nil, err
	}
	var raw string
	err = db.QueryRowContext(ctx, `SELECT tags FROM jobs WHERE account_id = ? AND job_id = ?`, accountID, jobID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrJobNotFound
	}
	if err != nil {
		return nil, wrap(err)
	}
	return decodeTags(raw)
}

// ReplaceJobTags implements store.Jobs.
func (j *JobStore) ReplaceJobTags(ctx context.Context, accountID, jobID string, tags []store.Tag) error {
	raw, err := encodeTags(tags)
	if err != nil {
		return err
	}
	return wrap(j.db.write(ctx, func(tx *sql.Tx) error {
		return updateOne(tx.Exec(`UPDATE jobs SET tags = ? WHERE account_id = ? AND job_id = ?`, raw, accountID, jobID))
	}))
}

// MergeJobTags implements store.Jobs.
func (j *JobStore) MergeJobTags(ctx context.Context, accountID, jobID string, tags []store.Tag, max int) error {
	return wrap(j.modifyTags(ctx, accountID, jobID, func(cur []store.Tag) ([]store.Tag, error) {
		for _, t := range tags {
			found := false
			for i := range cur {
				if cur[i].Key == t.Key {
					cur[i].Value, found = t.Value, true
					break
				}
			}
			if !found {
				cur = append(cur, t)
			}
		}
		if len(cur) > max {
			return nil, store.ErrTooManyTags
		}
		return cur, nil
	}))
}

// RemoveJobTags implements store.Jobs.
func (j *JobStore) RemoveJobTags(ctx context.Context, accountID, jobID string, keys []string) error {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[k] = true
	}
	return wrap(j.modifyTags(ctx, accountID, jobID, func(cur []store.Tag) ([]store.Tag, error) {
		kept := cur[:0]
		for _, t := range cur {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		return kept, nil
	}))
}

// modifyTags reads, changes and writes a job's tags in one write
// transaction, so that concurrent changes apply one after the other.
func (j *JobStore) modifyTags(ctx context.Context, accountID, jobID string, change func([]store.Tag) ([]store.Tag, error)) error {
	return j.db.write(ctx, func(tx *sql.Tx) error {
		var raw string
		err := tx.QueryRow(`SELECT tags FROM jobs WHERE account_id = ? AND job_id = ?`, accountID, jobID).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrJobNotFound
		}
		if err != nil {
			return err
		}
		cur, err := decodeTags(raw)
		if err != nil {
			return err
		}
		next, err := change(cur)
		if err != nil {
			return err
		}
		enc, err := encodeTags(next)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE jobs SET tags = ? WHERE account_id = ? AND job_id = ?`, enc, accountID, jobID)
		return err
	})
}

func encodeTags(tags []store.Tag) (string, error) {
	out := make([]jsonTag, len(tags))
	for i, t := range tags {
		out[i] = jsonTag{t.Key, t.Value}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return string(b), nil
}

func decodeTags(raw string) ([]store.Tag, error) {
	var in []jsonTag
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		return nil, fmt.Errorf("store: job tags: %w", err)
	}
	out := make([]store.Tag, len(in))
	for i, t := range in {
		out[i] = store.Tag{Key: t.K, Value: t.V}
	}
	return out, nil
}
