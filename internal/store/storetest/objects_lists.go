package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
)

func keysOf(vs []store.ObjectVersion) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Key + "@" + v.VersionID
	}
	return out
}

func objectListing(t *testing.T, open ObjectsOpener) {
	ctx := context.Background()
	o, closeFn := open(t)
	defer closeFn()
	mustBucket(t, o, "list", "Enabled")
	// Keys whose byte order differs from naive string expectations: NUL,
	// a slash, multi-byte UTF-8 and 0xff-free successors.
	for _, k := range []string{"a", "a\x00b", "a/b", "a/c", "b", "é", "日本"} {
		put(t, o, "list", k, "1", false)
	}
	put(t, o, "list", "a/b", "2", false)
	put(t, o, "list", "b", "m", true)

	tests := []struct {
		name string
		q    store.VersionQuery
		want []string
	}{
		{"every version, keys in byte order, newest first", store.VersionQuery{Limit: 100},
			[]string{"a@1", "a\x00b@1", "a/b@2", "a/b@1", "a/c@1", "b@m", "b@1", "é@1", "日本@1"}},
		{"current versions skip delete markers and older versions", store.VersionQuery{CurrentOnly: true, Limit: 100},
			[]string{"a@1", "a\x00b@1", "a/b@2", "a/c@1", "é@1", "日本@1"}},
		{"a prefix bounds the listing", store.VersionQuery{Prefix: "a/", Limit: 100}, []string{"a/b@2", "a/b@1", "a/c@1"}},
		{"a limit cuts the page", store.VersionQuery{Limit: 3}, []string{"a@1", "a\x00b@1", "a/b@2"}},
		{"an exclusive start skips its key", store.VersionQuery{From: "a/b", FromExclusive: true, CurrentOnly: true, Limit: 100},
			[]string{"a/c@1", "é@1", "日本@1"}},
		{"an inclusive start keeps its key", store.VersionQuery{From: "a/b", CurrentOnly: true, Limit: 2}, []string{"a/b@2", "a/c@1"}},
		{"a start within a key's versions continues with older ones", store.VersionQuery{From: "a/b", BeforeSeq: seqOf(t, o, "a/b", "2"), Limit: 2},
			[]string{"a/b@1", "a/c@1"}},
		{"a start before the prefix starts at the prefix", store.VersionQuery{Prefix: "é", From: "a", FromExclusive: true, Limit: 10}, []string{"é@1"}},
		{"a start after the prefix lists nothing", store.VersionQuery{Prefix: "a", From: "b", Limit: 10}, nil},
		{"a multi-byte prefix", store.VersionQuery{Prefix: "日", CurrentOnly: true, Limit: 10}, []string{"日本@1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := o.ListVersions(ctx, "list", tt.q)
			if err != nil {
				t.Fatal(err)
			}
			got := keysOf(vs)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Fatalf("ListVersions(%+v) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
	t.Run("listing a missing bucket fails", func(t *testing.T) {
		if _, err := o.ListVersions(ctx, "nope", store.VersionQuery{Limit: 1}); !errors.Is(err, store.ErrNoSuchBucket) {
			t.Fatalf("ListVersions = %v", err)
		}
	})
}

func seqOf(t *testing.T, o store.Objects, key, id string) int64 {
	t.Helper()
	v, err := o.GetVersion(context.Background(), "list", key, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Seq
}

func objectUploads(t *testing.T, open ObjectsOpener) {
	ctx := context.Background()
	o, closeFn := open(t)
	defer closeFn()
	mustBucket(t, o, "mp", "")
	var ups []store.ObjectUpload
	for i, k := range []string{"b", "a", "b", "c/d"} {
		u, err := o.CreateUpload(ctx, store.ObjectUpload{Bucket: "mp", Key: k, UploadID: fmt.Sprint("up", i), Initiated: t0, Attrs: []byte(`{"u":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		ups = append(ups, u)
	}
	if _, err := o.CreateUpload(ctx, store.ObjectUpload{Bucket: "nope", Key: "k", UploadID: "x"}); !errors.Is(err, store.ErrNoSuchBucket) {
		t.Fatalf("CreateUpload in a missing bucket = %v", err)
	}

	t.Run("uploads list by key then creation", func(t *testing.T) {
		us, err := o.ListUploads(ctx, "mp", store.ObjectUploadQuery{Limit: 10})
		var got []string
		for _, u := range us {
			got = append(got, u.Key+"/"+u.UploadID)
		}
		if err != nil || fmt.Sprint(got) != "[a/up1 b/up0 b/up2 c/d/up3]" {
			t.Fatalf("ListUploads = %v, %v", got, err)
		}
		us, _ = o.ListUploads(ctx, "mp", store.ObjectUploadQuery{From: "b", AfterSeq: ups[0].Seq, Limit: 10})
		if len(us) != 2 || us[0].UploadID != "up2" || us[1].UploadID != "up3" {
			t.Fatalf("ListUploads after b/up0 = %+v", us)
		}
		us, _ = o.ListUploads(ctx, "mp", store.ObjectUploadQuery{Prefix: "c/", Limit: 10})
		if len(us) != 1 || us[0].Key != "c/d" {
			t.Fatalf("ListUploads with prefix = %+v", us)
		}
	})
	t.Run("parts replace by number and list in order", func(t *testing.T) {
		for _, n := range []int{3, 1, 2} {
			if _, err := o.PutPart(ctx, "mp", "b", "up0", store.ObjectUploadPart{Number: n, Size: 5, ETag: fmt.Sprint(`"p`, n, `"`),
				LastModified: t0, Data: []store.DataRef{{ID: fmt.Sprint("p", n), Size: 5}}}); err != nil {
				t.Fatal(err)
			}
		}
		garbage, err := o.PutPart(ctx, "mp", "b", "up0", store.ObjectUploadPart{Number: 2, Size: 6, Data: []store.DataRef{{ID: "p2bis", Size: 6}}})
		if err != nil || len(garbage) != 1 || garbage[0].ID != "p2" {
			t.Fatalf("replacing part 2: %v, %v", garbage, err)
		}
		ps, err := o.ListParts(ctx, "mp", "b", "up0", 1, 10)
		if err != nil || len(ps) != 2 || ps[0].Number != 2 || ps[0].Size != 6 || ps[1].Number != 3 {
			t.Fatalf("ListParts = %+v, %v", ps, err)
		}
		if _, err := o.PutPart(ctx, "mp", "a", "up0", store.ObjectUploadPart{Number: 1}); !errors.Is(err, store.ErrNoSuchUpload) {
			t.Fatalf("PutPart under another key = %v", err)
		}
	})
	t.Run("a failed completion keeps the upload; a completion ends it", func(t *testing.T) {
		no := errors.New("bad part list")
		if _, _, err := o.CompleteUpload(ctx, "mp", "b", "up0", func(*store.ObjectBucket, store.ObjectUpload, []store.ObjectUploadPart, *store.ObjectVersion) (*store.ObjectVersion, error) {
			return nil, no
		}); !errors.Is(err, no) {
			t.Fatalf("failed completion = %v", err)
		}
		v, garbage, err := o.CompleteUpload(ctx, "mp", "b", "up0", func(b *store.ObjectBucket, u store.ObjectUpload, parts []store.ObjectUploadPart, cur *store.ObjectVersion) (*store.ObjectVersion, error) {
			if len(parts) != 3 || string(u.Attrs) != `{"u":1}` {
				return nil, fmt.Errorf("build saw %d parts, attrs %s", len(parts), u.Attrs)
			}
			// Use parts 1 and 3; part 2 is dropped.
			return &store.ObjectVersion{VersionID: store.NullVersionID, Size: 10, ETag: `"x-2"`, LastModified: t0,
				StorageClass: "STANDARD", Data: append(append([]store.DataRef{}, parts[0].Data...), parts[2].Data...)}, nil
		})
		if err != nil || len(garbage) != 1 || garbage[0].ID != "p2bis" || len(v.Data) != 2 {
			t.Fatalf("CompleteUpload = %+v, %v, %v", v, garbage, err)
		}
		if _, _, err := o.GetUpload(ctx, "mp", "b", "up0"); !errors.Is(err, store.ErrNoSuchUpload) {
			t.Fatalf("completed upload still there: %v", err)
		}
		inUse, _ := o.DataInUse(ctx, []string{"p1", "p3", "p2bis"})
		if !inUse["p1"] || !inUse["p3"] || inUse["p2bis"] {
			t.Fatalf("DataInUse after completion = %v", inUse)
		}
	})
	t.Run("an aborted upload frees its parts", func(t *testing.T) {
		o.PutPart(ctx, "mp", "a", "up1", store.ObjectUploadPart{Number: 1, Data: []store.DataRef{{ID: "pa", Size: 1}}})
		garbage, err := o.DeleteUpload(ctx, "mp", "a", "up1")
		if err != nil || len(garbage) != 1 || garbage[0].ID != "pa" {
			t.Fatalf("DeleteUpload = %v, %v", garbage, err)
		}
		if _, err := o.DeleteUpload(ctx, "mp", "a", "up1"); !errors.Is(err, store.ErrNoSuchUpload) {
			t.Fatalf("second DeleteUpload = %v", err)
		}
	})
}

func objectConcurrency(t *testing.T, open ObjectsOpener) {
	ctx := context.Background()
	o, closeFn := open(t)
	mustBucket(t, o, "race", "")
	const n = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	var freed int
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, g := put(t, o, "race", "same", fmt.Sprint(i), false)
			mu.Lock()
			freed += len(g)
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Run("concurrent writers to one key leave one version", func(t *testing.T) {
		vs, err := o.ListVersions(ctx, "race", store.VersionQuery{Limit: 100})
		if err != nil || len(vs) != 1 || !vs[0].IsLatest {
			t.Fatalf("versions = %+v, %v", vs, err)
		}
		if freed != n-1 {
			t.Fatalf("%d versions freed, want %d", freed, n-1)
		}
	})
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	o, closeFn = open(t) // the same t: the same data
	defer closeFn()
	t.Run("everything survives reopening", func(t *testing.T) {
		vs, err := o.ListVersions(ctx, "race", store.VersionQuery{Limit: 100})
		if err != nil || len(vs) != 1 {
			t.Fatalf("after reopen versions = %+v, %v", vs, err)
		}
		g, _ := o.Garbage(ctx, 1000)
		if len(g) != n-1 {
			t.Fatalf("after reopen %d garbage entries, want %d", len(g), n-1)
		}
	})
}
