package sqlite_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
	"github.com/jobplane/jobplane/internal/store/sqlite"
	"github.com/jobplane/jobplane/internal/store/storetest"
)

func TestBatchRunsSuite(t *testing.T) {
	var dirs batchDirs
	storetest.RunBatchRuns(t, func(t *testing.T) (store.Store, store.BatchRuns) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s, s.BatchRuns()
	})
}

func TestObjectsBatchSuite(t *testing.T) {
	var dirs batchDirs
	storetest.RunObjectsBatch(t, func(t *testing.T) (store.Objects, func() error) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s.Objects(), s.Close
	})
}

func TestObjectsPatcherSuite(t *testing.T) {
	var dirs batchDirs
	storetest.RunObjectsPatcher(t, func(t *testing.T) (store.Objects, func() error) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s.Objects(), s.Close
	})
}

// batchDirs gives each test its own data directory, the same one every time
// that test reopens the store; the suites' tests run in parallel.
type batchDirs struct {
	mu   sync.Mutex
	dirs map[*testing.T]string
}

func (m *batchDirs) dir(t *testing.T) string {
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
