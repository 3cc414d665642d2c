package sqlite_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
	"github.com/jobplane/jobplane/internal/store/sqlite"
	"github.com/jobplane/jobplane/internal/store/storetest"
)

func TestJobsSuite(t *testing.T) {
	var dirs jobsDirs
	storetest.RunJobs(t, func(t *testing.T) (store.Store, store.Jobs) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s, s.Jobs()
	})
}

// jobsDirs gives each test its own data directory, the same one every time
// that test reopens the store; the suite's tests run in parallel.
type jobsDirs struct {
	mu   sync.Mutex
	dirs map[*testing.T]string
}

func (m *jobsDirs) dir(t *testing.T) string {
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
