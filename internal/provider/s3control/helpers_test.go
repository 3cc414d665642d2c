package s3control

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/store"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

const (
	account = "123456789012"
	other   = "210987654321"
)

// t0 is when the fake clock of every test starts.
var t0 = time.Date(2025, 6, 1, 9, 30, 0, 123456789, time.UTC)

// env is a provider over a real embedded store in a temporary directory,
// with a fake clock and a scheduler that records what it hears.
type env struct {
	p     *Provider
	clock *clock.Fake
	sched *recordingScheduler
	db    *sqlite.DB
	jobs  store.Jobs
	dir   string
}

type envOption func(*Options)

func withLifecycle(expiry, retention time.Duration) envOption {
	return func(o *Options) { o.SuspendedExpiry, o.Retention = expiry, retention }
}

// newEnv builds a provider; start says whether its background work runs
// (without it, preparation never happens and seeded jobs stay put).
func newEnv(t *testing.T, start bool, opts ...envOption) *env {
	t.Helper()
	e := &env{clock: clock.NewFake(t0), sched: &recordingScheduler{}, dir: t.TempDir()}
	e.open(t, start, opts...)
	return e
}

func (e *env) open(t *testing.T, start bool, opts ...envOption) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), e.dir)
	if err != nil {
		t.Fatal(err)
	}
	key, err := db.Secret(context.Background(), SecretName)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Jobs: db.Jobs(), TokenKey: key, Clock: e.clock, Region: "eu-west-3"}
	for _, f := range opts {
		f(&o)
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	p.SetEngine(e.sched, nil)
	if start {
		if err := p.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	e.p, e.db, e.jobs = p, db, db.Jobs()
	t.Cleanup(e.close)
}

func (e *env) close() {
	e.p.Stop()
	e.db.Close()
}

// reopen closes the provider and the store and opens them again over the
// same data, as a restart does.
func (e *env) reopen(t *testing.T, start bool, opts ...envOption) {
	t.Helper()
	e.close()
	e.sched.reset()
	e.open(t, start, opts...)
}

// ctx is a request context of the account, as the gateway makes it.
func ctx() context.Context {
	return caller.With(context.Background(), caller.Info{AccountID: account, Region: "us-west-2", RequestID: "REQ"})
}

// createRequest is a valid CreateJob request.
func createRequest() *api.CreateJobRequest {
	return &api.CreateJobRequest{
		AccountId:          ptr(account),
		ClientRequestToken: ptr(uuid.NewString()),
		Priority:           ptr(int32(10)),
		RoleArn:            ptr("arn:aws:iam::123456789012:role/batch"),
		Operation:          &api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{TagSet: []api.S3Tag{{Key: ptr("k"), Value: ptr("v")}}}},
		Report:             &api.JobReport{Enabled: ptr(false)},
		Manifest: &api.JobManifest{
			Spec:     &api.JobManifestSpec{Format: ptr(api.JobManifestFormatS3BatchOperationsCSV20180820), Fields: []api.JobManifestFieldName{"Bucket", "Key"}},
			Location: &api.JobManifestLocation{ObjectArn: ptr("arn:aws:s3:::manifests/m.csv"), ETag: ptr("etag")},
		},
	}
}

// create runs CreateJob and returns the job id.
func (e *env) create(t *testing.T, in *api.CreateJobRequest) string {
	t.Helper()
	out, err := e.p.CreateJob(ctx(), in)
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return *out.JobId
}

// createReady creates a job that needs no confirmation and waits until
// preparation has made it Ready.
func (e *env) createReady(t *testing.T) string {
	t.Helper()
	in := createRequest()
	in.ConfirmationRequired = ptr(false)
	id := e.create(t, in)
	e.prepared(t)
	return id
}

// prepared waits for the background preparation to finish.
func (e *env) prepared(t *testing.T) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.p.WaitPrepared(c); err != nil {
		t.Fatalf("preparation did not finish: %v", err)
	}
}

// seed stores a job of account directly in the given status, bypassing
// preparation: the state-machine tests need jobs in every status.
func (e *env) seed(t *testing.T, accountID string, status api.JobStatus) string {
	t.Helper()
	in := createRequest()
	spec, err := encodeSpec(in)
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	now := e.p.now()
	st := store.JobState{Status: string(status)}
	if status == sSuspended {
		st.SuspendedAt, st.SuspendedCause = now, SuspendedCause
	}
	if status == sActive {
		st.ActiveSince = now
	}
	if Terminal(status) {
		st.TerminatedAt = now
	}
	job := &store.Job{AccountID: accountID, ID: id, ARN: "arn:aws:s3:us-west-2:" + accountID + ":job/" + id,
		Operation: "S3PutObjectTagging", CreatedAt: now, Priority: 10, State: st, Spec: spec}
	if _, _, err := e.jobs.CreateJob(context.Background(), job, nil, store.Idempotency{Token: id, RequestHash: []byte("h")}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) describe(t *testing.T, id string) *api.JobDescriptor {
	t.Helper()
	out, err := e.p.DescribeJob(ctx(), &api.DescribeJobRequest{AccountId: ptr(account), JobId: ptr(id)})
	if err != nil {
		t.Fatalf("DescribeJob(%s): %v", id, err)
	}
	return out.Job
}

func (e *env) status(t *testing.T, id string) api.JobStatus {
	t.Helper()
	return *e.describe(t, id).Status
}

// recordingScheduler records the control plane's notifications.
type recordingScheduler struct {
	mu     sync.Mutex
	events []string
}

func (r *recordingScheduler) note(kind string, job JobRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, kind+" "+job.JobID+" "+string(job.Status))
}

func (r *recordingScheduler) Submit(_ context.Context, job JobRef)       { r.note("submit", job) }
func (r *recordingScheduler) Cancel(_ context.Context, job JobRef)       { r.note("cancel", job) }
func (r *recordingScheduler) Reprioritize(_ context.Context, job JobRef) { r.note("reprioritize", job) }

func (r *recordingScheduler) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
}

func (r *recordingScheduler) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// errorCode returns the AWS error code of err, or "" for nil.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return "unexpected: " + err.Error()
}

// allStatuses is the status catalogue (spec §5.1), written out here rather
// than taken from the table under test.
var allStatuses = []api.JobStatus{
	"New", "Preparing", "Suspended", "Ready", "Active", "Pausing", "Paused",
	"Completing", "Complete", "Cancelling", "Cancelled", "Failing", "Failed",
}

// storeQuery lists every job of an account straight from the store.
func storeQuery(accountID string) store.JobQuery {
	return store.JobQuery{AccountID: accountID, Limit: 1000}
}
