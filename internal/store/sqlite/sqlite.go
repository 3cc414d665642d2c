// Package sqlite is the embedded store driver: one SQLite database file under
// jobplane's data directory, in WAL mode with full synchronous commits so that
// an acknowledged write survives a crash, migrated at open by the versioned
// SQL files embedded from migrations/.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/jobplane/jobplane/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file's name inside the data directory.
const FileName = "jobplane.db"

// DB is the embedded store.
type DB struct {
	db     *sql.DB
	closed atomic.Bool
}

var _ store.Store = (*DB)(nil)

// Open opens (creating it if needed) the store in dir and applies every
// migration it has not seen yet.
func Open(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: creating data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	s := &DB{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s is not named NNNN_name.sql", e.Name())
		}
		b, err := migrations.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations must be numbered 1, 2, ...; %s is out of sequence", m.name)
		}
	}
	return out, nil
}

// migrate applies the pending migrations, each in its own transaction with
// its version record, so a crash leaves the schema at a known version.
func (s *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	current, err := s.version(ctx)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("store: the data directory is at schema version %d, newer than this jobplane knows (%d)", current, len(ms))
	}
	for _, m := range ms[current:] {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		now := time.Now().UTC().Format(time.RFC3339Nano)
		if m.version == 1 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (id, instance_id, created_at) VALUES (1, ?, ?)`, newID(), now); err != nil {
				tx.Rollback()
				return fmt.Errorf("store: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, now); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	return nil
}

func (s *DB) version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return int(v.Int64), nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Ping implements store.Store.
func (s *DB) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return s.db.PingContext(ctx)
}

// Info implements store.Store.
func (s *DB) Info(ctx context.Context) (store.Info, error) {
	if s.closed.Load() {
		return store.Info{}, store.ErrClosed
	}
	var info store.Info
	if err := s.db.QueryRowContext(ctx, `SELECT instance_id FROM meta WHERE id = 1`).Scan(&info.InstanceID); err != nil {
		return info, fmt.Errorf("store: %w", err)
	}
	v, err := s.version(ctx)
	info.SchemaVersion = v
	return info, err
}

// Close implements store.Store: it checkpoints the write-ahead log into the
// database file and closes it.
func (s *DB) Close() error {
	if s.closed.Swap(true) {
		return store.ErrClosed
	}
	_, _ = s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return s.db.Close()
}
