package s3control

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
)

func list(e *env, accountID string, statuses []api.JobStatus, max *int32, token *string) (*api.ListJobsResult, error) {
	return e.p.ListJobs(ctx(), &api.ListJobsRequest{AccountId: ptr(accountID), JobStatuses: statuses, MaxResults: max, NextToken: token})
}

// listAll pages through ListJobs and returns the ids in the order seen.
func listAll(t *testing.T, e *env, accountID string, statuses []api.JobStatus, pageSize func() *int32) []string {
	t.Helper()
	var ids []string
	var token *string
	for range 10000 {
		out, err := list(e, accountID, statuses, pageSize(), token)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range out.Jobs {
			ids = append(ids, *j.JobId)
		}
		if out.NextToken == nil {
			return ids
		}
		token = out.NextToken
	}
	t.Fatal("paging never ended")
	return nil
}

func fixed(n int32) func() *int32 { return func() *int32 { return &n } }

func TestListJobsIsNewestFirstWithTiesByJobId(t *testing.T) {
	e := newEnv(t, false)
	type seeded struct {
		id string
		ms int
	}
	var jobs []seeded
	for i := range 12 {
		// Pairs of jobs share a millisecond.
		if i%2 == 0 {
			e.clock.Advance(time.Millisecond)
		}
		jobs = append(jobs, seeded{e.seed(t, account, allStatuses[i]), i / 2})
	}
	slices.SortFunc(jobs, func(a, b seeded) int {
		if a.ms != b.ms {
			return b.ms - a.ms
		}
		return strings.Compare(a.id, b.id)
	})
	var want []string
	for _, j := range jobs {
		want = append(want, j.id)
	}
	e.seed(t, other, sReady)
	got := listAll(t, e, account, nil, fixed(5))
	if !slices.Equal(got, want) {
		t.Fatalf("order\n%v\nwant\n%v", got, want)
	}
}

func TestAListItemShowsWhatAWSShows(t *testing.T) {
	e := newEnv(t, false)
	in := createRequest()
	in.Description = ptr("described")
	id := e.create(t, in)
	e.clock.Advance(time.Millisecond)
	done := e.seed(t, account, sComplete)
	out, err := list(e, account, nil, nil, nil)
	if err != nil || len(out.Jobs) != 2 {
		t.Fatalf("ListJobs = %+v, %v", out, err)
	}
	j := out.Jobs[1]
	if *j.JobId != id || *j.Description != "described" || *j.Operation != api.OperationNameS3PutObjectTagging ||
		*j.Priority != 10 || *j.Status != sNew || !j.CreationTime.Equal(t0.Truncate(time.Millisecond)) || j.TerminationDate != nil ||
		*j.ProgressSummary.TotalNumberOfTasks != 0 || *j.ProgressSummary.Timers.ElapsedTimeInActiveSeconds != 0 {
		t.Fatalf("item %+v", j)
	}
	if d := out.Jobs[0]; *d.JobId != done || d.TerminationDate == nil || d.Description != nil {
		t.Fatalf("terminated item %+v", d)
	}
}

func TestMaxResultsAbsentOrZeroMeansAThousand(t *testing.T) {
	e := newEnv(t, false)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 251 {
				e.seed(t, account, sReady)
			}
		}()
	}
	wg.Wait()
	tests := []struct {
		name string
		max  *int32
		want int
	}{
		{"absent", nil, 1000},
		{"zero", ptr(int32(0)), 1000},
		{"one", ptr(int32(1)), 1},
		{"the model's maximum", ptr(int32(1000)), 1000},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s gives a page of %d", tt.name, tt.want), func(t *testing.T) {
			out, err := list(e, account, nil, tt.max, nil)
			if err != nil || len(out.Jobs) != tt.want || out.NextToken == nil {
				t.Fatalf("%d jobs, token %v, %v", len(out.Jobs), out.NextToken, err)
			}
		})
	}
}

func TestANextTokenIsBoundToTheAccountAndTheFilter(t *testing.T) {
	e := newEnv(t, false)
	for _, s := range []api.JobStatus{sReady, sReady, sReady, sSuspended, sSuspended, sSuspended} {
		e.seed(t, account, s)
		e.seed(t, other, s)
	}
	first, err := list(e, account, []api.JobStatus{sSuspended, sReady}, ptr(int32(2)), nil)
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	token := *first.NextToken
	altered := []byte(token)
	altered[len(altered)/2] ^= 1
	if altered[len(altered)/2] == '_' || altered[len(altered)/2] == '-' {
		altered[len(altered)/2] = 'A'
	}
	invalid := []struct {
		name     string
		account  string
		statuses []api.JobStatus
		token    string
	}{
		{"a forged token", account, []api.JobStatus{sReady, sSuspended}, "bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtYXQtYWxs"},
		{"an altered token", account, []api.JobStatus{sReady, sSuspended}, string(altered)},
		{"a truncated token", account, []api.JobStatus{sReady, sSuspended}, token[:len(token)-3]},
		{"another account's token", other, []api.JobStatus{sReady, sSuspended}, token},
		{"another filter's token", account, []api.JobStatus{sReady}, token},
		{"a filtered token without the filter", account, nil, token},
		{"a token that is not base64", account, []api.JobStatus{sReady, sSuspended}, "%%%"},
	}
	for _, tt := range invalid {
		t.Run(tt.name+" is an InvalidNextTokenException", func(t *testing.T) {
			_, err := list(e, tt.account, tt.statuses, nil, &tt.token)
			if code := errorCode(err); code != "InvalidNextTokenException" {
				t.Fatalf("error %q, want InvalidNextTokenException", code)
			}
		})
	}
	t.Run("the same filter in another order, repeated, and another page size is fine", func(t *testing.T) {
		out, err := list(e, account, []api.JobStatus{sReady, sSuspended, sReady}, ptr(int32(10)), &token)
		if err != nil || len(out.Jobs) != 4 || out.NextToken != nil {
			t.Fatalf("second page: %d jobs, token %v, %v", len(out.Jobs), out.NextToken, err)
		}
	})
	t.Run("a token stays valid after a restart", func(t *testing.T) {
		e.reopen(t, false)
		out, err := list(e, account, []api.JobStatus{sSuspended, sReady}, nil, &token)
		if err != nil || len(out.Jobs) != 4 {
			t.Fatalf("after restart: %d jobs, %v", len(out.Jobs), err)
		}
	})
}

// TestRandomPagingWhileJobsAreCreatedReturnsEveryEarlierJobOnce is the
// issue's randomized pagination test: many jobs in many statuses, random
// filters and page sizes, jobs created while paging; the pages' union is the
// jobs that existed at the first page and match the filter (plus, possibly,
// some of the new ones that match), with no duplicates.
func TestRandomPagingWhileJobsAreCreatedReturnsEveryEarlierJobOnce(t *testing.T) {
	e := newEnv(t, false)
	rng := rand.New(rand.NewPCG(7, 11))
	status := map[string]api.JobStatus{}
	for range 700 {
		if rng.IntN(3) == 0 {
			e.clock.Advance(time.Duration(rng.IntN(3)) * time.Millisecond)
		}
		s := allStatuses[rng.IntN(len(allStatuses))]
		status[e.seed(t, account, s)] = s
	}
	for range 50 {
		e.seed(t, other, sReady)
	}
	for round := range 30 {
		var filter []api.JobStatus
		if rng.IntN(4) != 0 {
			for _, s := range allStatuses {
				if rng.IntN(4) == 0 {
					filter = append(filter, s)
				}
			}
		}
		matches := func(s api.JobStatus) bool { return len(filter) == 0 || slices.Contains(filter, s) }
		want := map[string]bool{}
		for id, s := range status {
			if matches(s) {
				want[id] = true
			}
		}
		sizes := []func() *int32{
			func() *int32 { return ptr(int32(1 + rng.IntN(40))) },
			func() *int32 { return nil },
			func() *int32 { return ptr(int32(rng.IntN(3))) },
		}
		size := sizes[rng.IntN(len(sizes))]
		var mu sync.Mutex
		pageSize := func() *int32 { mu.Lock(); defer mu.Unlock(); return size() }

		// Concurrent creators: through CreateJob (New jobs) and through the
		// store (any status), some within the same millisecond as the
		// cursor, some after the clock moved.
		created := map[string]api.JobStatus{}
		var cmu sync.Mutex
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					var id string
					s := sNew
					if w == 0 {
						out, err := e.p.CreateJob(ctx(), createRequest())
						if err != nil {
							t.Error(err)
							return
						}
						id = *out.JobId
					} else {
						s = allStatuses[i%len(allStatuses)]
						id = e.seed(t, account, s)
					}
					cmu.Lock()
					created[id] = s
					cmu.Unlock()
					if i%5 == 0 {
						e.clock.Advance(time.Millisecond)
					}
				}
			}()
		}
		got := listAll(t, e, account, filter, pageSize)
		close(stop)
		wg.Wait()

		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("round %d (filter %v): %s listed twice", round, filter, id)
			}
			seen[id] = true
			if want[id] {
				continue
			}
			if s, ok := created[id]; !ok || !matches(s) {
				t.Fatalf("round %d (filter %v): %s listed, but it is neither an earlier job nor a new one of the filter", round, filter, id)
			}
		}
		for id := range want {
			if !seen[id] {
				t.Fatalf("round %d (filter %v): %s (%s) is missing", round, filter, id, status[id])
			}
		}
		for id, s := range created {
			status[id] = s
		}
	}
}

func TestListJobsShowsOnlyTheCallersJobs(t *testing.T) {
	e := newEnv(t, false)
	mine := e.seed(t, account, sReady)
	e.seed(t, other, sReady)
	out, err := list(e, account, nil, nil, nil)
	if err != nil || len(out.Jobs) != 1 || *out.Jobs[0].JobId != mine {
		t.Fatalf("ListJobs = %+v, %v", out, err)
	}
	_, err = e.p.DescribeJob(context.Background(), &api.DescribeJobRequest{AccountId: ptr(other), JobId: ptr(mine)})
	if code := errorCode(err); code != "NotFoundException" {
		t.Fatalf("another account's DescribeJob: %q, want NotFoundException", code)
	}
}
