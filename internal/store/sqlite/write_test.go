package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

func openTest(t *testing.T, dir string) *DB {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return s
}

func put(k, v string) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO kv (k, v) VALUES (?, ?)`, k, v)
		return err
	}
}

func count(t *testing.T, s *DB) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM kv`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConcurrentWritesAllCommitAndAreVisibleOnReturn(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := fmt.Sprint(i)
			if err := s.write(context.Background(), put(k, "v")); err != nil {
				t.Error(err)
				return
			}
			var v string
			if err := s.db.QueryRow(`SELECT v FROM kv WHERE k = ?`, k).Scan(&v); err != nil {
				t.Errorf("write %s returned but is not visible: %v", k, err)
			}
		}()
	}
	wg.Wait()
	if n := count(t, s); n != 200 {
		t.Fatalf("%d rows, want 200", n)
	}
}

func TestAFailedWriteIsUndoneAloneInItsBatch(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 60)
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := fmt.Sprint(i)
			switch i % 3 {
			case 0:
				errs[i] = s.write(context.Background(), put(k, "kept"))
			case 1: // a write that changes something and then fails
				errs[i] = s.write(context.Background(), func(tx *sql.Tx) error {
					if err := put(k, "undone")(tx); err != nil {
						return err
					}
					return boom
				})
			case 2: // a write that panics after changing something
				errs[i] = s.write(context.Background(), func(tx *sql.Tx) error {
					_ = put(k, "undone")(tx)
					panic("provider bug")
				})
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		switch i % 3 {
		case 0:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		case 1:
			if !errors.Is(err, boom) {
				t.Errorf("write %d = %v, want boom", i, err)
			}
		case 2:
			if err == nil {
				t.Errorf("write %d: the panic was not reported", i)
			}
		}
	}
	var undone int
	s.db.QueryRow(`SELECT COUNT(*) FROM kv WHERE v = 'undone'`).Scan(&undone)
	if n := count(t, s); n != 20 || undone != 0 {
		t.Fatalf("%d rows (%d undone), want the 20 kept writes only", n, undone)
	}
}

func TestWritesSurviveReopening(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for i := range 10 {
		if err := s.write(context.Background(), put(fmt.Sprint(i), "v")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	defer s.Close()
	if n := count(t, s); n != 10 {
		t.Fatalf("%d rows after reopen, want 10", n)
	}
}

func TestWritesAfterCloseAreRefused(t *testing.T) {
	s := openTest(t, t.TempDir())
	s.Close()
	if err := s.write(context.Background(), put("k", "v")); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("write after Close = %v, want ErrClosed", err)
	}
}

func TestACancelledWriteDoesNotRun(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.write(ctx, put("k", "v")); !errors.Is(err, context.Canceled) {
		t.Fatalf("write = %v, want context.Canceled", err)
	}
	if n := count(t, s); n != 0 {
		t.Fatalf("the cancelled write ran")
	}
}

// A write returns only once the log holding its commit is synced, though
// the commit is visible to reads before that.
func TestAWriteIsAcknowledgedOnlyAfterTheLogSync(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	release := make(chan struct{})
	syncing := make(chan struct{}, 1)
	sync := s.syncLog
	s.syncLog = func() error {
		syncing <- struct{}{}
		<-release
		return sync()
	}
	done := make(chan error, 1)
	go func() { done <- s.write(context.Background(), put("k", "v")) }()
	<-syncing
	if n := count(t, s); n != 1 {
		t.Fatalf("%d rows while the log syncs, want the committed 1", n)
	}
	select {
	case err := <-done:
		t.Fatalf("write returned %v before its log sync finished", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A failed sync fails the writes it was to acknowledge and every later
// one: what reached the disk is unknown until SQLite recovers at reopening.
func TestAFailedLogSyncFailsThisAndLaterWrites(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	eio := errors.New("input/output error")
	s.syncLog = func() error { return eio }
	for _, k := range []string{"a", "b"} {
		if err := s.write(context.Background(), put(k, "v")); !errors.Is(err, eio) {
			t.Fatalf("write %s = %v, want the sync's error", k, err)
		}
	}
}

// BenchmarkWrite compares group commit with a transaction per write, both
// from 32 concurrent writers: the ratio is what batching buys on this disk.
// Each transaction of the second is synced by SQLite (synchronous=FULL).
func BenchmarkWrite(b *testing.B) {
	for _, mode := range []string{"group commit", "transaction per write"} {
		b.Run(mode, func(b *testing.B) {
			s, err := Open(context.Background(), b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			s.db.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)`)
			var mu sync.Mutex
			n := 0
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					n++
					k := fmt.Sprint(n)
					mu.Unlock()
					if mode == "group commit" {
						if err := s.write(context.Background(), put(k, "v")); err != nil {
							b.Error(err)
						}
						continue
					}
					if err := syncedTx(s.db, put(k, "v")); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}

// syncedTx runs fn in a transaction that SQLite syncs as it commits.
func syncedTx(db *sql.DB, fn func(*sql.Tx) error) error {
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous=FULL`); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
