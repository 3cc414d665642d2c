package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// BatchRunsOpener opens a driver's store over the same data each time it is
// called with the same t, and returns it with its batch run records. The
// suite closes what it opens.
type BatchRunsOpener func(t *testing.T) (store.Store, store.BatchRuns)

// RunBatchRuns runs the behavioural suite of store.BatchRuns against a
// driver.
func RunBatchRuns(t *testing.T, open BatchRunsOpener) {
	ctx := context.Background()
	now := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	use := func(t *testing.T) store.BatchRuns {
		s, runs := open(t)
		t.Cleanup(func() { s.Close() })
		return runs
	}

	t.Run("a first claim creates an empty record leased to the claimant", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		until := now.Add(30*time.Second + 1500*time.Microsecond)
		r, err := runs.ClaimBatchRun(ctx, "111111111111", "job-1", "node-a", now, until)
		if err != nil {
			t.Fatal(err)
		}
		want := store.BatchRun{AccountID: "111111111111", JobID: "job-1", Owner: "node-a", LeaseUntil: now.Add(30*time.Second + time.Millisecond), UpdatedAt: now}
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("claim = %+v, want %+v", r, want)
		}
		got, err := runs.GetBatchRun(ctx, "111111111111", "job-1")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("GetBatchRun = %+v, %v; want %+v", got, err, want)
		}
		if got.LeaseUntil.Location() != time.UTC {
			t.Fatalf("LeaseUntil in %v, want UTC", got.LeaseUntil.Location())
		}
	})

	t.Run("another owner cannot claim a live lease but takes an expired one", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		if _, err := runs.ClaimBatchRun(ctx, "111111111111", "job-2", "node-a", now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := runs.ClaimBatchRun(ctx, "111111111111", "job-2", "node-b", now.Add(30*time.Second), now.Add(2*time.Minute)); !errors.Is(err, store.ErrBatchRunLeased) {
			t.Fatalf("claim of a live lease = %v, want ErrBatchRunLeased", err)
		}
		if _, err := runs.ClaimBatchRun(ctx, "111111111111", "job-2", "node-a", now.Add(30*time.Second), now.Add(2*time.Minute)); err != nil {
			t.Fatalf("the owner reclaiming its own lease: %v", err)
		}
		r, err := runs.ClaimBatchRun(ctx, "111111111111", "job-2", "node-b", now.Add(3*time.Minute), now.Add(4*time.Minute))
		if err != nil || r.Owner != "node-b" {
			t.Fatalf("claim of an expired lease = %+v, %v", r, err)
		}
		if err := runs.SaveBatchCheckpoint(ctx, "111111111111", "job-2", "node-a", now, now.Add(5*time.Minute), store.BatchCheckpoint{Mark: 1}); !errors.Is(err, store.ErrBatchRunLeased) {
			t.Fatalf("save by the node that lost the lease = %v, want ErrBatchRunLeased", err)
		}
	})

	t.Run("a claim keeps the checkpoint saved before it", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		if _, err := runs.ClaimBatchRun(ctx, "222222222222", "job-3", "node-a", now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		cp := store.BatchCheckpoint{Phase: "run", Mark: 1000, Position: 123456, Done: []int64{1000 + 1, 1000 + 7, 1000 + 300},
			SpoolSize: 99999, Succeeded: 950, Failed: 53}
		if err := runs.SaveBatchCheckpoint(ctx, "222222222222", "job-3", "node-a", now, now.Add(2*time.Minute), cp); err != nil {
			t.Fatal(err)
		}
		r, err := runs.ClaimBatchRun(ctx, "222222222222", "job-3", "node-a", now.Add(time.Minute), now.Add(3*time.Minute))
		if err != nil || !reflect.DeepEqual(r.Checkpoint, cp) {
			t.Fatalf("claim after a save = %+v, %v; want checkpoint %+v", r, err, cp)
		}
	})

	t.Run("a checkpoint survives reopening the store", func(t *testing.T) {
		s, runs := open(t)
		if _, err := runs.ClaimBatchRun(ctx, "111111111111", "job-4", "node-a", now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		cp := store.BatchCheckpoint{Phase: "report", Mark: 5, Position: 77, SpoolSize: 10, Succeeded: 5}
		if err := runs.SaveBatchCheckpoint(ctx, "111111111111", "job-4", "node-a", now.Add(20*time.Second), now.Add(time.Minute), cp); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, runs = open(t)
		defer s.Close()
		r, err := runs.GetBatchRun(ctx, "111111111111", "job-4")
		if err != nil || !reflect.DeepEqual(r.Checkpoint, cp) || r.Owner != "node-a" || !r.UpdatedAt.Equal(now.Add(20*time.Second)) {
			t.Fatalf("after reopening: %+v, %v", r, err)
		}
	})

	t.Run("rows done beyond the mark must be ascending", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		if _, err := runs.ClaimBatchRun(ctx, "111111111111", "job-5", "node-a", now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		for _, done := range [][]int64{{12, 11}, {9}, {11, 11}} {
			if err := runs.SaveBatchCheckpoint(ctx, "111111111111", "job-5", "node-a", now, now, store.BatchCheckpoint{Mark: 10, Done: done}); err == nil {
				t.Errorf("rows %v after mark 10 were accepted", done)
			}
		}
	})

	t.Run("saving or reading a run that does not exist fails with ErrBatchRunNotFound", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		if err := runs.SaveBatchCheckpoint(ctx, "111111111111", "nope", "node-a", now, now, store.BatchCheckpoint{}); !errors.Is(err, store.ErrBatchRunNotFound) {
			t.Fatalf("save = %v", err)
		}
		if _, err := runs.GetBatchRun(ctx, "111111111111", "nope"); !errors.Is(err, store.ErrBatchRunNotFound) {
			t.Fatalf("get = %v", err)
		}
		if err := runs.DeleteBatchRun(ctx, "111111111111", "nope"); err != nil {
			t.Fatalf("deleting a missing run = %v", err)
		}
	})

	t.Run("a deleted run is gone and can be claimed afresh", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		if _, err := runs.ClaimBatchRun(ctx, "111111111111", "job-6", "node-a", now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := runs.SaveBatchCheckpoint(ctx, "111111111111", "job-6", "node-a", now, now.Add(time.Hour), store.BatchCheckpoint{Mark: 3}); err != nil {
			t.Fatal(err)
		}
		if err := runs.DeleteBatchRun(ctx, "111111111111", "job-6"); err != nil {
			t.Fatal(err)
		}
		if _, err := runs.GetBatchRun(ctx, "111111111111", "job-6"); !errors.Is(err, store.ErrBatchRunNotFound) {
			t.Fatalf("get after delete = %v", err)
		}
		r, err := runs.ClaimBatchRun(ctx, "111111111111", "job-6", "node-b", now, now.Add(time.Hour))
		if err != nil || r.Checkpoint.Mark != 0 || r.Owner != "node-b" {
			t.Fatalf("claim after delete = %+v, %v", r, err)
		}
	})

	t.Run("runs of one account are not those of another", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		if _, err := runs.ClaimBatchRun(ctx, "111111111111", "job-7", "node-a", now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := runs.GetBatchRun(ctx, "222222222222", "job-7"); !errors.Is(err, store.ErrBatchRunNotFound) {
			t.Fatalf("other account's get = %v", err)
		}
		if _, err := runs.ClaimBatchRun(ctx, "222222222222", "job-7", "node-b", now, now.Add(time.Hour)); err != nil {
			t.Fatalf("another account's job of the same id: %v", err)
		}
	})

	t.Run("listing pages through every run in key order", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		var want []string
		for _, acct := range []string{"222222222222", "111111111111"} {
			for i := range 7 {
				id := fmt.Sprintf("job-%02d", i)
				if _, err := runs.ClaimBatchRun(ctx, acct, id, "node-a", now, now.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, acct := range []string{"111111111111", "222222222222"} {
			for i := range 7 {
				want = append(want, acct+"/"+fmt.Sprintf("job-%02d", i))
			}
		}
		var got []string
		a, j := "", ""
		for {
			page, err := runs.ListBatchRuns(ctx, a, j, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				got = append(got, r.AccountID+"/"+r.JobID)
			}
			if len(page) < 3 {
				break
			}
			a, j = page[len(page)-1].AccountID, page[len(page)-1].JobID
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("listed %v\nwant %v", got, want)
		}
	})

	t.Run("of concurrent claims by different owners exactly one wins", func(t *testing.T) {
		t.Parallel()
		runs := use(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		winners := 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := runs.ClaimBatchRun(ctx, "111111111111", "job-race", fmt.Sprintf("node-%d", i), now, now.Add(time.Hour))
				switch {
				case err == nil:
					mu.Lock()
					winners++
					mu.Unlock()
				case !errors.Is(err, store.ErrBatchRunLeased):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if winners != 1 {
			t.Fatalf("%d claims won, want 1", winners)
		}
	})
}
