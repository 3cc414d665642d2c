package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
	"github.com/jobplane/jobplane/internal/store/sqlite"
	"github.com/jobplane/jobplane/internal/store/storetest"
)

func TestSuite(t *testing.T) {
	var dirs testDirs
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

func TestOpenCreatesTheDataDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Join(dir, sqlite.FileName)); err != nil {
		t.Fatalf("database file: %v", err)
	}
}

// testDirs gives each test of a suite its own data directory, the same one
// every time that test reopens the store; a suite's tests may run in
// parallel.
type testDirs struct {
	mu   sync.Mutex
	dirs map[*testing.T]string
}

// dir returns t's data directory, creating it on first use.
func (m *testDirs) dir(t *testing.T) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dirs == nil {
		m.dirs = map[*testing.T]string{}
	}
	d, ok := m.dirs[t]
	if !ok {
		d = t.TempDir()
		m.dirs[t] = d
	}
	return d
}
