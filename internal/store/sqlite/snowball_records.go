package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jobplane/jobplane/internal/store"
)

// This file implements store.SnowballStore's addresses and long-term
// pricing records: documents with an id, an owner and a creation time.

// sbCreateRecord inserts one record into table, refusing a taken id.
func (s *DB) sbCreateRecord(ctx context.Context, table, id, account string, createdNS int64, data []byte) error {
	return sbErr(s.write(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return store.ErrSnowballExists
		}
		_, err := tx.Exec(`INSERT INTO `+table+` (id, account, created_ns, data) VALUES (?, ?, ?, ?)`,
			id, account, createdNS, blob(data))
		return err
	}))
}

// CreateSnowballAddress implements store.SnowballStore.
func (s *DB) CreateSnowballAddress(ctx context.Context, a store.SnowballAddress) error {
	return s.sbCreateRecord(ctx, "snowball_addresses", a.ID, a.Account, sbNS(a.CreatedAt), a.Data)
}

// SnowballAddress implements store.SnowballStore.
func (s *DB) SnowballAddress(ctx context.Context, account, id string) (store.SnowballAddress, error) {
	db, err := s.read()
	if err != nil {
		return store.SnowballAddress{}, err
	}
	a := store.SnowballAddress{Account: account, ID: id}
	var created int64
	err = db.QueryRowContext(ctx, `SELECT created_ns, data FROM snowball_addresses WHERE id = ? AND account = ?`, id, account).
		Scan(&created, &a.Data)
	a.CreatedAt = sbTime(created)
	return a, sbErr(err)
}

// ListSnowballAddresses implements store.SnowballStore.
func (s *DB) ListSnowballAddresses(ctx context.Context, account string, after *store.SnowballCursor, limit int) ([]store.SnowballAddress, error) {
	var out []store.SnowballAddress
	err := s.sbPage(ctx, "snowball_addresses", "id, created_ns, data", account, after, limit, func(rows *sql.Rows) error {
		a := store.SnowballAddress{Account: account}
		var created int64
		err := rows.Scan(&a.ID, &created, &a.Data)
		a.CreatedAt = sbTime(created)
		out = append(out, a)
		return err
	})
	return out, err
}

// CreateSnowballPricing implements store.SnowballStore.
func (s *DB) CreateSnowballPricing(ctx context.Context, p store.SnowballPricing) error {
	return s.sbCreateRecord(ctx, "snowball_pricing", p.ID, p.Account, sbNS(p.CreatedAt), p.Data)
}

// SnowballPricing implements store.SnowballStore.
func (s *DB) SnowballPricing(ctx context.Context, account, id string) (store.SnowballPricing, error) {
	db, err := s.read()
	if err != nil {
		return store.SnowballPricing{}, err
	}
	return sbPricing(ctx, db, account, id)
}

func sbPricing(ctx context.Context, q sbQuerier, account, id string) (store.SnowballPricing, error) {
	p := store.SnowballPricing{Account: account, ID: id}
	var created int64
	err := q.QueryRowContext(ctx, `SELECT created_ns, data FROM snowball_pricing WHERE id = ? AND account = ?`, id, account).
		Scan(&created, &p.Data)
	p.CreatedAt = sbTime(created)
	return p, sbErr(err)
}

// ListSnowballPricing implements store.SnowballStore.
func (s *DB) ListSnowballPricing(ctx context.Context, account string, after *store.SnowballCursor, limit int) ([]store.SnowballPricing, error) {
	var out []store.SnowballPricing
	err := s.sbPage(ctx, "snowball_pricing", "id, created_ns, data", account, after, limit, func(rows *sql.Rows) error {
		p := store.SnowballPricing{Account: account}
		var created int64
		err := rows.Scan(&p.ID, &created, &p.Data)
		p.CreatedAt = sbTime(created)
		out = append(out, p)
		return err
	})
	return out, err
}

// UpdateSnowballPricing implements store.SnowballStore.
func (s *DB) UpdateSnowballPricing(ctx context.Context, account, id string, fn func(p *store.SnowballPricing) error) error {
	var fnErr error
	err := s.write(ctx, func(tx *sql.Tx) error {
		p, err := sbPricing(ctx, tx, account, id)
		if err != nil {
			return err
		}
		if fnErr = fn(&p); fnErr != nil {
			return fnErr
		}
		_, err = tx.Exec(`UPDATE snowball_pricing SET data = ? WHERE id = ? AND account = ?`, blob(p.Data), id, account)
		return err
	})
	if fnErr != nil && errors.Is(err, fnErr) {
		return fnErr
	}
	return sbErr(err)
}
