package sqlite_test

import (
	"context"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
	"github.com/jobplane/jobplane/internal/store/sqlite"
	"github.com/jobplane/jobplane/internal/store/storetest"
)

func TestBatchRunsSuite(t *testing.T) {
	var dirs testDirs
	storetest.RunBatchRuns(t, func(t *testing.T) (store.Store, store.BatchRuns) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s, s.BatchRuns()
	})
}

func TestObjectsBatchSuite(t *testing.T) {
	var dirs testDirs
	storetest.RunObjectsBatch(t, func(t *testing.T) (store.Objects, func() error) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s.Objects(), s.Close
	})
}

func TestObjectsPatcherSuite(t *testing.T) {
	var dirs testDirs
	storetest.RunObjectsPatcher(t, func(t *testing.T) (store.Objects, func() error) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s.Objects(), s.Close
	})
}
