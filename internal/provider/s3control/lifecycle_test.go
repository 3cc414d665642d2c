package s3control

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

const day = 24 * time.Hour

func TestASuspendedJobFailsAfterThirtyDaysExactly(t *testing.T) {
	e := newEnv(t, false)
	id := e.seed(t, account, sSuspended)
	suspended := e.p.now()

	e.clock.Set(suspended.Add(30 * day))
	if got := e.status(t, id); got != sSuspended {
		t.Fatalf("at exactly 30 days the job is %s, want still Suspended", got)
	}
	e.clock.Set(suspended.Add(30*day + time.Millisecond))
	d := e.describe(t, id)
	if *d.Status != sFailed {
		t.Fatalf("after 30 days the job is %s, want Failed", *d.Status)
	}
	if !d.TerminationDate.Equal(suspended.Add(30*day)) || !d.SuspendedDate.Equal(suspended) {
		t.Errorf("TerminationDate %v, SuspendedDate %v; want the moment the 30 days ran out, and the suspension", d.TerminationDate, d.SuspendedDate)
	}
	if len(d.FailureReasons) != 1 || *d.FailureReasons[0].FailureCode != FailureCodeSuspendedTooLong ||
		*d.FailureReasons[0].FailureReason != "The job was not confirmed within 30 days of being suspended." {
		t.Errorf("FailureReasons %+v", d.FailureReasons)
	}
	_, err := e.p.UpdateJobStatus(ctx(), &api.UpdateJobStatusRequest{AccountId: ptr(account), JobId: ptr(id), RequestedJobStatus: ptr(api.RequestedJobStatusReady)})
	if code := errorCode(err); code != "JobStatusException" {
		t.Fatalf("confirming the failed job: %q, want JobStatusException", code)
	}
}

func TestAnExpiredSuspendedJobIsNeverListedAsSuspended(t *testing.T) {
	e := newEnv(t, false)
	expired := e.seed(t, account, sSuspended)
	e.clock.Advance(10 * day)
	fresh := e.seed(t, account, sSuspended)
	// A list right now caches that nothing is due for 20 days.
	if got := listAll(t, e, account, []api.JobStatus{sSuspended}, fixed(10)); len(got) != 2 {
		t.Fatalf("before expiry: %v", got)
	}
	e.clock.Advance(20*day + time.Second)
	if got := listAll(t, e, account, []api.JobStatus{sSuspended}, fixed(10)); !slices.Equal(got, []string{fresh}) {
		t.Fatalf("Suspended jobs after 30 days: %v, want only %s", got, fresh)
	}
	if got := listAll(t, e, account, []api.JobStatus{sFailed}, fixed(10)); !slices.Equal(got, []string{expired}) {
		t.Fatalf("Failed jobs: %v, want %s", got, expired)
	}
}

func TestTheSweepFailsExpiredJobsAndPurgesEndedOnes(t *testing.T) {
	e := newEnv(t, false, withLifecycle(2*time.Hour, 5*time.Hour))
	suspended := e.seed(t, account, sSuspended)
	complete := e.seed(t, account, sComplete)
	ready := e.seed(t, account, sReady)
	res, err := e.p.Sweep(context.Background())
	if err != nil || res != (SweepResult{}) {
		t.Fatalf("first sweep = %+v, %v; want nothing done", res, err)
	}
	e.clock.Advance(3 * time.Hour)
	if res, err = e.p.Sweep(context.Background()); err != nil || res.Expired != 1 || res.Purged != 0 {
		t.Fatalf("sweep after 3h = %+v, %v; want 1 expired", res, err)
	}
	// The expired job ended 2h after it was suspended; it goes 5h later.
	e.clock.Advance(2 * time.Hour)
	if res, err = e.p.Sweep(context.Background()); err != nil || res.Purged != 1 {
		t.Fatalf("sweep after 5h = %+v, %v; want the complete job purged", res, err)
	}
	if _, err := e.jobs.GetJob(context.Background(), account, complete); !errors.Is(err, store.ErrJobNotFound) {
		t.Fatalf("the purged job is still stored: %v", err)
	}
	e.clock.Advance(2 * time.Hour)
	if res, err = e.p.Sweep(context.Background()); err != nil || res.Purged != 1 {
		t.Fatalf("sweep after 7h = %+v, %v; want the failed job purged", res, err)
	}
	if _, err := e.jobs.GetJob(context.Background(), account, suspended); !errors.Is(err, store.ErrJobNotFound) {
		t.Fatalf("the expired job is still stored: %v", err)
	}
	if e.status(t, ready) != sReady {
		t.Fatal("the sweep touched a live job")
	}
}

func TestAnEndedJobVanishesNinetyDaysAfterItEnded(t *testing.T) {
	e := newEnv(t, false)
	id := e.seed(t, account, sCancelled)
	ended := e.p.now()
	arn := *e.describe(t, id).JobArn
	calls := map[string]func() error{
		"DescribeJob": func() error {
			_, err := e.p.DescribeJob(ctx(), &api.DescribeJobRequest{AccountId: ptr(account), JobId: ptr(id)})
			return err
		},
		"UpdateJobPriority": func() error {
			_, err := e.p.UpdateJobPriority(ctx(), &api.UpdateJobPriorityRequest{AccountId: ptr(account), JobId: ptr(id), Priority: ptr(int32(3))})
			return err
		},
		"UpdateJobStatus": func() error {
			_, err := e.p.UpdateJobStatus(ctx(), &api.UpdateJobStatusRequest{AccountId: ptr(account), JobId: ptr(id), RequestedJobStatus: ptr(api.RequestedJobStatusCancelled)})
			if errorCode(err) == "JobStatusException" {
				return nil // visible, and refused because it ended
			}
			return err
		},
		"GetJobTagging": func() error {
			_, err := e.p.GetJobTagging(ctx(), &api.GetJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id)})
			return err
		},
		"PutJobTagging": func() error {
			_, err := e.p.PutJobTagging(ctx(), &api.PutJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id), Tags: []api.S3Tag{}})
			return err
		},
		"DeleteJobTagging": func() error {
			_, err := e.p.DeleteJobTagging(ctx(), &api.DeleteJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id)})
			return err
		},
		"ListTagsForResource": func() error {
			_, err := e.p.ListTagsForResource(ctx(), &api.ListTagsForResourceRequest{AccountId: ptr(account), ResourceArn: ptr(arn)})
			return err
		},
	}
	e.clock.Set(ended.Add(90*day - time.Millisecond))
	for name, call := range calls {
		if err := call(); err != nil {
			t.Errorf("%s just before 90 days: %v", name, err)
		}
	}
	if got := listAll(t, e, account, nil, fixed(10)); len(got) != 1 {
		t.Errorf("ListJobs just before 90 days: %v", got)
	}
	e.clock.Set(ended.Add(90 * day))
	for name, call := range calls {
		if code := errorCode(call()); code != "NotFoundException" {
			t.Errorf("%s at 90 days: %q, want NotFoundException", name, code)
		}
	}
	if got := listAll(t, e, account, nil, fixed(10)); len(got) != 0 {
		t.Errorf("ListJobs at 90 days: %v", got)
	}
	if _, err := e.jobs.GetJob(context.Background(), account, id); err != nil {
		t.Fatalf("the job was deleted before a sweep: %v", err)
	}
}

func TestTheBackgroundSweepRunsOnTheClock(t *testing.T) {
	e := newEnv(t, true, withLifecycle(time.Hour, time.Hour))
	id := e.seed(t, account, sComplete)
	for range 10 {
		waitWaiters(t, e)
		if _, err := e.jobs.GetJob(context.Background(), account, id); errors.Is(err, store.ErrJobNotFound) {
			return
		}
		// A tick of the fake clock past the interval wakes the sweep.
		e.clock.Advance(30 * time.Minute)
	}
	t.Fatal("the background sweep never purged the job")
}

// waitWaiters waits until the sweep loop waits on the fake clock again.
func waitWaiters(t *testing.T, e *env) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.clock.Waiters() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the sweep loop is not waiting on the clock")
		}
		select {
		case <-time.After(time.Millisecond): // poll again
		}
	}
}

func TestARestartResumesPreparationAndHandsTheEngineItsJobs(t *testing.T) {
	e := newEnv(t, false)
	unprepared := e.create(t, createRequest()) // New: nothing ran
	preparing := e.seed(t, account, sPreparing)
	owned := map[string]api.JobStatus{}
	for _, s := range []api.JobStatus{sReady, sActive, sPausing, sPaused, sCompleting, sCancelling, sFailing} {
		owned[e.seed(t, account, s)] = s
	}
	for _, s := range []api.JobStatus{sSuspended, sComplete, sCancelled, sFailed} {
		e.seed(t, account, s)
	}
	e.reopen(t, true)
	e.prepared(t)
	for _, id := range []string{unprepared, preparing} {
		if got := e.status(t, id); got != sSuspended {
			t.Errorf("job %s is %s after the restart, want Suspended", id, got)
		}
	}
	var want []string
	for id, s := range owned {
		want = append(want, "submit "+id+" "+string(s))
	}
	got := e.sched.got()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("the scheduler heard\n%v\nwant\n%v", got, want)
	}
}

// scriptedPreparer answers Prepare from its fields.
type scriptedPreparer struct {
	fail  atomic.Bool
	calls atomic.Int32
	prep  Preparation
}

func (s *scriptedPreparer) Prepare(_ context.Context, job *Job) (Preparation, error) {
	s.calls.Add(1)
	if s.fail.Load() {
		return Preparation{}, errors.New("manifest store unreachable")
	}
	return s.prep, nil
}

func TestThePreparerDecidesTasksFailuresAndTheGeneratedManifest(t *testing.T) {
	t.Run("a failure found while preparing fails the job", func(t *testing.T) {
		e := newEnv(t, false)
		pr := &scriptedPreparer{prep: Preparation{Failures: []api.JobFailure{{FailureCode: ptr("InvalidManifestContent"), FailureReason: ptr("Invalid Manifest Content")}}}}
		e.p.SetEngine(nil, pr)
		if err := e.p.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		id := e.create(t, createRequest())
		e.prepared(t)
		d := e.describe(t, id)
		if *d.Status != sFailed || len(d.FailureReasons) != 1 || *d.FailureReasons[0].FailureCode != "InvalidManifestContent" || d.TerminationDate == nil {
			t.Fatalf("job %+v", d)
		}
	})
	t.Run("counted tasks and a generated manifest show in DescribeJob", func(t *testing.T) {
		e := newEnv(t, false)
		gen := &api.S3GeneratedManifestDescriptor{Format: ptr(api.GeneratedManifestFormatS3InventoryReportCSV20211130),
			Location: &api.JobManifestLocation{ObjectArn: ptr("arn:aws:s3:::out/manifest.json"), ETag: ptr("e")}}
		e.p.SetEngine(nil, &scriptedPreparer{prep: Preparation{TotalTasks: ptr(int64(42)), GeneratedManifest: gen}})
		if err := e.p.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		id := e.createReady(t)
		d := e.describe(t, id)
		if *d.Status != sReady || *d.ProgressSummary.TotalNumberOfTasks != 42 || *d.GeneratedManifestDescriptor.Location.ObjectArn != "arn:aws:s3:::out/manifest.json" {
			t.Fatalf("job %+v", d)
		}
	})
	t.Run("a preparer error leaves the job Preparing until a sweep retries it", func(t *testing.T) {
		e := newEnv(t, false)
		pr := &scriptedPreparer{}
		pr.fail.Store(true)
		e.p.SetEngine(nil, pr)
		if err := e.p.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		id := e.create(t, createRequest())
		e.prepared(t)
		if got := e.status(t, id); got != sPreparing {
			t.Fatalf("after a failed preparation the job is %s, want Preparing", got)
		}
		pr.fail.Store(false)
		if res, err := e.p.Sweep(context.Background()); err != nil || res.Requeued != 1 {
			t.Fatalf("Sweep = %+v, %v; want 1 requeued", res, err)
		}
		e.prepared(t)
		if got := e.status(t, id); got != sSuspended || pr.calls.Load() != 2 {
			t.Fatalf("after the retry the job is %s after %d calls, want Suspended after 2", got, pr.calls.Load())
		}
	})
	t.Run("a job cancelled while preparing stays cancelled", func(t *testing.T) {
		e := newEnv(t, false)
		id := e.seed(t, account, sPreparing)
		if _, err := e.p.UpdateJobStatus(ctx(), &api.UpdateJobStatusRequest{AccountId: ptr(account), JobId: ptr(id), RequestedJobStatus: ptr(api.RequestedJobStatusCancelled)}); err != nil {
			t.Fatal(err)
		}
		e.p.prepare(context.Background(), store.JobKey{AccountID: account, ID: id})
		if got := e.status(t, id); got != sCancelled {
			t.Fatalf("job is %s, want Cancelled", got)
		}
	})
}
