package sqlite

import (
	"context"
	"database/sql"
)

// This file holds what every part of the store reads with: the prepared
// statement cache and the collection of scanned rows.

// stmt returns the prepared form of query, preparing it on first use. The
// statements are cached by their text on the DB: parsing SQL is most of
// what a point query costs in the embedded driver, and a prepared statement
// is reused on every connection it ran on, transactions included.
func (s *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// collectRows appends to out every row that scan reads, closes rows and
// returns out with what it appended until the first error.
func collectRows[T any](rows *sql.Rows, out []T, scan func(rowScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
