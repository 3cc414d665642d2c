package sqlite_test

import (
	"context"
	"testing"

	"github.com/jobplane/jobplane/internal/store/sqlite"
	"github.com/jobplane/jobplane/internal/store/storetest"
)

func TestSnowballSuite(t *testing.T) {
	var dirs testDirs
	storetest.RunSnowball(t, func(t *testing.T) storetest.SnowballDB {
		s, err := sqlite.Open(context.Background(), dirs.dir(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
