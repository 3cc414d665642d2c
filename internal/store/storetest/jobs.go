package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// JobsOpener opens a driver's store over the same data each time it is
// called with the same t, and returns it with its jobs store. The suite
// closes what it opens.
type JobsOpener func(t *testing.T) (store.Store, store.Jobs)

// base is the time the suite's jobs are created around.
var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// newJob returns a job in status New created at base+offset.
func newJob(account, id string, offset time.Duration) *store.Job {
	return &store.Job{
		AccountID: account, ID: id,
		ARN:       "arn:aws:s3:us-east-1:" + account + ":job/" + id,
		Operation: "S3PutObjectTagging", Description: "job " + id,
		CreatedAt: base.Add(offset), Priority: 10,
		State: store.JobState{Status: "New"},
		Spec:  []byte(`{"spec":"` + id + `"}`),
	}
}

func idem(token, hash string) store.Idempotency {
	return store.Idempotency{Token: token, RequestHash: []byte(hash)}
}

// mustCreate stores job under a token of its own.
func mustCreate(t *testing.T, jobs store.Jobs, job *store.Job) {
	t.Helper()
	if _, created, err := jobs.CreateJob(context.Background(), job, nil, idem("token-"+job.ID, "h")); err != nil || !created {
		t.Fatalf("CreateJob(%s) = %v, %v", job.ID, created, err)
	}
}

// RunJobs runs the jobs suite against a driver.
func RunJobs(t *testing.T, open JobsOpener) {
	ctx := context.Background()
	use := func(t *testing.T) store.Jobs {
		s, jobs := open(t)
		t.Cleanup(func() { s.Close() })
		return jobs
	}

	t.Run("a created job reads back field for field, with millisecond times", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-roundtrip", 0)
		job.CreatedAt = base.Add(1234567 * time.Nanosecond) // 1.234567 ms
		job.State = store.JobState{
			Status: "Suspended", StatusUpdateReason: "why", SuspendedAt: base.Add(time.Second), SuspendedCause: "cause",
			FailureReasons: []store.JobFailure{{Code: "C", Reason: "r"}}, ActiveSeconds: 7,
		}
		job.Progress = store.JobProgress{TotalTasks: 9, Succeeded: 3, Failed: 2}
		job.GeneratedManifest = []byte("generated")
		mustCreate(t, jobs, job)
		got, err := jobs.GetJob(ctx, job.AccountID, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *job
		want.CreatedAt = base.Add(time.Millisecond)
		want.StatusSeq = 1
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("GetJob =\n%+v\nwant\n%+v", *got, want)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Fatalf("CreatedAt in %v, want UTC", got.CreatedAt.Location())
		}
	})

	t.Run("unset times, reasons and documents read back as zero values", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-zero", 0)
		job.Description = ""
		mustCreate(t, jobs, job)
		got, err := jobs.GetJob(ctx, job.AccountID, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		st := got.State
		if !st.SuspendedAt.IsZero() || !st.TerminatedAt.IsZero() || !st.ActiveSince.IsZero() ||
			st.FailureReasons != nil || got.GeneratedManifest != nil || got.Description != "" {
			t.Fatalf("GetJob = %+v, want unset fields unset", got)
		}
	})

	t.Run("a job is invisible to other accounts and unknown ids are not found", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		mustCreate(t, jobs, newJob("111111111111", "job-mine", 0))
		for _, k := range []store.JobKey{{AccountID: "222222222222", ID: "job-mine"}, {AccountID: "111111111111", ID: "job-none"}} {
			if _, err := jobs.GetJob(ctx, k.AccountID, k.ID); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("GetJob(%v) = %v, want ErrJobNotFound", k, err)
			}
			if _, err := jobs.SetJobPriority(ctx, k.AccountID, k.ID, 1); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("SetJobPriority(%v) = %v, want ErrJobNotFound", k, err)
			}
			if err := jobs.SetJobProgress(ctx, k.AccountID, k.ID, store.JobProgress{}); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("SetJobProgress(%v) = %v, want ErrJobNotFound", k, err)
			}
			if err := jobs.SetGeneratedManifest(ctx, k.AccountID, k.ID, nil); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("SetGeneratedManifest(%v) = %v, want ErrJobNotFound", k, err)
			}
			if _, err := jobs.UpdateJobState(ctx, k.AccountID, k.ID, store.StatusVersion{Status: "New", Seq: 1}, store.JobState{Status: "Preparing"}); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("UpdateJobState(%v) = %v, want ErrJobNotFound", k, err)
			}
			if _, err := jobs.JobTags(ctx, k.AccountID, k.ID); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("JobTags(%v) = %v, want ErrJobNotFound", k, err)
			}
			if err := jobs.ReplaceJobTags(ctx, k.AccountID, k.ID, nil); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("ReplaceJobTags(%v) = %v, want ErrJobNotFound", k, err)
			}
			if err := jobs.MergeJobTags(ctx, k.AccountID, k.ID, nil, 50); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("MergeJobTags(%v) = %v, want ErrJobNotFound", k, err)
			}
			if err := jobs.RemoveJobTags(ctx, k.AccountID, k.ID, nil); !errors.Is(err, store.ErrJobNotFound) {
				t.Errorf("RemoveJobTags(%v) = %v, want ErrJobNotFound", k, err)
			}
		}
	})

	t.Run("the same id twice in one account is ErrJobExists, in two accounts two jobs", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		mustCreate(t, jobs, newJob("111111111111", "job-dup", 0))
		if _, _, err := jobs.CreateJob(ctx, newJob("111111111111", "job-dup", 0), nil, idem("other-token", "h")); !errors.Is(err, store.ErrJobExists) {
			t.Fatalf("second CreateJob = %v, want ErrJobExists", err)
		}
		mustCreate(t, jobs, newJob("222222222222", "job-dup", 0))
		// The refused create must not have kept its token.
		if id, created, err := jobs.CreateJob(ctx, newJob("111111111111", "job-dup-2", 0), nil, idem("other-token", "h")); err != nil || !created || id != "job-dup-2" {
			t.Fatalf("CreateJob with the refused token = %q, %v, %v; want a new job", id, created, err)
		}
	})

	t.Run("a replayed token returns the first job, a reused one is refused, per account", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		if _, _, err := jobs.CreateJob(ctx, newJob("111111111111", "job-a", 0), nil, idem("tok", "hash-1")); err != nil {
			t.Fatal(err)
		}
		id, created, err := jobs.CreateJob(ctx, newJob("111111111111", "job-b", 0), nil, idem("tok", "hash-1"))
		if err != nil || created || id != "job-a" {
			t.Fatalf("replay = %q, %v, %v; want job-a, not created", id, created, err)
		}
		if _, err := jobs.GetJob(ctx, "111111111111", "job-b"); !errors.Is(err, store.ErrJobNotFound) {
			t.Fatalf("the replay stored a second job: %v", err)
		}
		if _, _, err := jobs.CreateJob(ctx, newJob("111111111111", "job-c", 0), nil, idem("tok", "hash-2")); !errors.Is(err, store.ErrIdempotencyMismatch) {
			t.Fatalf("reuse = %v, want ErrIdempotencyMismatch", err)
		}
		if id, created, err := jobs.CreateJob(ctx, newJob("222222222222", "job-d", 0), nil, idem("tok", "hash-2")); err != nil || !created || id != "job-d" {
			t.Fatalf("same token in another account = %q, %v, %v; want a new job", id, created, err)
		}
	})

	t.Run("concurrent creates with one token create exactly one job", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		const n = 16
		var wg sync.WaitGroup
		var createdCount atomic.Int32
		ids := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, created, err := jobs.CreateJob(ctx, newJob("111111111111", fmt.Sprintf("job-race-%02d", i), 0), nil, idem("race", "same"))
				if err != nil {
					t.Error(err)
					return
				}
				if created {
					createdCount.Add(1)
				}
				ids[i] = id
			}()
		}
		wg.Wait()
		if createdCount.Load() != 1 {
			t.Fatalf("%d creates succeeded, want 1", createdCount.Load())
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("callers got different ids: %v", ids)
			}
		}
	})

	t.Run("a state change applies only from the status and sequence read", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-cas", 0)
		mustCreate(t, jobs, job)
		next := store.JobState{Status: "Suspended", SuspendedAt: base.Add(time.Minute), SuspendedCause: "c", StatusUpdateReason: "r"}
		got, err := jobs.UpdateJobState(ctx, job.AccountID, job.ID, store.StatusVersion{Status: "New", Seq: 1}, next)
		if err != nil {
			t.Fatal(err)
		}
		if got.StatusSeq != 2 || !reflect.DeepEqual(got.State, next) {
			t.Fatalf("after the change: seq %d, state %+v; want 2, %+v", got.StatusSeq, got.State, next)
		}
		for _, stale := range []store.StatusVersion{{Status: "New", Seq: 1}, {Status: "Suspended", Seq: 1}, {Status: "New", Seq: 2}} {
			if _, err := jobs.UpdateJobState(ctx, job.AccountID, job.ID, stale, store.JobState{Status: "Ready"}); !errors.Is(err, store.ErrStatusConflict) {
				t.Errorf("change from stale %v = %v, want ErrStatusConflict", stale, err)
			}
		}
		again, _ := jobs.GetJob(ctx, job.AccountID, job.ID)
		if again.State.Status != "Suspended" || again.StatusSeq != 2 {
			t.Fatalf("a refused change altered the job: %+v", again)
		}
	})

	t.Run("of concurrent changes from one version exactly one wins", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-cas-race", 0)
		mustCreate(t, jobs, job)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := jobs.UpdateJobState(ctx, job.AccountID, job.ID, store.StatusVersion{Status: "New", Seq: 1},
					store.JobState{Status: fmt.Sprintf("S%d", i)})
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, store.ErrStatusConflict):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d changes won, want 1", wins.Load())
		}
	})

	t.Run("priority, progress and the generated manifest are set without touching the status", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-fields", 0)
		mustCreate(t, jobs, job)
		got, err := jobs.SetJobPriority(ctx, job.AccountID, job.ID, 2147483647)
		if err != nil || got.Priority != 2147483647 {
			t.Fatalf("SetJobPriority = %+v, %v", got, err)
		}
		p := store.JobProgress{TotalTasks: 100, Succeeded: 60, Failed: 40}
		if err := jobs.SetJobProgress(ctx, job.AccountID, job.ID, p); err != nil {
			t.Fatal(err)
		}
		if err := jobs.SetGeneratedManifest(ctx, job.AccountID, job.ID, []byte("desc")); err != nil {
			t.Fatal(err)
		}
		got, _ = jobs.GetJob(ctx, job.AccountID, job.ID)
		if got.Progress != p || string(got.GeneratedManifest) != "desc" || got.State.Status != "New" || got.StatusSeq != 1 {
			t.Fatalf("GetJob = %+v", got)
		}
	})

	runJobTags(t, use)
	runJobLists(t, use)
	runJobLifecycle(t, use)

	t.Run("everything acknowledged is there after reopening", func(t *testing.T) {
		s, jobs := open(t)
		job := newJob("111111111111", "job-durable", 0)
		mustCreate(t, jobs, job)
		if _, err := jobs.UpdateJobState(ctx, job.AccountID, job.ID, store.StatusVersion{Status: "New", Seq: 1}, store.JobState{Status: "Preparing"}); err != nil {
			t.Fatal(err)
		}
		if err := jobs.ReplaceJobTags(ctx, job.AccountID, job.ID, []store.Tag{{Key: "k", Value: "v"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := jobs.SetJobPriority(ctx, job.AccountID, job.ID, 77); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s, jobs = open(t)
		defer s.Close()
		got, err := jobs.GetJob(ctx, job.AccountID, job.ID)
		if err != nil || got.State.Status != "Preparing" || got.Priority != 77 || got.StatusSeq != 2 {
			t.Fatalf("after reopen GetJob = %+v, %v", got, err)
		}
		tags, err := jobs.JobTags(ctx, job.AccountID, job.ID)
		if err != nil || !reflect.DeepEqual(tags, []store.Tag{{Key: "k", Value: "v"}}) {
			t.Fatalf("after reopen JobTags = %v, %v", tags, err)
		}
		if id, created, err := jobs.CreateJob(ctx, newJob("111111111111", "job-other", 0), nil, idem("token-job-durable", "h")); err != nil || created || id != job.ID {
			t.Fatalf("after reopen the token maps to %q, %v, %v; want %s", id, created, err, job.ID)
		}
	})
}

func runJobTags(t *testing.T, use func(*testing.T) store.Jobs) {
	ctx := context.Background()
	t.Run("tags are replaced whole, merged in place and removed by key", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-tags", 0)
		mustCreate(t, jobs, job)
		check := func(step string, want []store.Tag) {
			t.Helper()
			got, err := jobs.JobTags(ctx, job.AccountID, job.ID)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: JobTags = %v, %v; want %v", step, got, err, want)
			}
		}
		check("new job", []store.Tag{})
		tagged := newJob("111111111111", "job-tagged", 0)
		initial := []store.Tag{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}}
		if _, _, err := jobs.CreateJob(ctx, tagged, initial, idem("tagged", "h")); err != nil {
			t.Fatal(err)
		}
		if got, err := jobs.JobTags(ctx, tagged.AccountID, tagged.ID); err != nil || !reflect.DeepEqual(got, initial) {
			t.Fatalf("tags given at creation = %v, %v; want %v", got, err, initial)
		}
		if err := jobs.ReplaceJobTags(ctx, job.AccountID, job.ID, []store.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: ""}}); err != nil {
			t.Fatal(err)
		}
		check("replace", []store.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: ""}})
		if err := jobs.MergeJobTags(ctx, job.AccountID, job.ID, []store.Tag{{Key: "c", Value: "3"}, {Key: "a", Value: "one"}}, 3); err != nil {
			t.Fatal(err)
		}
		check("merge", []store.Tag{{Key: "a", Value: "one"}, {Key: "b", Value: ""}, {Key: "c", Value: "3"}})
		if err := jobs.MergeJobTags(ctx, job.AccountID, job.ID, []store.Tag{{Key: "a", Value: "x"}, {Key: "d", Value: "4"}}, 3); !errors.Is(err, store.ErrTooManyTags) {
			t.Fatalf("merge past the limit = %v, want ErrTooManyTags", err)
		}
		check("refused merge", []store.Tag{{Key: "a", Value: "one"}, {Key: "b", Value: ""}, {Key: "c", Value: "3"}})
		if err := jobs.RemoveJobTags(ctx, job.AccountID, job.ID, []string{"b", "zzz"}); err != nil {
			t.Fatal(err)
		}
		check("remove", []store.Tag{{Key: "a", Value: "one"}, {Key: "c", Value: "3"}})
		if err := jobs.ReplaceJobTags(ctx, job.AccountID, job.ID, nil); err != nil {
			t.Fatal(err)
		}
		check("replace with nothing", []store.Tag{})
	})

	t.Run("concurrent merges all apply", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-tag-race", 0)
		mustCreate(t, jobs, job)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := jobs.MergeJobTags(ctx, job.AccountID, job.ID, []store.Tag{{Key: fmt.Sprint("k", i), Value: "v"}}, 50); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got, _ := jobs.JobTags(ctx, job.AccountID, job.ID); len(got) != 20 {
			t.Fatalf("%d tags after 20 concurrent merges: %v", len(got), got)
		}
	})
}

func runJobLifecycle(t *testing.T, use func(*testing.T) store.Jobs) {
	ctx := context.Background()
	t.Run("suspended jobs are found by age, oldest first", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		for i, at := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour} {
			job := newJob(fmt.Sprint(111111111111+i), fmt.Sprint("job-susp-", i), 0)
			job.State = store.JobState{Status: "Suspended", SuspendedAt: base.Add(at)}
			mustCreate(t, jobs, job)
		}
		ready := newJob("111111111111", "job-was-suspended", 0)
		ready.State = store.JobState{Status: "Ready", SuspendedAt: base}
		mustCreate(t, jobs, ready)
		got, err := jobs.SuspendedBefore(ctx, base.Add(3*time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "job-susp-1" || got[1].ID != "job-susp-2" {
			t.Fatalf("SuspendedBefore = %v, want job-susp-1, job-susp-2", ids(got))
		}
		if got, _ := jobs.SuspendedBefore(ctx, base.Add(3*time.Hour), 1); len(got) != 1 {
			t.Fatalf("limit 1 returned %d jobs", len(got))
		}
	})

	t.Run("a scan walks every account's jobs of the given statuses in key order", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		want := []string{}
		for a := range 3 {
			for i := range 4 {
				job := newJob(fmt.Sprint(111111111111+a), fmt.Sprintf("job-scan-%d", i), 0)
				if i%2 == 0 {
					job.State.Status = "Ready"
					want = append(want, job.AccountID+"/"+job.ID)
				}
				mustCreate(t, jobs, job)
			}
		}
		var got []string
		var after store.JobKey
		for {
			page, err := jobs.ScanJobs(ctx, []string{"Ready", "Active"}, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range page {
				got = append(got, j.AccountID+"/"+j.ID)
			}
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].Key()
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scan = %v, want %v", got, want)
		}
	})

	t.Run("purging removes terminated jobs with their tags and tokens, and nothing else", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		old := newJob("111111111111", "job-old", 0)
		old.State = store.JobState{Status: "Complete", TerminatedAt: base}
		recent := newJob("111111111111", "job-recent", 0)
		recent.State = store.JobState{Status: "Failed", TerminatedAt: base.Add(time.Hour)}
		live := newJob("111111111111", "job-live", 0)
		for _, j := range []*store.Job{old, recent, live} {
			mustCreate(t, jobs, j)
		}
		if err := jobs.ReplaceJobTags(ctx, old.AccountID, old.ID, []store.Tag{{Key: "k", Value: "v"}}); err != nil {
			t.Fatal(err)
		}
		n, err := jobs.PurgeJobs(ctx, base.Add(time.Minute), 100)
		if err != nil || n != 1 {
			t.Fatalf("PurgeJobs = %d, %v; want 1", n, err)
		}
		if _, err := jobs.GetJob(ctx, old.AccountID, old.ID); !errors.Is(err, store.ErrJobNotFound) {
			t.Fatalf("purged job still there: %v", err)
		}
		if _, err := jobs.JobTags(ctx, old.AccountID, old.ID); !errors.Is(err, store.ErrJobNotFound) {
			t.Fatalf("purged job's tags still there: %v", err)
		}
		for _, j := range []*store.Job{recent, live} {
			if _, err := jobs.GetJob(ctx, j.AccountID, j.ID); err != nil {
				t.Fatalf("%s was purged: %v", j.ID, err)
			}
		}
		// The token of the purged job is free again.
		if id, created, err := jobs.CreateJob(ctx, newJob("111111111111", "job-new", 0), nil, idem("token-job-old", "other")); err != nil || !created || id != "job-new" {
			t.Fatalf("reusing a purged job's token = %q, %v, %v", id, created, err)
		}
		if n, err := jobs.PurgeJobs(ctx, base.Add(2*time.Hour), 100); err != nil || n != 1 {
			t.Fatalf("second PurgeJobs = %d, %v; want 1", n, err)
		}
	})
}

func ids(jobs []store.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}
