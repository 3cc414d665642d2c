package sqlite_test

import (
	"context"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
	"github.com/jobplane/jobplane/internal/store/sqlite"
	"github.com/jobplane/jobplane/internal/store/storetest"
)

func TestJobsSuite(t *testing.T) {
	var dirs testDirs
	storetest.RunJobs(t, func(t *testing.T) (store.Store, store.Jobs) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s, s.Jobs()
	})
}
