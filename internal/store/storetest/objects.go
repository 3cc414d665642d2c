package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// ObjectsOpener opens a driver's store.Objects over the same data each time
// it is called with the same t, and returns a function closing it.
type ObjectsOpener func(t *testing.T) (store.Objects, func() error)

// RunObjects runs the behavioural suite of store.Objects against a driver.
func RunObjects(t *testing.T, open ObjectsOpener) {
	t.Run("buckets", func(t *testing.T) { objectBuckets(t, open) })
	t.Run("versions", func(t *testing.T) { objectVersions(t, open) })
	t.Run("listing", func(t *testing.T) { objectListing(t, open) })
	t.Run("uploads", func(t *testing.T) { objectUploads(t, open) })
	t.Run("concurrency and durability", func(t *testing.T) { objectConcurrency(t, open) })
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func mustBucket(t *testing.T, o store.Objects, name, versioning string) {
	t.Helper()
	if err := o.CreateBucket(context.Background(), store.ObjectBucket{Name: name, Owner: "111111111111", Region: "us-east-1",
		Created: t0, Versioning: versioning, Attrs: []byte(`{}`)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

// put stores a version the way S3 would: a fresh id when versioning is
// Enabled, the null version otherwise.
func put(t *testing.T, o store.Objects, bucket, key, id string, marker bool) (store.ObjectVersion, []store.DataRef) {
	t.Helper()
	v := store.ObjectVersion{Bucket: bucket, Key: key, DeleteMarker: marker, Size: 3, ETag: `"e"`, LastModified: t0,
		StorageClass: "STANDARD", Attrs: []byte(`{"a":1}`), Tags: []byte(`["t"]`)}
	if !marker {
		v.Data = []store.DataRef{{ID: "d-" + bucket + "-" + key + "-" + id, Size: 3}}
	}
	got, garbage, err := o.PutVersion(context.Background(), v, func(b *store.ObjectBucket, cur *store.ObjectVersion, v *store.ObjectVersion) error {
		if b.Versioning == "Enabled" {
			v.VersionID = id
		} else {
			v.VersionID = store.NullVersionID
		}
		return nil
	})
	if err != nil {
		t.Fatalf("PutVersion %s/%s: %v", bucket, key, err)
	}
	return got, garbage
}

func objectBuckets(t *testing.T, open ObjectsOpener) {
	ctx := context.Background()
	o, closeFn := open(t)
	defer closeFn()
	mustBucket(t, o, "alpha", "")
	mustBucket(t, o, "beta", "Enabled")
	if err := o.CreateBucket(ctx, store.ObjectBucket{Name: "gamma", Owner: "222222222222", Region: "us-east-1", Created: t0}); err != nil {
		t.Fatal(err)
	}

	t.Run("a taken name is refused with its owner", func(t *testing.T) {
		err := o.CreateBucket(ctx, store.ObjectBucket{Name: "gamma", Owner: "111111111111", Created: t0})
		var be *store.BucketExistsError
		if !errors.Is(err, store.ErrBucketExists) || !errors.As(err, &be) || be.Owner != "222222222222" {
			t.Fatalf("CreateBucket of a taken name = %v", err)
		}
	})
	t.Run("a bucket reads back as written", func(t *testing.T) {
		b, err := o.GetBucket(ctx, "beta")
		if err != nil || b.Owner != "111111111111" || b.Versioning != "Enabled" || !b.Created.Equal(t0) || string(b.Attrs) != `{}` {
			t.Fatalf("GetBucket = %+v, %v", b, err)
		}
		if _, err := o.GetBucket(ctx, "nope"); !errors.Is(err, store.ErrNoSuchBucket) {
			t.Fatalf("GetBucket of a missing bucket = %v", err)
		}
	})
	t.Run("buckets are listed by owner and name", func(t *testing.T) {
		bs, err := o.ListBuckets(ctx, "111111111111")
		if err != nil || len(bs) != 2 || bs[0].Name != "alpha" || bs[1].Name != "beta" {
			t.Fatalf("ListBuckets = %+v, %v", bs, err)
		}
		all, _ := o.ListBuckets(ctx, "")
		if len(all) != 3 {
			t.Fatalf("ListBuckets of everyone = %d buckets", len(all))
		}
	})
	t.Run("an update keeps what the callback leaves and nothing if it fails", func(t *testing.T) {
		if _, err := o.UpdateBucket(ctx, "alpha", func(b *store.ObjectBucket) error {
			b.Versioning, b.Attrs, b.Owner = "Suspended", []byte(`{"x":2}`), "999999999999"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if _, err := o.UpdateBucket(ctx, "alpha", func(b *store.ObjectBucket) error {
			b.Versioning = "Enabled"
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("failing update = %v", err)
		}
		b, _ := o.GetBucket(ctx, "alpha")
		if b.Versioning != "Suspended" || string(b.Attrs) != `{"x":2}` || b.Owner != "111111111111" {
			t.Fatalf("after updates %+v", b)
		}
	})
	t.Run("a bucket with a version cannot be deleted, an empty one can", func(t *testing.T) {
		put(t, o, "beta", "k", "v1", false)
		if _, err := o.DeleteBucket(ctx, "beta"); !errors.Is(err, store.ErrBucketNotEmpty) {
			t.Fatalf("DeleteBucket of a bucket with a version = %v", err)
		}
		up, err := o.CreateUpload(ctx, store.ObjectUpload{Bucket: "gamma", Key: "k", UploadID: "u1", Initiated: t0})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.PutPart(ctx, "gamma", "k", up.UploadID, store.ObjectUploadPart{Number: 1, Data: []store.DataRef{{ID: "part-g", Size: 1}}}); err != nil {
			t.Fatal(err)
		}
		garbage, err := o.DeleteBucket(ctx, "gamma")
		if err != nil || len(garbage) != 1 || garbage[0].ID != "part-g" {
			t.Fatalf("DeleteBucket with an upload = %v, %v", garbage, err)
		}
		if _, err := o.GetBucket(ctx, "gamma"); !errors.Is(err, store.ErrNoSuchBucket) {
			t.Fatalf("deleted bucket still there: %v", err)
		}
		if _, err := o.DeleteBucket(ctx, "gamma"); !errors.Is(err, store.ErrNoSuchBucket) {
			t.Fatalf("second DeleteBucket = %v", err)
		}
	})
}

func objectVersions(t *testing.T, open ObjectsOpener) {
	ctx := context.Background()
	o, closeFn := open(t)
	defer closeFn()
	mustBucket(t, o, "plain", "")
	mustBucket(t, o, "versioned", "Enabled")

	t.Run("the null version is replaced and its data becomes garbage", func(t *testing.T) {
		first, _ := put(t, o, "plain", "k", "1", false)
		second, garbage := put(t, o, "plain", "k", "2", false)
		if len(garbage) != 1 || garbage[0].ID != first.Data[0].ID {
			t.Fatalf("garbage = %v, want the first version's data", garbage)
		}
		if second.Seq <= first.Seq || !second.IsLatest {
			t.Fatalf("second version %+v after %+v", second, first)
		}
		got, err := o.GetVersion(ctx, "plain", "k", "")
		if err != nil || got.Data[0].ID != second.Data[0].ID || got.VersionID != store.NullVersionID || string(got.Attrs) != `{"a":1}` || string(got.Tags) != `["t"]` {
			t.Fatalf("GetVersion = %+v, %v", got, err)
		}
		inUse, _ := o.DataInUse(ctx, []string{first.Data[0].ID, second.Data[0].ID})
		if inUse[first.Data[0].ID] || !inUse[second.Data[0].ID] {
			t.Fatalf("DataInUse = %v", inUse)
		}
		for prefix, want := range map[string]bool{"d-plain-k-": true, "d-plain-k-2": true, "d-plain-k-1": false, "d-plain-kk": false, "": true} {
			if got, err := o.DataInUseWithPrefix(ctx, prefix); err != nil || got != want {
				t.Fatalf("DataInUseWithPrefix(%q) = %v, %v, want %v", prefix, got, err, want)
			}
		}
		g, _ := o.Garbage(ctx, 100)
		if !containsRef(g, first.Data[0].ID) {
			t.Fatalf("Garbage = %v, want it to hold %s", g, first.Data[0].ID)
		}
		if err := o.ReleaseGarbage(ctx, []string{first.Data[0].ID}); err != nil {
			t.Fatal(err)
		}
		if g, _ := o.Garbage(ctx, 100); containsRef(g, first.Data[0].ID) {
			t.Fatal("released garbage is still listed")
		}
	})
	t.Run("versions stack and the newest remaining becomes current", func(t *testing.T) {
		put(t, o, "versioned", "k", "a", false)
		put(t, o, "versioned", "k", "b", false)
		put(t, o, "versioned", "k", "m", true)
		cur, err := o.GetVersion(ctx, "versioned", "k", "")
		if err != nil || cur.VersionID != "m" || !cur.DeleteMarker {
			t.Fatalf("current = %+v, %v; want the delete marker", cur, err)
		}
		a, _ := o.GetVersion(ctx, "versioned", "k", "a")
		if a.IsLatest || a.VersionID != "a" {
			t.Fatalf("version a = %+v", a)
		}
		if _, err := o.GetVersion(ctx, "versioned", "k", "zz"); !errors.Is(err, store.ErrNoSuchVersion) {
			t.Fatalf("unknown version = %v", err)
		}
		if _, err := o.GetVersion(ctx, "versioned", "other", ""); !errors.Is(err, store.ErrNoSuchKey) {
			t.Fatalf("unknown key = %v", err)
		}
		if _, err := o.GetVersion(ctx, "nope", "k", ""); !errors.Is(err, store.ErrNoSuchBucket) {
			t.Fatalf("unknown bucket = %v", err)
		}
		deleted, err := o.DeleteVersion(ctx, "versioned", "k", "m", nil)
		if err != nil || !deleted.DeleteMarker {
			t.Fatalf("DeleteVersion of the marker = %+v, %v", deleted, err)
		}
		cur, _ = o.GetVersion(ctx, "versioned", "k", "")
		if cur.VersionID != "b" || !cur.IsLatest {
			t.Fatalf("after deleting the marker current = %+v, want b", cur)
		}
	})
	t.Run("a refused delete or put changes nothing", func(t *testing.T) {
		no := errors.New("locked")
		if _, err := o.DeleteVersion(ctx, "versioned", "k", "b", func(*store.ObjectBucket, *store.ObjectVersion) error { return no }); !errors.Is(err, no) {
			t.Fatalf("refused delete = %v", err)
		}
		_, _, err := o.PutVersion(ctx, store.ObjectVersion{Bucket: "versioned", Key: "k"}, func(b *store.ObjectBucket, cur *store.ObjectVersion, v *store.ObjectVersion) error {
			if cur == nil || cur.VersionID != "b" {
				return fmt.Errorf("prepare saw current %+v", cur)
			}
			v.VersionID = "never"
			return no
		})
		if !errors.Is(err, no) {
			t.Fatalf("refused put = %v", err)
		}
		cur, _ := o.GetVersion(ctx, "versioned", "k", "")
		if cur.VersionID != "b" {
			t.Fatalf("current = %s after refusals", cur.VersionID)
		}
		if _, err := o.DeleteVersion(ctx, "versioned", "k", "", nil); !errors.Is(err, store.ErrNoSuchVersion) {
			t.Fatalf("DeleteVersion without id = %v", err)
		}
	})
	t.Run("a suspended bucket replaces the null version wherever it is", func(t *testing.T) {
		mustBucket(t, o, "suspended", "")
		null1, _ := put(t, o, "suspended", "k", "x", false) // null, before versioning
		o.UpdateBucket(ctx, "suspended", func(b *store.ObjectBucket) error { b.Versioning = "Enabled"; return nil })
		put(t, o, "suspended", "k", "v1", false)
		o.UpdateBucket(ctx, "suspended", func(b *store.ObjectBucket) error { b.Versioning = "Suspended"; return nil })
		null2, garbage := put(t, o, "suspended", "k", "y", false)
		if len(garbage) != 1 || garbage[0].ID != null1.Data[0].ID {
			t.Fatalf("garbage = %v, want the old null version's data", garbage)
		}
		vs, err := o.ListVersions(ctx, "suspended", store.VersionQuery{Limit: 10})
		if err != nil || len(vs) != 2 || vs[0].VersionID != "null" || vs[0].Seq != null2.Seq || vs[1].VersionID != "v1" || vs[1].IsLatest {
			t.Fatalf("versions = %+v, %v", vs, err)
		}
	})
	t.Run("an update changes attributes, tags and storage class only", func(t *testing.T) {
		before, _ := put(t, o, "versioned", "u", "u1", false)
		put(t, o, "versioned", "u", "u2", false)
		got, err := o.UpdateVersion(ctx, "versioned", "u", "u1", func(b *store.ObjectBucket, v *store.ObjectVersion) error {
			v.Attrs, v.Tags, v.StorageClass, v.Size, v.IsLatest = []byte(`{"tags":1}`), nil, "GLACIER", 99, true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		after, _ := o.GetVersion(ctx, "versioned", "u", "u1")
		if string(after.Attrs) != `{"tags":1}` || after.Tags != nil || after.StorageClass != "GLACIER" || after.Size != before.Size || after.IsLatest || after.Seq != before.Seq || got.Seq != before.Seq {
			t.Fatalf("after update %+v", after)
		}
	})
}

func containsRef(refs []store.DataRef, id string) bool {
	for _, r := range refs {
		if r.ID == id {
			return true
		}
	}
	return false
}
