package sqlite

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jobplane/jobplane/internal/store"
)

// objStmts caches the object store's prepared statements by their text:
// parsing SQL is most of what a point query costs in the embedded driver,
// and every request of the S3 data plane runs several.
type objStmts struct {
	m sync.Map // string -> *sql.Stmt
}

// objQ runs statements within a transaction, or on the pool when tx is nil,
// each prepared once and reused on every connection. Statements run without
// the request's context: they take microseconds, and the driver watches a
// cancellable context with a goroutine per statement. The context is
// checked before the work starts (write, BeginTx) and ends transactions.
type objQ struct {
	o   *ObjectStore
	ctx context.Context
	tx  *sql.Tx
}

func (o *ObjectStore) q(ctx context.Context, tx *sql.Tx) objQ { return objQ{o: o, ctx: ctx, tx: tx} }

// snapshot runs fn in a read-only transaction, so that what it reads is one
// snapshot, once the bucket is found there; fn gets the bucket.
func (o *ObjectStore) snapshot(ctx context.Context, bucket string, fn func(q objQ, b store.ObjectBucket) error) error {
	db, err := o.db.read()
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q := o.q(ctx, tx)
	b, err := objGetBucket(q, bucket)
	if err != nil {
		return err
	}
	return fn(q, b)
}

func (q objQ) stmt(query string) (*sql.Stmt, error) {
	v, ok := q.o.stmts.m.Load(query)
	if !ok {
		st, err := q.o.db.db.PrepareContext(context.Background(), query)
		if err != nil {
			return nil, err
		}
		if prev, loaded := q.o.stmts.m.LoadOrStore(query, st); loaded {
			st.Close()
			v = prev
		} else {
			v = st
		}
	}
	st := v.(*sql.Stmt)
	if q.tx != nil {
		return q.tx.StmtContext(context.Background(), st), nil
	}
	return st, nil
}

func (q objQ) exec(query string, args ...any) (sql.Result, error) {
	st, err := q.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(context.Background(), args...)
}

func (q objQ) query(query string, args ...any) (*sql.Rows, error) {
	st, err := q.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(context.Background(), args...)
}

func (q objQ) row(query string, args ...any) *sql.Row {
	st, err := q.stmt(query)
	if err != nil {
		// Let the driver report the same failure through a Row.
		if q.tx != nil {
			return q.tx.QueryRowContext(q.ctx, query, args...)
		}
		return q.o.db.db.QueryRowContext(q.ctx, query, args...)
	}
	return st.QueryRowContext(context.Background(), args...)
}

// objCollect runs query and appends every row that scan reads to out.
func objCollect[T any](q objQ, out *[]T, scan func(objScanner) (T, error), query string, args ...any) error {
	rows, err := q.query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		*out = append(*out, v)
	}
	return rows.Err()
}
