package embedded

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const owner = "111111111111"

type fixture struct {
	s     *Store
	clock *clock.Fake
	dir   string
	db    *sqlite.DB
}

// open opens a store over dir (a new temporary directory when "").
func open(t *testing.T, dir string, mode SyncMode) *fixture {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	fc := clock.NewFake(t0)
	s, err := Open(context.Background(), Options{Dir: dir + "/objects", Meta: db.Objects(), Clock: fc, Sync: mode,
		Restore: objectstore.RestoreDelays{"GLACIER/Standard": time.Hour, "GLACIER/Bulk": 5 * time.Hour,
			"GLACIER/Expedited": time.Minute, "DEEP_ARCHIVE/Standard": 12 * time.Hour, "DEEP_ARCHIVE/Bulk": 48 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, clock: fc, dir: dir, db: db}
	t.Cleanup(func() { f.close() })
	return f
}

func (f *fixture) close() {
	if f.s != nil {
		f.s.Close()
		f.db.Close()
		f.s = nil
	}
}

func (f *fixture) bucket(t *testing.T, name string, lock bool) {
	t.Helper()
	if _, err := f.s.CreateBucket(context.Background(), objectstore.CreateBucketInput{Bucket: name, Owner: owner,
		Region: "us-east-1", ObjectLockEnabled: lock}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

func (f *fixture) put(t *testing.T, bucket, key, body string) objectstore.ObjectInfo {
	t.Helper()
	oi, err := f.s.PutObject(context.Background(), objectstore.PutObjectInput{Bucket: bucket, Key: key, Owner: owner,
		Body: strings.NewReader(body), Size: int64(len(body))})
	if err != nil {
		t.Fatalf("PutObject %s/%q: %v", bucket, key, err)
	}
	return oi
}

func (f *fixture) get(t *testing.T, in objectstore.GetObjectInput) (string, *objectstore.Object, error) {
	t.Helper()
	o, err := f.s.GetObject(context.Background(), in)
	if err != nil {
		return "", nil, err
	}
	defer o.Body.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, o.Body); err != nil {
		return "", o, err
	}
	return buf.String(), o, nil
}

// wantCode fails the test unless err is the S3 error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := objectstore.Code(err); got != code {
		t.Fatalf("error = %v (code %q), want %s", err, got, code)
	}
}

// eventually polls cond for up to five seconds (the background cleanup runs
// every 50 ms) and reports whether it came to hold.
func eventually(cond func() bool) bool {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			return cond()
		}
	}
	return true
}
