package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// SnowballDB is a store driver that implements the Snowball API's store.
type SnowballDB interface {
	store.Store
	store.SnowballStore
}

// SnowballOpener opens a driver over the same data each time it is called
// with the same t.
type SnowballOpener func(t *testing.T) SnowballDB

var sbBase = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func sbJob(account, id string, at time.Time) store.SnowballJob {
	return store.SnowballJob{Account: account, ID: id, GroupID: id, JobType: "IMPORT", SnowballType: "EDGE",
		State: "New", CreatedAt: at, StateSince: at, Description: "job " + id, Data: []byte(`{"id":"` + id + `"}`)}
}

// RunSnowball runs the Snowball store suite against a driver.
func RunSnowball(t *testing.T, open SnowballOpener) {
	ctx := context.Background()

	t.Run("an address is kept, scoped to its account and survives a reopen", func(t *testing.T) {
		s := open(t)
		a := store.SnowballAddress{Account: "111111111111", ID: "ADID-a", CreatedAt: sbBase.Add(1500), Data: []byte(`{"City":"Seattle"}`)}
		if err := s.CreateSnowballAddress(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSnowballAddress(ctx, a); !errors.Is(err, store.ErrSnowballExists) {
			t.Fatalf("second create = %v, want ErrSnowballExists", err)
		}
		if _, err := s.SnowballAddress(ctx, "222222222222", a.ID); !errors.Is(err, store.ErrSnowballNotFound) {
			t.Fatalf("another account read it: %v", err)
		}
		s.Close()
		s = open(t)
		defer s.Close()
		got, err := s.SnowballAddress(ctx, a.Account, a.ID)
		if err != nil || string(got.Data) != string(a.Data) || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("after reopen = %+v, %v; want %+v", got, err, a)
		}
	})

	t.Run("every list pages newest first with the id as tiebreak and no repeats", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		var want []string
		for i := range 25 {
			at := sbBase.Add(time.Duration(i/3) * time.Second) // three entries share each instant
			id := fmt.Sprintf("X%02d", i)
			if err := s.CreateSnowballAddress(ctx, store.SnowballAddress{Account: "1", ID: "ADID" + id, CreatedAt: at, Data: []byte("{}")}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateSnowballPricing(ctx, store.SnowballPricing{Account: "1", ID: "LTP" + id, CreatedAt: at, Data: []byte("{}")}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateSnowballGroup(ctx, store.SnowballGroup{Account: "1", ID: "JID" + id, Jobs: []store.SnowballJob{sbJob("1", "JID"+id, at)}}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateSnowballGroup(ctx, store.SnowballGroup{Account: "1", ID: "CID" + id,
				Cluster: &store.SnowballCluster{ID: "CID" + id, CreatedAt: at, State: "AwaitingQuorum", Data: []byte("{}")}}); err != nil {
				t.Fatal(err)
			}
			want = append([]string{id}, want...)
		}
		lists := map[string]func(after *store.SnowballCursor) ([]string, []store.SnowballCursor){
			"addresses": func(after *store.SnowballCursor) ([]string, []store.SnowballCursor) {
				page, err := s.ListSnowballAddresses(ctx, "1", after, 7)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				var cur []store.SnowballCursor
				for _, a := range page {
					ids, cur = append(ids, a.ID[4:]), append(cur, store.SnowballCursor{CreatedAt: a.CreatedAt, ID: a.ID})
				}
				return ids, cur
			},
			"pricing": func(after *store.SnowballCursor) ([]string, []store.SnowballCursor) {
				page, err := s.ListSnowballPricing(ctx, "1", after, 7)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				var cur []store.SnowballCursor
				for _, a := range page {
					ids, cur = append(ids, a.ID[3:]), append(cur, store.SnowballCursor{CreatedAt: a.CreatedAt, ID: a.ID})
				}
				return ids, cur
			},
			"jobs": func(after *store.SnowballCursor) ([]string, []store.SnowballCursor) {
				page, err := s.ListSnowballJobs(ctx, store.SnowballJobQuery{Account: "1", After: after, Limit: 7})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				var cur []store.SnowballCursor
				for _, a := range page {
					if a.Data != nil || a.Description != "job "+a.ID {
						t.Fatalf("list entry %+v: want the list fields and no Data", a)
					}
					ids, cur = append(ids, a.ID[3:]), append(cur, store.SnowballCursor{CreatedAt: a.CreatedAt, ID: a.ID})
				}
				return ids, cur
			},
			"clusters": func(after *store.SnowballCursor) ([]string, []store.SnowballCursor) {
				page, err := s.ListSnowballClusters(ctx, "1", after, 7)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				var cur []store.SnowballCursor
				for _, a := range page {
					ids, cur = append(ids, a.ID[3:]), append(cur, store.SnowballCursor{CreatedAt: a.CreatedAt, ID: a.ID})
				}
				return ids, cur
			},
		}
		for name, list := range lists {
			var got []string
			var after *store.SnowballCursor
			for range 10 {
				ids, cur := list(after)
				got = append(got, ids...)
				if len(ids) < 7 {
					break
				}
				after = &cur[len(cur)-1]
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s paged as %v, want %v", name, got, want)
			}
		}
	})

	t.Run("a group is created whole and updated atomically", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		g := store.SnowballGroup{Account: "1", ID: "CIDg", Cluster: &store.SnowballCluster{ID: "CIDg", CreatedAt: sbBase, State: "AwaitingQuorum", Data: []byte("{}")}}
		for i := range 2 {
			j := sbJob("1", fmt.Sprintf("JIDg%d", i), sbBase.Add(time.Duration(i)))
			j.ClusterID = "CIDg"
			g.Jobs = append(g.Jobs, j)
		}
		if err := s.CreateSnowballGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		// A group reusing a taken job id is refused whole.
		bad := store.SnowballGroup{Account: "1", ID: "JIDnew", Jobs: []store.SnowballJob{sbJob("1", "JIDnew", sbBase), sbJob("1", "JIDg0", sbBase)}}
		if err := s.CreateSnowballGroup(ctx, bad); !errors.Is(err, store.ErrSnowballExists) {
			t.Fatalf("create with a taken id = %v", err)
		}
		if _, err := s.SnowballJob(ctx, "1", "JIDnew"); !errors.Is(err, store.ErrSnowballNotFound) {
			t.Fatalf("a refused group left a job behind: %v", err)
		}
		// A failing update changes nothing.
		boom := errors.New("boom")
		err := s.UpdateSnowballGroup(ctx, "1", "CIDg", func(g *store.SnowballGroup) error {
			g.Jobs[0].State = "Cancelled"
			g.Cluster.State = "Cancelled"
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("update = %v, want fn's error", err)
		}
		due := sbBase.Add(time.Hour)
		err = s.UpdateSnowballGroup(ctx, "1", "CIDg", func(g *store.SnowballGroup) error {
			if g.Cluster == nil || len(g.Jobs) != 2 || g.Jobs[0].ID != "JIDg0" {
				return fmt.Errorf("group read as %+v", g)
			}
			g.Cluster.State = "Pending"
			g.Jobs[1].State, g.Jobs[1].DueAt, g.Jobs[1].Data = "PreparingAppliance", due, []byte(`{"v":2}`)
			j := sbJob("", "JIDg2", sbBase.Add(time.Minute))
			j.ClusterID = "CIDg"
			g.Jobs = append(g.Jobs, j)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.SnowballGroup(ctx, "1", "CIDg")
		if err != nil {
			t.Fatal(err)
		}
		v1, err := s.SnowballJobsVersion(ctx, "1")
		if err != nil || v1 == 0 {
			t.Fatalf("version after writes = %d, %v", v1, err)
		}
		if err := s.UpdateSnowballGroup(ctx, "1", "CIDg", func(g *store.SnowballGroup) error { g.Jobs[0].State = "Cancelled"; return nil }); err != nil {
			t.Fatal(err)
		}
		if v2, err := s.SnowballJobsVersion(ctx, "1"); err != nil || v2 == v1 {
			t.Fatalf("version after an update = %d (was %d), %v", v2, v1, err)
		}
		if v, err := s.SnowballJobsVersion(ctx, "nobody"); err != nil || v != 0 {
			t.Fatalf("version of an account without jobs = %d, %v", v, err)
		}
		if got.Cluster.State != "Pending" || len(got.Jobs) != 3 || got.Jobs[0].State != "New" ||
			got.Jobs[1].State != "PreparingAppliance" || !got.Jobs[1].DueAt.Equal(due) || string(got.Jobs[1].Data) != `{"v":2}` ||
			got.Jobs[2].GroupID != "CIDg" || got.Jobs[2].Account != "1" {
			t.Fatalf("group after update = %+v", got)
		}
		nodes, err := s.ListSnowballJobs(ctx, store.SnowballJobQuery{Account: "1", ClusterID: "CIDg", Limit: 10})
		if err != nil || len(nodes) != 3 || nodes[0].ID != "JIDg2" {
			t.Fatalf("cluster nodes = %+v, %v", nodes, err)
		}
		if acct, grp, err := s.SnowballJobOwner(ctx, "JIDg2"); err != nil || acct != "1" || grp != "CIDg" {
			t.Fatalf("owner = %s %s %v", acct, grp, err)
		}
		if err := s.UpdateSnowballGroup(ctx, "2", "CIDg", func(*store.SnowballGroup) error { return nil }); !errors.Is(err, store.ErrSnowballNotFound) {
			t.Fatalf("another account updated the group: %v", err)
		}
	})

	t.Run("concurrent updates of one group are serialised", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		j := sbJob("1", "JIDcount", sbBase)
		j.Data = []byte("0")
		if err := s.CreateSnowballGroup(ctx, store.SnowballGroup{Account: "1", ID: j.ID, Jobs: []store.SnowballJob{j}}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				err := s.UpdateSnowballGroup(ctx, "1", j.ID, func(g *store.SnowballGroup) error {
					var n int
					fmt.Sscan(string(g.Jobs[0].Data), &n)
					g.Jobs[0].Data = []byte(fmt.Sprint(n + 1))
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, err := s.SnowballJob(ctx, "1", j.ID)
		if err != nil || string(got.Data) != "40" {
			t.Fatalf("after 40 increments Data = %s, %v", got.Data, err)
		}
	})

	t.Run("due groups come earliest first and the next due time is known", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		if _, ok, err := s.NextSnowballDue(ctx); err != nil || ok {
			t.Fatalf("empty store: next due ok=%v err=%v", ok, err)
		}
		for i, d := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour, 0} {
			j := sbJob("a", fmt.Sprintf("JIDd%d", i), sbBase)
			if d > 0 {
				j.DueAt = sbBase.Add(d)
			}
			if err := s.CreateSnowballGroup(ctx, store.SnowballGroup{Account: "a", ID: j.ID, Jobs: []store.SnowballJob{j}}); err != nil {
				t.Fatal(err)
			}
		}
		next, ok, err := s.NextSnowballDue(ctx)
		if err != nil || !ok || !next.Equal(sbBase.Add(time.Hour)) {
			t.Fatalf("next due = %v %v %v", next, ok, err)
		}
		due, err := s.DueSnowballGroups(ctx, sbBase.Add(2*time.Hour), 10)
		if err != nil || fmt.Sprint(due) != "[{a JIDd1} {a JIDd2}]" {
			t.Fatalf("due = %v, %v", due, err)
		}
		n, err := s.CountSnowballJobs(ctx, "a", []string{"New", "Complete"})
		if err != nil || n != 4 {
			t.Fatalf("count = %d, %v", n, err)
		}
	})

	t.Run("a pricing record is updated in place", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		p := store.SnowballPricing{Account: "1", ID: "LTPIDu", CreatedAt: sbBase, Data: []byte("a")}
		if err := s.CreateSnowballPricing(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateSnowballPricing(ctx, "1", p.ID, func(p *store.SnowballPricing) error { p.Data = []byte("b"); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateSnowballPricing(ctx, "2", p.ID, func(*store.SnowballPricing) error { return nil }); !errors.Is(err, store.ErrSnowballNotFound) {
			t.Fatalf("another account's update = %v", err)
		}
		got, err := s.SnowballPricing(ctx, "1", p.ID)
		if err != nil || string(got.Data) != "b" {
			t.Fatalf("record = %+v, %v", got, err)
		}
	})

	t.Run("paging under concurrent creates is complete and duplicate-free", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		existing := map[string]bool{}
		for i := range 60 {
			id := fmt.Sprintf("JIDc%03d", i)
			at := sbBase.Add(time.Duration(rand.IntN(5)) * time.Second)
			existing[id] = true
			if err := s.CreateSnowballGroup(ctx, store.SnowballGroup{Account: "c", ID: id, Jobs: []store.SnowballJob{sbJob("c", id, at)}}); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				id := fmt.Sprintf("JIDn%04d", i)
				if err := s.CreateSnowballGroup(ctx, store.SnowballGroup{Account: "c", ID: id,
					Jobs: []store.SnowballJob{sbJob("c", id, sbBase.Add(time.Minute+time.Duration(i)))}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		seen := map[string]bool{}
		var after *store.SnowballCursor
		for {
			page, err := s.ListSnowballJobs(ctx, store.SnowballJobQuery{Account: "c", After: after, Limit: 1 + rand.IntN(9)})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, j := range page {
				if seen[j.ID] {
					t.Fatalf("%s listed twice", j.ID)
				}
				seen[j.ID] = true
			}
			last := page[len(page)-1]
			after = &store.SnowballCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		close(done)
		wg.Wait()
		for id := range existing {
			if !seen[id] {
				t.Fatalf("%s, created before paging began, was skipped", id)
			}
		}
	})
}
