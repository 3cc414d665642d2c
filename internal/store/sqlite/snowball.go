package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// This file implements store.SnowballStore's jobs, groups and clusters; the
// addresses and pricing records are in snowball_records.go.

var _ store.SnowballStore = (*DB)(nil)

// sbQuerier is what both *sql.DB and *sql.Tx offer for reading.
type sbQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func sbNS(t time.Time) int64 { return t.UnixNano() }

func sbTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func sbDue(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func sbBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sbErr(err error) error {
	if err == nil || errors.Is(err, store.ErrSnowballNotFound) || errors.Is(err, store.ErrSnowballExists) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrSnowballNotFound
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, store.ErrClosed) {
		return err
	}
	return fmt.Errorf("store: %w", err)
}

const sbJobColumns = `id, account, group_id, cluster_id, is_master, job_type, snowball_type, description, state,
	created_ns, state_ns, due_ns, ltp_id, data`

func sbScanJob(sc rowScanner) (store.SnowballJob, error) {
	var j store.SnowballJob
	var master int
	var created, since int64
	var due sql.NullInt64
	err := sc.Scan(&j.ID, &j.Account, &j.GroupID, &j.ClusterID, &master, &j.JobType, &j.SnowballType, &j.Description,
		&j.State, &created, &since, &due, &j.LongTermPricingID, &j.Data)
	j.IsMaster = master != 0
	j.CreatedAt, j.StateSince = sbTime(created), sbTime(since)
	if due.Valid {
		j.DueAt = sbTime(due.Int64)
	}
	return j, err
}

func sbInsertJob(tx *sql.Tx, j *store.SnowballJob) error {
	var taken int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM snowball_jobs WHERE id = ?`, j.ID).Scan(&taken); err != nil {
		return err
	}
	if taken > 0 {
		return store.ErrSnowballExists
	}
	_, err := tx.Exec(`INSERT INTO snowball_jobs (`+sbJobColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.Account, j.GroupID, j.ClusterID, sbBool(j.IsMaster), j.JobType, j.SnowballType, j.Description, j.State,
		sbNS(j.CreatedAt), sbNS(j.StateSince), sbDue(j.DueAt), j.LongTermPricingID, blob(j.Data))
	return err
}

func sbUpdateJob(tx *sql.Tx, j *store.SnowballJob) error {
	_, err := tx.Exec(`UPDATE snowball_jobs SET cluster_id = ?, is_master = ?, job_type = ?, snowball_type = ?,
		description = ?, state = ?, created_ns = ?, state_ns = ?, due_ns = ?, ltp_id = ?, data = ?
		WHERE id = ? AND account = ?`,
		j.ClusterID, sbBool(j.IsMaster), j.JobType, j.SnowballType, j.Description, j.State,
		sbNS(j.CreatedAt), sbNS(j.StateSince), sbDue(j.DueAt), j.LongTermPricingID, blob(j.Data), j.ID, j.Account)
	return err
}

// CreateSnowballGroup implements store.SnowballStore.
func (s *DB) CreateSnowballGroup(ctx context.Context, g store.SnowballGroup) error {
	return sbErr(s.write(ctx, func(tx *sql.Tx) error {
		if c := g.Cluster; c != nil {
			var taken int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM snowball_clusters WHERE id = ?`, c.ID).Scan(&taken); err != nil {
				return err
			}
			if taken > 0 {
				return store.ErrSnowballExists
			}
			if _, err := tx.Exec(`INSERT INTO snowball_clusters (id, account, created_ns, description, state, data)
				VALUES (?, ?, ?, ?, ?, ?)`, c.ID, g.Account, sbNS(c.CreatedAt), c.Description, c.State, blob(c.Data)); err != nil {
				return err
			}
		}
		for i := range g.Jobs {
			j := g.Jobs[i]
			j.Account, j.GroupID = g.Account, g.ID
			if err := sbInsertJob(tx, &j); err != nil {
				return err
			}
		}
		return sbBump(tx, g.Account)
	}))
}

// sbBump moves the account's job version on.
func sbBump(tx *sql.Tx, account string) error {
	_, err := tx.Exec(`INSERT INTO snowball_versions (account, version) VALUES (?, 1)
		ON CONFLICT (account) DO UPDATE SET version = version + 1`, account)
	return err
}

// SnowballJobsVersion implements store.SnowballStore.
func (s *DB) SnowballJobsVersion(ctx context.Context, account string) (int64, error) {
	if _, err := s.read(); err != nil {
		return 0, err
	}
	row, err := s.sbQueryRow(ctx, `SELECT version FROM snowball_versions WHERE account = ?`, account)
	if err != nil {
		return 0, sbErr(err)
	}
	var v int64
	if err := row.Scan(&v); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, sbErr(err)
	}
	return v, nil
}

// sbLoadGroup reads a group through q.
func sbLoadGroup(ctx context.Context, q sbQuerier, account, id string) (store.SnowballGroup, error) {
	g := store.SnowballGroup{Account: account, ID: id}
	if strings.HasPrefix(id, "CID") {
		c, err := sbScanCluster(q.QueryRowContext(ctx, `SELECT `+sbClusterColumns+` FROM snowball_clusters WHERE id = ? AND account = ?`, id, account))
		if err != nil {
			return g, sbErr(err)
		}
		g.Cluster = &c
	}
	rows, err := q.QueryContext(ctx, `SELECT `+sbJobColumns+` FROM snowball_jobs WHERE account = ? AND group_id = ?
		ORDER BY created_ns, id`, account, id)
	if err != nil {
		return g, sbErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		j, err := sbScanJob(rows)
		if err != nil {
			return g, sbErr(err)
		}
		g.Jobs = append(g.Jobs, j)
	}
	if err := rows.Err(); err != nil {
		return g, sbErr(err)
	}
	if g.Cluster == nil && len(g.Jobs) == 0 {
		return g, store.ErrSnowballNotFound
	}
	return g, nil
}

// SnowballGroup implements store.SnowballStore.
func (s *DB) SnowballGroup(ctx context.Context, account, id string) (store.SnowballGroup, error) {
	db, err := s.read()
	if err != nil {
		return store.SnowballGroup{}, err
	}
	return sbLoadGroup(ctx, db, account, id)
}

// UpdateSnowballGroup implements store.SnowballStore. The group is read and
// written inside the single writer's transaction, which serialises it with
// every other write.
func (s *DB) UpdateSnowballGroup(ctx context.Context, account, id string, fn func(g *store.SnowballGroup) error) error {
	var fnErr error
	err := s.write(ctx, func(tx *sql.Tx) error {
		g, err := sbLoadGroup(ctx, tx, account, id)
		if err != nil {
			return err
		}
		before := len(g.Jobs)
		orig := make([]store.SnowballJob, before)
		copy(orig, g.Jobs)
		if fnErr = fn(&g); fnErr != nil {
			return fnErr
		}
		if len(g.Jobs) < before {
			return errors.New("store: UpdateSnowballGroup cannot remove jobs")
		}
		for i := range g.Jobs {
			j := &g.Jobs[i]
			if i < before {
				j.Account, j.ID, j.GroupID = orig[i].Account, orig[i].ID, orig[i].GroupID
				if err := sbUpdateJob(tx, j); err != nil {
					return err
				}
				continue
			}
			j.Account, j.GroupID = account, id
			if err := sbInsertJob(tx, j); err != nil {
				return err
			}
		}
		if c := g.Cluster; c != nil {
			if _, err := tx.Exec(`UPDATE snowball_clusters SET description = ?, state = ?, data = ? WHERE id = ? AND account = ?`,
				c.Description, c.State, blob(c.Data), id, account); err != nil {
				return err
			}
		}
		return sbBump(tx, account)
	})
	if fnErr != nil && errors.Is(err, fnErr) {
		return fnErr
	}
	return sbErr(err)
}

// SnowballJob implements store.SnowballStore.
func (s *DB) SnowballJob(ctx context.Context, account, id string) (store.SnowballJob, error) {
	if _, err := s.read(); err != nil {
		return store.SnowballJob{}, err
	}
	row, err := s.sbQueryRow(ctx, `SELECT `+sbJobColumns+` FROM snowball_jobs WHERE id = ? AND account = ?`, id, account)
	if err != nil {
		return store.SnowballJob{}, sbErr(err)
	}
	j, err := sbScanJob(row)
	return j, sbErr(err)
}

// SnowballJobOwner implements store.SnowballStore.
func (s *DB) SnowballJobOwner(ctx context.Context, id string) (string, string, error) {
	db, err := s.read()
	if err != nil {
		return "", "", err
	}
	var account, group string
	err = db.QueryRowContext(ctx, `SELECT account, group_id FROM snowball_jobs WHERE id = ?`, id).Scan(&account, &group)
	return account, group, sbErr(err)
}

// ListSnowballJobs implements store.SnowballStore.
func (s *DB) ListSnowballJobs(ctx context.Context, q store.SnowballJobQuery) ([]store.SnowballJob, error) {
	if _, err := s.read(); err != nil {
		return nil, err
	}
	where := []string{"account = ?"}
	args := []any{q.Account}
	switch {
	case q.ClusterID != "":
		where = append(where, "cluster_id = ?")
		args = append(args, q.ClusterID)
	case q.LongTermPricingID != "":
		where = append(where, "ltp_id = ?")
		args = append(args, q.LongTermPricingID)
	}
	if q.After != nil {
		where = append(where, "(created_ns, id) < (?, ?)")
		args = append(args, sbNS(q.After.CreatedAt), q.After.ID)
	}
	args = append(args, q.Limit)
	// Only columns of the list index, so that the page is read from the
	// index alone.
	rows, err := s.sbQuery(ctx, `SELECT id, state, is_master, job_type, snowball_type, description, created_ns
		FROM snowball_jobs WHERE `+strings.Join(where, " AND ")+`
		ORDER BY created_ns DESC, id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, sbErr(err)
	}
	defer rows.Close()
	out := make([]store.SnowballJob, 0, min(q.Limit, 128))
	for rows.Next() {
		j := store.SnowballJob{Account: q.Account}
		var master int
		var created int64
		if err := rows.Scan(&j.ID, &j.State, &master, &j.JobType, &j.SnowballType, &j.Description, &created); err != nil {
			return nil, sbErr(err)
		}
		j.IsMaster, j.CreatedAt = master != 0, sbTime(created)
		out = append(out, j)
	}
	return out, sbErr(rows.Err())
}

// CountSnowballJobs implements store.SnowballStore.
func (s *DB) CountSnowballJobs(ctx context.Context, account string, states []string) (int, error) {
	db, err := s.read()
	if err != nil {
		return 0, err
	}
	if len(states) == 0 {
		return 0, nil
	}
	args := []any{account}
	for _, st := range states {
		args = append(args, st)
	}
	var n int
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM snowball_jobs WHERE account = ? AND is_master = 0
		AND state IN (`+batchPlaceholders(len(states), "?")+`)`, args...).Scan(&n)
	return n, sbErr(err)
}

const sbClusterColumns = `id, account, created_ns, description, state, data`

func sbScanCluster(sc rowScanner) (store.SnowballCluster, error) {
	var c store.SnowballCluster
	var created int64
	err := sc.Scan(&c.ID, &c.Account, &created, &c.Description, &c.State, &c.Data)
	c.CreatedAt = sbTime(created)
	return c, err
}

// SnowballCluster implements store.SnowballStore.
func (s *DB) SnowballCluster(ctx context.Context, account, id string) (store.SnowballCluster, error) {
	db, err := s.read()
	if err != nil {
		return store.SnowballCluster{}, err
	}
	c, err := sbScanCluster(db.QueryRowContext(ctx, `SELECT `+sbClusterColumns+` FROM snowball_clusters WHERE id = ? AND account = ?`, id, account))
	return c, sbErr(err)
}

// ListSnowballClusters implements store.SnowballStore.
func (s *DB) ListSnowballClusters(ctx context.Context, account string, after *store.SnowballCursor, limit int) ([]store.SnowballCluster, error) {
	var out []store.SnowballCluster
	err := s.sbPage(ctx, "snowball_clusters", sbClusterColumns, account, after, limit, func(rows *sql.Rows) error {
		c, err := sbScanCluster(rows)
		out = append(out, c)
		return err
	})
	return out, err
}

// sbPage runs a newest-first keyset query over one of the Snowball tables.
func (s *DB) sbPage(ctx context.Context, table, columns, account string, after *store.SnowballCursor, limit int, scan func(*sql.Rows) error) error {
	db, err := s.read()
	if err != nil {
		return err
	}
	q := `SELECT ` + columns + ` FROM ` + table + ` WHERE account = ?`
	args := []any{account}
	if after != nil {
		q += ` AND (created_ns, id) < (?, ?)`
		args = append(args, sbNS(after.CreatedAt), after.ID)
	}
	q += ` ORDER BY created_ns DESC, id DESC LIMIT ?`
	rows, err := db.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return sbErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return sbErr(err)
		}
	}
	return sbErr(rows.Err())
}

// DueSnowballGroups implements store.SnowballStore.
func (s *DB) DueSnowballGroups(ctx context.Context, now time.Time, limit int) ([]store.SnowballGroupRef, error) {
	db, err := s.read()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT account, group_id, MIN(due_ns) AS due FROM snowball_jobs
		WHERE due_ns IS NOT NULL AND due_ns <= ? GROUP BY account, group_id ORDER BY due LIMIT ?`, sbNS(now), limit)
	if err != nil {
		return nil, sbErr(err)
	}
	defer rows.Close()
	var out []store.SnowballGroupRef
	for rows.Next() {
		var r store.SnowballGroupRef
		var due int64
		if err := rows.Scan(&r.Account, &r.ID, &due); err != nil {
			return nil, sbErr(err)
		}
		out = append(out, r)
	}
	return out, sbErr(rows.Err())
}

// NextSnowballDue implements store.SnowballStore.
func (s *DB) NextSnowballDue(ctx context.Context) (time.Time, bool, error) {
	db, err := s.read()
	if err != nil {
		return time.Time{}, false, err
	}
	var due sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MIN(due_ns) FROM snowball_jobs WHERE due_ns IS NOT NULL`).Scan(&due); err != nil {
		return time.Time{}, false, sbErr(err)
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	return sbTime(due.Int64), true, nil
}

// sbQuery runs a read query through its prepared statement (DB.stmt).
func (s *DB) sbQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// sbQueryRow runs a one-row read query through its prepared statement
// (DB.stmt).
func (s *DB) sbQueryRow(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}
