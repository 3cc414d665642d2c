package sqlite

import (
	"context"
	"database/sql"

	"github.com/jobplane/jobplane/internal/store"
)

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

// stmt returns the cached prepared statement of query, bound to the
// transaction when there is one.
func (q objQ) stmt(query string) (*sql.Stmt, error) {
	st, err := q.o.db.stmt(context.Background(), query)
	if err != nil {
		return nil, err
	}
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
func objCollect[T any](q objQ, out *[]T, scan func(rowScanner) (T, error), query string, args ...any) error {
	rows, err := q.query(query, args...)
	if err != nil {
		return err
	}
	*out, err = collectRows(rows, *out, scan)
	return err
}
