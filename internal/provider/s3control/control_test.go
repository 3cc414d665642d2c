package s3control

import (
	"errors"
	"slices"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
)

// TestAnEngineRunsAJobThroughTheSeam plays the engine's part: it takes a
// submitted job, runs it, pauses it, reports progress and completes it;
// DescribeJob and ListJobs show each step as AWS would.
func TestAnEngineRunsAJobThroughTheSeam(t *testing.T) {
	e := newEnv(t, true)
	id := e.createReady(t)
	if got := e.sched.got(); !slices.Equal(got, []string{"submit " + id + " Ready"}) {
		t.Fatalf("scheduler heard %v", got)
	}
	step := func(from, to api.JobStatus) {
		t.Helper()
		job, err := e.p.Transition(ctx(), account, id, Transition{From: from, To: to})
		if err != nil {
			t.Fatalf("%s → %s: %v", from, to, err)
		}
		if *job.Descriptor.Status != to || job.AccountID != account || *job.Descriptor.JobId != id {
			t.Fatalf("%s → %s returned %+v", from, to, job)
		}
	}
	step(sReady, sActive)
	e.clock.Advance(90 * time.Second)
	if err := e.p.SetProgress(ctx(), account, id, Progress{TotalTasks: 10, Succeeded: 4, Failed: 1}); err != nil {
		t.Fatal(err)
	}
	p := e.describe(t, id).ProgressSummary
	if *p.TotalNumberOfTasks != 10 || *p.NumberOfTasksSucceeded != 4 || *p.NumberOfTasksFailed != 1 || *p.Timers.ElapsedTimeInActiveSeconds != 90 {
		t.Fatalf("while active: %+v %+v", p, p.Timers)
	}
	step(sActive, sPausing)
	step(sPausing, sPaused)
	e.clock.Advance(time.Hour) // paused time does not count
	step(sPaused, sActive)
	e.clock.Advance(10 * time.Second)
	if err := e.p.SetProgress(ctx(), account, id, Progress{TotalTasks: 10, Succeeded: 8, Failed: 2}); err != nil {
		t.Fatal(err)
	}
	step(sActive, sCompleting)
	step(sCompleting, sComplete)
	e.clock.Advance(time.Hour)
	d := e.describe(t, id)
	if *d.Status != sComplete || *d.ProgressSummary.Timers.ElapsedTimeInActiveSeconds != 100 || d.TerminationDate == nil || len(d.FailureReasons) != 0 {
		t.Fatalf("complete job: %+v, timers %+v", d, d.ProgressSummary.Timers)
	}
	out, err := list(e, account, []api.JobStatus{sComplete}, nil, nil)
	if err != nil || len(out.Jobs) != 1 || *out.Jobs[0].ProgressSummary.NumberOfTasksSucceeded != 8 || out.Jobs[0].TerminationDate == nil {
		t.Fatalf("ListJobs = %+v, %v", out, err)
	}
}

// A job an engine resumes after a stop counts as Active up to its last
// checkpoint and again from the resumption, not in between.
func TestResumingAnActiveJobLeavesOutTheTimeNothingRanIt(t *testing.T) {
	e := newEnv(t, true)
	id := e.createReady(t)
	if _, err := e.p.Transition(ctx(), account, id, Transition{From: sReady, To: sActive}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	lastCheckpoint := e.clock.Now()
	e.clock.Advance(2 * time.Hour) // down
	if err := e.p.ResumeActive(ctx(), account, id, lastCheckpoint); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(12 * time.Second)
	if got := *e.describe(t, id).ProgressSummary.Timers.ElapsedTimeInActiveSeconds; got != 42 {
		t.Fatalf("ElapsedTimeInActiveSeconds = %d after 30 s, a stop and 12 s, want 42", got)
	}
	// A checkpoint older than the resumption tells that nothing is known
	// to have run since (the 12 s are dropped); one in the future counts
	// nothing that has not happened.
	if err := e.p.ResumeActive(ctx(), account, id, lastCheckpoint); err != nil {
		t.Fatal(err)
	}
	if err := e.p.ResumeActive(ctx(), account, id, e.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(8 * time.Second)
	if _, err := e.p.Transition(ctx(), account, id, Transition{From: sActive, To: sCompleting}); err != nil {
		t.Fatal(err)
	}
	if got := *e.describe(t, id).ProgressSummary.Timers.ElapsedTimeInActiveSeconds; got != 38 {
		t.Fatalf("ElapsedTimeInActiveSeconds = %d at the end, want 30 + 8", got)
	}
	out, err := list(e, account, []api.JobStatus{sCompleting}, nil, nil)
	if err != nil || len(out.Jobs) != 1 || *out.Jobs[0].ProgressSummary.Timers.ElapsedTimeInActiveSeconds != 38 {
		t.Fatalf("ListJobs = %+v, %v", out, err)
	}
	if err := e.p.ResumeActive(ctx(), account, id, e.clock.Now()); !errors.Is(err, ErrStatusChanged) {
		t.Fatalf("ResumeActive of a Completing job: %v", err)
	}
}

func TestTheEngineHearsOfCancellationsAndPriorities(t *testing.T) {
	e := newEnv(t, false)
	ready := e.seed(t, account, sReady)
	active := e.seed(t, account, sActive)
	suspended := e.seed(t, account, sSuspended)
	cancel := func(id string) {
		t.Helper()
		if _, err := e.p.UpdateJobStatus(ctx(), &api.UpdateJobStatusRequest{AccountId: ptr(account), JobId: ptr(id), RequestedJobStatus: ptr(api.RequestedJobStatusCancelled)}); err != nil {
			t.Fatal(err)
		}
	}
	prioritize := func(id string, p int32) {
		t.Helper()
		out, err := e.p.UpdateJobPriority(ctx(), &api.UpdateJobPriorityRequest{AccountId: ptr(account), JobId: ptr(id), Priority: ptr(p)})
		if err != nil || *out.Priority != p || *out.JobId != id {
			t.Fatalf("UpdateJobPriority = %+v, %v", out, err)
		}
		if got := *e.describe(t, id).Priority; got != p {
			t.Fatalf("priority %d after the update, want %d", got, p)
		}
	}
	prioritize(active, 99)
	prioritize(suspended, 7) // the control plane's job: nothing to tell
	cancel(ready)
	cancel(active)
	cancel(active) // already cancelling: nothing new to tell
	cancel(suspended)
	want := []string{
		"reprioritize " + active + " Active",
		"cancel " + ready + " Cancelled",
		"cancel " + active + " Cancelling",
	}
	if got := e.sched.got(); !slices.Equal(got, want) {
		t.Fatalf("scheduler heard\n%v\nwant\n%v", got, want)
	}
	// The engine finishes the cancellation.
	if _, err := e.p.Transition(ctx(), account, active, Transition{From: sCancelling, To: sCancelled}); err != nil {
		t.Fatal(err)
	}
	if d := e.describe(t, active); *d.Status != sCancelled || d.TerminationDate == nil {
		t.Fatalf("cancelled job %+v", d)
	}
}

func TestAnEngineFailureRecordsItsReasons(t *testing.T) {
	e := newEnv(t, false)
	id := e.seed(t, account, sActive)
	reasons := []api.JobFailure{{FailureCode: ptr("TaskFailureThreshold"), FailureReason: ptr("more than half of 1000 tasks failed")}}
	if _, err := e.p.Transition(ctx(), account, id, Transition{From: sActive, To: sFailing, FailureReasons: reasons, Reason: "threshold"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Transition(ctx(), account, id, Transition{From: sFailing, To: sFailed}); err != nil {
		t.Fatal(err)
	}
	d := e.describe(t, id)
	if *d.Status != sFailed || len(d.FailureReasons) != 1 || *d.FailureReasons[0].FailureCode != "TaskFailureThreshold" || *d.StatusUpdateReason != "threshold" {
		t.Fatalf("failed job %+v", d)
	}
}

func TestTheEngineMethodsFindOnlyExistingJobs(t *testing.T) {
	e := newEnv(t, false)
	missing := "00000000-0000-4000-8000-000000000000"
	if _, err := e.p.Job(ctx(), account, missing); errorCode(err) != "NotFoundException" {
		t.Errorf("Job: %v", err)
	}
	if err := e.p.SetProgress(ctx(), account, missing, Progress{}); errorCode(err) != "NotFoundException" {
		t.Errorf("SetProgress: %v", err)
	}
	if err := e.p.SetGeneratedManifest(ctx(), account, missing, nil); errorCode(err) != "NotFoundException" {
		t.Errorf("SetGeneratedManifest: %v", err)
	}
	if _, err := e.p.Transition(ctx(), account, missing, Transition{From: sReady, To: sActive}); errorCode(err) != "NotFoundException" {
		t.Errorf("Transition: %v", err)
	}
	id := e.seed(t, account, sReady)
	if err := e.p.SetProgress(ctx(), account, id, Progress{Failed: -1}); err == nil {
		t.Error("negative counters were accepted")
	}
	job, err := e.p.Job(ctx(), account, id)
	if err != nil || job.Ref() != (JobRef{AccountID: account, JobID: id, Status: sReady, Priority: 10}) {
		t.Fatalf("Job = %+v, %v", job, err)
	}
}
