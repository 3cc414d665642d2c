// Package sqlite is the embedded store driver: one SQLite database file under
// jobplane's data directory, in WAL mode. Each part of the store (meta, jobs,
// objects, snowball) has its own numbered migrations, embedded from
// migrations/<component>/, applied at open.
//
// Writes go through one writer that commits concurrent writes together
// (group commit): the writes of a batch share one transaction (each in its
// own savepoint when one of them fails). A write is acknowledged only once
// the write-ahead log holding its commit is on stable storage, but the
// writer does not wait for that: SQLite commits without syncing
// (synchronous=NORMAL) and a second goroutine syncs the log for every batch
// committed before the sync began, while the writer runs the next batch.
// Since the log is appended in commit order, a sync makes every earlier
// commit durable too. Reads use the other connections of the pool and never
// wait for the writer; they may see a commit a moment before its writers
// are acknowledged (before it is durable), never one that is not committed.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/jobplane/jobplane/internal/store"
)

// FileName is the database file's name inside the data directory.
const FileName = "jobplane.db"

// maxBatch bounds the writes one transaction commits, so that a flood of
// writers still sees commits at a steady pace.
const maxBatch = 512

// maxIdleConns is how many pooled connections stay open between requests.
const maxIdleConns = 64

// DB is the embedded store.
type DB struct {
	db     *sql.DB
	writes chan *writeReq
	closed atomic.Bool
	mu     sync.RWMutex // held for reading by every call, for writing by Close
	stmts  sync.Map     // query -> *sql.Stmt, see stmt

	// Committed batches wait in unsynced for the log sync that
	// acknowledges them; done is closed once the last one is acknowledged.
	unsynced chan committed
	syncLog  func() error // syncs the write-ahead log
	done     chan struct{}
}

// committed is a committed batch and each of its writes' outcome.
type committed struct {
	batch []*writeReq
	errs  []error
}

var _ store.Store = (*DB)(nil)

// Open opens (creating it if needed) the store in dir and applies every
// migration it has not seen yet.
func Open(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: creating data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	// Readers map the database file (up to 1 GiB) instead of reading it
	// page by page: a write empties every other connection's page cache,
	// and refilling it through the mapping costs no system call. The log
	// is checkpointed into the database file every 16,384 pages (64 MiB)
	// rather than SQLite's 1,000: the pages a burst of small writes keeps
	// rewriting (index interiors, table tails) are then copied once per
	// checkpoint instead of sixteen times.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_pragma=mmap_size(1073741824)&_pragma=wal_autocheckpoint(16384)&_pragma=temp_store(MEMORY)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	// Keep the connections of concurrent readers open: database/sql keeps
	// only two idle by default, and reopening a SQLite connection re-reads
	// the schema and re-prepares every statement.
	db.SetMaxIdleConns(maxIdleConns)
	wal := &walFile{path: path + "-wal", dir: dir}
	s := &DB{db: db, writes: make(chan *writeReq, maxBatch), unsynced: make(chan committed, 64),
		syncLog: wal.sync, done: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.syncLog(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: syncing the write-ahead log: %w", err)
	}
	go s.writer()
	go s.syncer()
	return s, nil
}

// writeReq is one write waiting for the writer.
type writeReq struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

// write runs fn inside a write transaction and returns once that transaction
// is durable. fn shares the transaction with other writes: if fn fails, only
// its own changes are undone and its error is returned; if the commit fails,
// every write of the batch gets the commit's error. fn must be quick, must
// not call write itself, and may run more than once (a batch in which some
// write fails is run again with a savepoint per write), so it must have no
// effect outside tx. write returns nil only when fn's changes are committed.
func (s *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.Load() {
		return store.ErrClosed
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the write is decided by the writer: waiting for its
	// verdict keeps "nil means committed" true even if ctx ends meanwhile.
	return <-req.done
}

// writer commits batches of queued writes until the queue is closed, and
// hands each to the syncer.
func (s *DB) writer() {
	defer close(s.unsynced)
	for first := range s.writes {
		batch := takeReady(s.writes, append(make([]*writeReq, 0, maxBatch), first), maxBatch)
		s.unsynced <- committed{batch, s.commit(batch)}
	}
}

// takeReady appends to batch what ch holds already, without waiting, until
// batch has limit items or ch is empty or closed.
func takeReady[T any](ch <-chan T, batch []T, limit int) []T {
	for len(batch) < limit {
		select {
		case v, ok := <-ch:
			if !ok {
				return batch
			}
			batch = append(batch, v)
		default:
			return batch
		}
	}
	return batch
}

// syncer acknowledges committed batches: it takes every batch committed so
// far, syncs the log once for all of them, and answers their writes. Once a
// sync fails, the log's state on disk is unknown (the kernel may have
// dropped the pages it could not write), so every later write fails too
// until the store is reopened and SQLite recovers from what is on disk.
func (s *DB) syncer() {
	defer close(s.done)
	var (
		pending []committed
		failed  error
	)
	for c := range s.unsynced {
		pending = takeReady(s.unsynced, append(pending[:0], c), math.MaxInt)
		if failed == nil {
			if err := s.syncLog(); err != nil {
				failed = fmt.Errorf("store: syncing the write-ahead log: %w", err)
			}
		}
		for _, c := range pending {
			fill(c.errs, failed)
			for i, req := range c.batch {
				req.done <- c.errs[i]
			}
		}
	}
}

// commit commits a batch and returns each write's outcome.
func (s *DB) commit(batch []*writeReq) []error {
	errs := s.commitOptimistic(batch)
	if errs == nil {
		// A write failed: the whole transaction was rolled back. Run the
		// batch again with a savepoint per write, so that only the failing
		// writes are undone.
		errs = s.commitIsolated(batch)
	}
	return errs
}

// commitOptimistic runs the batch in one transaction with no savepoints,
// which costs two statements less per write. It returns nil, having rolled
// everything back, when any write fails; the caller then isolates the writes.
func (s *DB) commitOptimistic(batch []*writeReq) []error {
	errs := make([]error, len(batch))
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		return fill(errs, fmt.Errorf("store: %w", err))
	}
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if err := run(tx, req.fn); err != nil {
			tx.Rollback()
			return nil
		}
	}
	if err := tx.Commit(); err != nil {
		return fill(errs, fmt.Errorf("store: commit: %w", err))
	}
	return errs
}

// commitIsolated runs each write of the batch in its own savepoint.
func (s *DB) commitIsolated(batch []*writeReq) []error {
	errs := make([]error, len(batch))
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		return fill(errs, fmt.Errorf("store: %w", err))
	}
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		errs[i] = savepoint(tx, req.fn)
	}
	if err := tx.Commit(); err != nil {
		fill(errs, fmt.Errorf("store: commit: %w", err))
	}
	return errs
}

// fill sets every error not set yet to err.
func fill(errs []error, err error) []error {
	for i := range errs {
		if errs[i] == nil {
			errs[i] = err
		}
	}
	return errs
}

// run calls fn, turning a panic into an error.
func run(tx *sql.Tx, fn func(tx *sql.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write panicked: %v", p)
		}
	}()
	return fn(tx)
}

// savepoint runs fn so that its failure undoes only its own changes.
func savepoint(tx *sql.Tx, fn func(tx *sql.Tx) error) (err error) {
	if _, err := tx.Exec(`SAVEPOINT w`); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer func() {
		if err != nil {
			if _, rerr := tx.Exec(`ROLLBACK TO w`); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if _, rerr := tx.Exec(`RELEASE w`); rerr != nil && err == nil {
			err = fmt.Errorf("store: %w", rerr)
		}
	}()
	return run(tx, fn)
}

// read returns the pool for queries, or ErrClosed. Reads see every write
// whose write call has returned.
func (s *DB) read() (*sql.DB, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	return s.db, nil
}

// Ping implements store.Store.
func (s *DB) Ping(ctx context.Context) error {
	db, err := s.read()
	if err != nil {
		return err
	}
	return db.PingContext(ctx)
}

// Info implements store.Store.
func (s *DB) Info(ctx context.Context) (store.Info, error) {
	db, err := s.read()
	if err != nil {
		return store.Info{}, err
	}
	info := store.Info{Migrations: map[string]int{}}
	if err := db.QueryRowContext(ctx, `SELECT instance_id FROM meta WHERE id = 1`).Scan(&info.InstanceID); err != nil {
		return info, fmt.Errorf("store: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT component, MAX(version) FROM schema_migrations GROUP BY component`)
	if err != nil {
		return info, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var v int
		if err := rows.Scan(&c, &v); err != nil {
			return info, fmt.Errorf("store: %w", err)
		}
		info.Migrations[c] = v
	}
	return info, rows.Err()
}

// Close implements store.Store: it waits for queued writes to commit,
// checkpoints the write-ahead log into the database file and closes it.
func (s *DB) Close() error {
	s.mu.Lock()
	if s.closed.Swap(true) {
		s.mu.Unlock()
		return store.ErrClosed
	}
	close(s.writes)
	s.mu.Unlock()
	<-s.done
	_, _ = s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return s.db.Close()
}
