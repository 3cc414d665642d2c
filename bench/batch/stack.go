package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/objectstore/embedded"
	"github.com/jobplane/jobplane/internal/provider/s3control"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

const account = "123456789012"

// stack is jobplane's control plane and engine in this process, over a
// data directory, acting on an object store.
type stack struct {
	dir     string
	temp    bool // close removes dir
	db      *sqlite.DB
	objects objectstore.Store
	closeFn func()
	prov    *s3control.Provider
	eng     *batch.Engine
}

// openStack opens the stack; with objects nil it opens the embedded store
// of the data directory.
func openStack(ctx context.Context, dir string, objects objectstore.Store, opts batch.Options) (*stack, error) {
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	s := &stack{dir: dir, db: db, objects: objects, closeFn: func() {}}
	if objects == nil {
		e, err := embedded.Open(ctx, embedded.Options{Dir: filepath.Join(dir, "objects"), Meta: db.Objects()})
		if err != nil {
			return nil, err
		}
		s.objects, s.closeFn = e, func() { e.Close() }
	}
	key, err := db.Secret(ctx, s3control.SecretName)
	if err != nil {
		return nil, err
	}
	if s.prov, err = s3control.New(s3control.Options{Jobs: db.Jobs(), TokenKey: key}); err != nil {
		return nil, err
	}
	opts.Control, opts.Objects, opts.Runs, opts.Dir, opts.Node = s.prov, s.objects, db.BatchRuns(), filepath.Join(dir, "batch"), "bench"
	if s.eng, err = batch.New(opts); err != nil {
		return nil, err
	}
	s.prov.SetEngine(s.eng, s.eng)
	if err := s.prov.Start(ctx); err != nil {
		return nil, err
	}
	return s, s.eng.Start(ctx)
}

// openTempStack opens a stack over a new temporary data directory (named
// after pattern), which its close removes.
func openTempStack(ctx context.Context, pattern string, objects objectstore.Store, opts batch.Options) (*stack, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return nil, err
	}
	s, err := openStack(ctx, dir, objects, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.temp = true
	return s, nil
}

func (s *stack) close() {
	s.eng.Stop()
	s.prov.Stop()
	s.closeFn()
	s.db.Close()
	if s.temp {
		os.RemoveAll(s.dir)
	}
}

func callerCtx() context.Context {
	return caller.With(context.Background(), caller.Info{AccountID: account, Region: "us-east-1", RequestID: "bench"})
}

// writeManifest stores a CSV manifest of n rows naming keys keyOf(i) of
// bucket, streamed from a temporary file, and returns its location.
func writeManifest(ctx context.Context, objects objectstore.Store, bucket, key, dataBucket string, n int, keyOf func(int) string) (*api.JobManifest, error) {
	f, err := os.CreateTemp("", "batch-manifest")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	for i := range n {
		w.WriteString(dataBucket)
		w.WriteByte(',')
		w.WriteString(keyOf(i))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	size, _ := f.Seek(0, 1)
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	oi, err := objects.PutObject(ctx, objectstore.PutObjectInput{Bucket: bucket, Key: key, Owner: account, Body: f, Size: size})
	if err != nil {
		return nil, err
	}
	etag := oi.ETag
	if len(etag) > 1 && etag[0] == '"' {
		etag = etag[1 : len(etag)-1]
	}
	return &api.JobManifest{
		Spec:     &api.JobManifestSpec{Format: ptr(api.JobManifestFormatS3BatchOperationsCSV20180820), Fields: []api.JobManifestFieldName{"Bucket", "Key"}},
		Location: &api.JobManifestLocation{ObjectArn: ptr("arn:aws:s3:::" + bucket + "/" + key), ETag: ptr(etag)},
	}, nil
}

// createJob creates a job without confirmation, reporting to reports.
func (s *stack) createJob(op *api.JobOperation, m *api.JobManifest, reports string) (string, error) {
	out, err := s.prov.CreateJob(callerCtx(), &api.CreateJobRequest{
		AccountId: ptr(account), ClientRequestToken: ptr(uuid.NewString()), Priority: ptr(int32(10)),
		RoleArn: ptr("arn:aws:iam::" + account + ":role/bench"), ConfirmationRequired: ptr(false), Operation: op, Manifest: m,
		Report: &api.JobReport{Enabled: ptr(true), Bucket: ptr("arn:aws:s3:::" + reports), Prefix: ptr("rep"),
			Format: ptr(api.JobReportFormatReportCSV20180820), ReportScope: ptr(api.JobReportScopeAllTasks)},
	})
	if err != nil {
		return "", err
	}
	return *out.JobId, nil
}

// waitFor polls the job every poll until its status is one of want, and
// returns it and the moment it was seen.
func (s *stack) waitFor(id string, poll, timeout time.Duration, want ...api.JobStatus) (*api.JobDescriptor, time.Time, error) {
	deadline := time.Now().Add(timeout)
	for {
		out, err := s.prov.DescribeJob(callerCtx(), &api.DescribeJobRequest{AccountId: ptr(account), JobId: ptr(id)})
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, w := range want {
			if *out.Job.Status == w {
				return out.Job, time.Now(), nil
			}
		}
		if *out.Job.Status == api.JobStatusFailed {
			return out.Job, time.Now(), fmt.Errorf("job %s failed: %v", id, out.Job.FailureReasons)
		}
		if time.Now().After(deadline) {
			return out.Job, time.Now(), fmt.Errorf("job %s is still %s after %s", id, *out.Job.Status, timeout)
		}
		time.Sleep(poll)
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
