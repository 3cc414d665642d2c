package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

var listStatuses = []string{"New", "Preparing", "Suspended", "Ready", "Active", "Complete", "Cancelled", "Failed"}

// listAll pages through ListJobs and returns the ids in the order seen.
func listAll(t *testing.T, jobs store.Jobs, q store.JobQuery) []string {
	t.Helper()
	var out []string
	for range 100000 {
		page, err := jobs.ListJobs(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Jobs) > q.Limit {
			t.Fatalf("page of %d jobs for limit %d", len(page.Jobs), q.Limit)
		}
		for _, s := range page.Jobs {
			out = append(out, s.ID)
		}
		if !page.More {
			return out
		}
		if len(page.Jobs) == 0 {
			t.Fatal("an empty page says more follow")
		}
		c := page.Jobs[len(page.Jobs)-1].Cursor()
		q.After = &c
	}
	t.Fatal("paging never ended")
	return nil
}

func runJobLists(t *testing.T, use func(*testing.T) store.Jobs) {
	ctx := context.Background()

	t.Run("a list is newest first with ties broken by ascending job id", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		for _, j := range []struct {
			id string
			at time.Duration
		}{{"job-b", time.Second}, {"job-c", 0}, {"job-a", time.Second}, {"job-d", 2 * time.Second}, {"job-e", 999 * time.Microsecond}} {
			mustCreate(t, jobs, newJob("111111111111", j.id, j.at))
		}
		mustCreate(t, jobs, newJob("222222222222", "job-z", 5*time.Second))
		got := listAll(t, jobs, store.JobQuery{AccountID: "111111111111", Limit: 100})
		// job-e's 0.999 ms truncates to the same millisecond as job-c.
		want := []string{"job-d", "job-a", "job-b", "job-c", "job-e"}
		if !slices.Equal(got, want) {
			t.Fatalf("list = %v, want %v", got, want)
		}
		for limit := 1; limit <= 6; limit++ {
			if got := listAll(t, jobs, store.JobQuery{AccountID: "111111111111", Limit: limit}); !slices.Equal(got, want) {
				t.Fatalf("paged by %d: %v, want %v", limit, got, want)
			}
		}
	})

	t.Run("a summary carries what a list item shows", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-sum", 0)
		job.State = store.JobState{Status: "Active", TerminatedAt: base.Add(time.Hour), ActiveSeconds: 5, ActiveSince: base.Add(time.Minute)}
		job.Progress = store.JobProgress{TotalTasks: 3, Succeeded: 2, Failed: 1}
		job.Priority = 99
		mustCreate(t, jobs, job)
		page, err := jobs.ListJobs(ctx, store.JobQuery{AccountID: "111111111111", Limit: 1})
		if err != nil || len(page.Jobs) != 1 || page.More {
			t.Fatalf("ListJobs = %+v, %v", page, err)
		}
		want := store.JobSummary{ID: "job-sum", Operation: job.Operation, Description: job.Description, Priority: 99,
			Status: "Active", CreatedAt: base, TerminatedAt: base.Add(time.Hour), Progress: job.Progress,
			ActiveSeconds: 5, ActiveSince: base.Add(time.Minute)}
		if page.Jobs[0] != want {
			t.Fatalf("summary = %+v, want %+v", page.Jobs[0], want)
		}
	})

	t.Run("a list shows every change of status, priority and progress", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		job := newJob("111111111111", "job-changing", 0)
		job.Description = "100% \x1f and \x1e, %1E and %25 as written"
		mustCreate(t, jobs, job)
		older := newJob("111111111111", "job-older", -time.Second)
		older.Description = "\x1e\x1f%"
		mustCreate(t, jobs, older)
		next := store.JobState{Status: "Active", ActiveSeconds: 3, ActiveSince: base.Add(time.Minute)}
		if _, err := jobs.UpdateJobState(ctx, job.AccountID, job.ID, store.StatusVersion{Status: "New", Seq: 1}, next); err != nil {
			t.Fatal(err)
		}
		if _, err := jobs.SetJobPriority(ctx, job.AccountID, job.ID, 5); err != nil {
			t.Fatal(err)
		}
		p := store.JobProgress{TotalTasks: 10, Succeeded: 4, Failed: 1}
		if err := jobs.SetJobProgress(ctx, job.AccountID, job.ID, p); err != nil {
			t.Fatal(err)
		}
		want := store.JobSummary{ID: job.ID, Operation: job.Operation, Description: job.Description, Priority: 5,
			Status: "Active", CreatedAt: base, Progress: p, ActiveSeconds: 3, ActiveSince: base.Add(time.Minute)}
		for _, statuses := range [][]string{nil, {"Active", "New"}} {
			page, err := jobs.ListJobs(ctx, store.JobQuery{AccountID: job.AccountID, Statuses: statuses, Limit: 10})
			if err != nil || len(page.Jobs) != 2 || page.Jobs[0] != want || page.Jobs[1].Description != older.Description {
				t.Fatalf("filter %v: ListJobs = %+v, %v; want %+v and the older job", statuses, page.Jobs, err, want)
			}
		}
		done := store.JobState{Status: "Complete", ActiveSeconds: 9, TerminatedAt: base.Add(time.Hour)}
		if _, err := jobs.UpdateJobState(ctx, job.AccountID, job.ID, store.StatusVersion{Status: "Active", Seq: 2}, done); err != nil {
			t.Fatal(err)
		}
		want.Status, want.ActiveSeconds, want.ActiveSince, want.TerminatedAt = "Complete", 9, time.Time{}, base.Add(time.Hour)
		page, err := jobs.ListJobs(ctx, store.JobQuery{AccountID: job.AccountID, Statuses: []string{"Complete"}, Limit: 10})
		if err != nil || len(page.Jobs) != 1 || page.Jobs[0] != want {
			t.Fatalf("after completion ListJobs = %+v, %v; want %+v", page.Jobs, err, want)
		}
		if page, _ := jobs.ListJobs(ctx, store.JobQuery{AccountID: job.AccountID, Statuses: []string{"Active"}, Limit: 10}); len(page.Jobs) != 0 {
			t.Fatalf("the job is still listed as Active: %+v", page.Jobs)
		}
	})

	t.Run("a status filter keeps the order and ignores repeated statuses", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		var want []string
		for i := range 30 {
			job := newJob("111111111111", fmt.Sprintf("job-%02d", i), time.Duration(30-i)*time.Millisecond)
			job.State.Status = listStatuses[i%3]
			if i%3 != 1 {
				want = append(want, job.ID)
			}
			mustCreate(t, jobs, job)
		}
		for _, limit := range []int{1, 4, 20, 1000} {
			got := listAll(t, jobs, store.JobQuery{AccountID: "111111111111", Statuses: []string{"Suspended", "New", "Suspended"}, Limit: limit})
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d: %v, want %v", limit, got, want)
			}
		}
	})

	t.Run("More is false when the page ends exactly at the last job", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		for i := range 4 {
			mustCreate(t, jobs, newJob("111111111111", fmt.Sprint("job-", i), time.Duration(i)*time.Second))
		}
		page, err := jobs.ListJobs(ctx, store.JobQuery{AccountID: "111111111111", Limit: 4})
		if err != nil || len(page.Jobs) != 4 || page.More {
			t.Fatalf("ListJobs = %d jobs, more %v, %v", len(page.Jobs), page.More, err)
		}
		page, _ = jobs.ListJobs(ctx, store.JobQuery{AccountID: "111111111111", Limit: 3})
		if len(page.Jobs) != 3 || !page.More {
			t.Fatalf("limit 3: %d jobs, more %v", len(page.Jobs), page.More)
		}
	})

	t.Run("jobs terminated at or before TerminatedAfter are hidden", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		for i, end := range []time.Duration{0, time.Hour, 2 * time.Hour, -1} {
			job := newJob("111111111111", fmt.Sprint("job-", i), time.Duration(-i)*time.Second)
			job.State.Status = "Complete"
			if end >= 0 {
				job.State.TerminatedAt = base.Add(end)
			} else {
				job.State.Status = "Active"
			}
			mustCreate(t, jobs, job)
		}
		got := listAll(t, jobs, store.JobQuery{AccountID: "111111111111", TerminatedAfter: base.Add(time.Hour), Limit: 1})
		if want := []string{"job-2", "job-3"}; !slices.Equal(got, want) {
			t.Fatalf("list = %v, want %v", got, want)
		}
		got = listAll(t, jobs, store.JobQuery{AccountID: "111111111111", Statuses: []string{"Complete"}, TerminatedAfter: base.Add(time.Hour), Limit: 1})
		if want := []string{"job-2"}; !slices.Equal(got, want) {
			t.Fatalf("filtered list = %v, want %v", got, want)
		}
	})

	t.Run("a page size below one is an invalid query", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		if _, err := jobs.ListJobs(ctx, store.JobQuery{AccountID: "111111111111"}); !errors.Is(err, store.ErrInvalidQuery) {
			t.Fatalf("ListJobs with limit 0 = %v, want ErrInvalidQuery", err)
		}
	})

	t.Run("random filters and page sizes while jobs are created return every earlier job once", func(t *testing.T) {
		t.Parallel()
		jobs := use(t)
		rng := rand.New(rand.NewPCG(1, 2))
		const account = "333333333333"
		status := map[string]string{}
		for i := range 400 {
			// Few distinct milliseconds, so that ties on creation time are common.
			job := newJob(account, fmt.Sprintf("job-%04d-%x", i, rng.Uint32()), time.Duration(rng.IntN(40))*time.Millisecond)
			job.State.Status = listStatuses[rng.IntN(len(listStatuses))]
			status[job.ID] = job.State.Status
			mustCreate(t, jobs, job)
		}
		for round := range 25 {
			var filter []string
			for _, s := range listStatuses {
				if rng.IntN(3) == 0 {
					filter = append(filter, s)
				}
			}
			want := map[string]bool{}
			for id, s := range status {
				if len(filter) == 0 || slices.Contains(filter, s) {
					want[id] = true
				}
			}
			// Jobs created while paging, some in the past and some in the
			// future of the cursor.
			var wg sync.WaitGroup
			extra := make(chan *store.Job, 50)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					job := newJob(account, fmt.Sprintf("new-%02d-%02d", round, i), time.Duration(rand.IntN(60))*time.Millisecond)
					job.State.Status = listStatuses[i%len(listStatuses)]
					if _, _, err := jobs.CreateJob(ctx, job, nil, idem(job.ID, "h")); err != nil {
						t.Error(err)
						return
					}
					extra <- job
				}
			}()
			got := listAll(t, jobs, store.JobQuery{AccountID: account, Statuses: filter, Limit: 1 + rng.IntN(60)})
			wg.Wait()
			close(extra)
			created := map[string]string{}
			for job := range extra {
				created[job.ID] = job.State.Status
			}
			seen := map[string]bool{}
			for _, id := range got {
				if seen[id] {
					t.Fatalf("round %d: %s listed twice", round, id)
				}
				seen[id] = true
				if s, ok := created[id]; !want[id] && (!ok || len(filter) > 0 && !slices.Contains(filter, s)) {
					t.Fatalf("round %d: %s listed but not selected by filter %v", round, id, filter)
				}
			}
			for id := range want {
				if !seen[id] {
					t.Fatalf("round %d: %s (%s) missing with filter %v", round, id, status[id], filter)
				}
			}
			// The jobs created during this round join the population, so
			// that later rounds page over them too.
			for id, s := range created {
				status[id] = s
			}
		}
	})
}
