package sqlite

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrations embed.FS

// A migration is one numbered SQL file of one component.
type migration struct {
	component string
	version   int
	name      string
	sql       string
}

// loadMigrations reads migrations/<component>/NNNN_name.sql. Each component
// numbers its own migrations 1, 2, ... without gaps, so that the parts of the
// store can grow independently.
func loadMigrations() (map[string][]migration, error) {
	out := map[string][]migration{}
	err := fs.WalkDir(migrations, "migrations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		component := path.Base(path.Dir(p))
		num, _, ok := strings.Cut(d.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(d.Name(), ".sql") || component == "migrations" {
			return fmt.Errorf("store: migration %s is not named migrations/<component>/NNNN_name.sql", p)
		}
		b, err := migrations.ReadFile(p)
		if err != nil {
			return err
		}
		out[component] = append(out[component], migration{component: component, version: v, name: d.Name(), sql: string(b)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for c, ms := range out {
		sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
		for i, m := range ms {
			if m.version != i+1 {
				return nil, fmt.Errorf("store: migrations of %s must be numbered 1, 2, ...; %s is out of sequence", c, m.name)
			}
		}
	}
	return out, nil
}

// migrate applies the pending migrations, each in its own transaction with
// its version record, so that a crash leaves every component at a known
// version. The meta component goes first: it creates the store's identity.
func (s *DB) migrate(ctx context.Context) error {
	all, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
		PRIMARY KEY (component, version))`); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	components := make([]string, 0, len(all))
	for c := range all {
		if c != "meta" {
			components = append(components, c)
		}
	}
	sort.Strings(components)
	components = append([]string{"meta"}, components...)
	for _, c := range components {
		if err := s.migrateComponent(ctx, c, all[c]); err != nil {
			return err
		}
	}
	return nil
}

func (s *DB) migrateComponent(ctx context.Context, component string, ms []migration) error {
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?`, component).Scan(&current); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("store: the data directory's %s schema is at version %d, newer than this jobplane knows (%d)", component, current, len(ms))
	}
	for _, m := range ms[current:] {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %s/%s: %w", component, m.name, err)
		}
		now := time.Now().UTC().Format(time.RFC3339Nano)
		if component == "meta" && m.version == 1 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (id, instance_id, created_at) VALUES (1, ?, ?)`, newID(), now); err != nil {
				tx.Rollback()
				return fmt.Errorf("store: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)`,
			component, m.version, m.name, now); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %s/%s: %w", component, m.name, err)
		}
	}
	return nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
