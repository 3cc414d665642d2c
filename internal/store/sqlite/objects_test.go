package sqlite_test

import (
	"context"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
	"github.com/jobplane/jobplane/internal/store/sqlite"
	"github.com/jobplane/jobplane/internal/store/storetest"
)

func TestObjectsSuite(t *testing.T) {
	var dirs testDirs
	storetest.RunObjects(t, func(t *testing.T) (store.Objects, func() error) {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s.Objects(), s.Close
	})
}
