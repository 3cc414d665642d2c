package sqlite_test

import (
	"context"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
	"github.com/jobplane/jobplane/internal/store/sqlite"
	"github.com/jobplane/jobplane/internal/store/storetest"
)

func TestObjectsSuite(t *testing.T) {
	dirs := map[*testing.T]string{}
	storetest.RunObjects(t, func(t *testing.T) (store.Objects, func() error) {
		dir, ok := dirs[t]
		if !ok {
			dir = t.TempDir()
			dirs[t] = dir
		}
		s, err := sqlite.Open(context.Background(), dir)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s.Objects(), s.Close
	})
}
