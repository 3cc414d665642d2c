package embedded

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/objectstore"
)

func TestVersioningFollowsS3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := open(t, "", SyncDefault)
	f.bucket(t, "ver", false)
	unversioned := f.put(t, "ver", "k", "before versioning")
	if unversioned.VersionID != "" {
		t.Fatalf("an unversioned bucket showed version id %q", unversioned.VersionID)
	}
	if err := f.s.PutBucketVersioning(ctx, "ver", objectstore.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	v1 := f.put(t, "ver", "k", "one")
	v2 := f.put(t, "ver", "k", "two")
	if v1.VersionID == v2.VersionID || len(v1.VersionID) != 32 {
		t.Fatalf("version ids %q and %q", v1.VersionID, v2.VersionID)
	}
	del, err := f.s.DeleteObject(ctx, objectstore.DeleteObjectInput{Bucket: "ver", Key: "k"})
	if err != nil || !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("DeleteObject = %+v, %v", del, err)
	}

	steps := []struct {
		name    string
		version string
		body    string
		code    string
	}{
		{"the current version is a delete marker: NoSuchKey", "", "", objectstore.CodeNoSuchKey},
		{"an older version stays readable", v1.VersionID, "one", ""},
		{"the null version from before versioning stays readable", "null", "before versioning", ""},
		{"reading the delete marker is MethodNotAllowed", del.VersionID, "", objectstore.CodeMethodNotAllowed},
		{"an unknown well-formed version is NoSuchVersion", strings.Repeat("A", 32), "", objectstore.CodeNoSuchVersion},
		{"a malformed version id is InvalidArgument", "not-a-version", "", objectstore.CodeInvalidArgument},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, _, err := f.get(t, objectstore.GetObjectInput{Bucket: "ver", Key: "k", VersionID: st.version})
			if st.code != "" {
				wantCode(t, err, st.code)
				return
			}
			if err != nil || got != st.body {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
	t.Run("a missing current version flags the delete marker", func(t *testing.T) {
		_, err := f.s.HeadObject(ctx, objectstore.GetObjectInput{Bucket: "ver", Key: "k"})
		var e *apierror.Error
		if !errors.As(err, &e) || e.Code != objectstore.CodeNoSuchKey || e.Header.Get("X-Amz-Delete-Marker") != "true" ||
			e.Header.Get("X-Amz-Version-Id") != del.VersionID {
			t.Fatalf("HeadObject = %v with headers %v", err, e)
		}
	})
	t.Run("deleting the marker brings the last version back", func(t *testing.T) {
		r, err := f.s.DeleteObject(ctx, objectstore.DeleteObjectInput{Bucket: "ver", Key: "k", VersionID: del.VersionID})
		if err != nil || !r.DeleteMarker {
			t.Fatalf("DeleteObject of the marker = %+v, %v", r, err)
		}
		if got, _, _ := f.get(t, objectstore.GetObjectInput{Bucket: "ver", Key: "k"}); got != "two" {
			t.Fatalf("current = %q, want two", got)
		}
	})
	t.Run("versions list newest first with the null version", func(t *testing.T) {
		res, err := f.s.ListObjectVersions(ctx, objectstore.ListVersionsInput{Bucket: "ver", MaxKeys: 10})
		if err != nil || len(res.Versions) != 3 || res.Versions[0].VersionID != v2.VersionID || !res.Versions[0].IsLatest ||
			res.Versions[2].VersionID != "null" {
			t.Fatalf("versions = %+v, %v", res.Versions, err)
		}
	})
	t.Run("suspending replaces only the null version", func(t *testing.T) {
		if err := f.s.PutBucketVersioning(ctx, "ver", objectstore.VersioningSuspended); err != nil {
			t.Fatal(err)
		}
		n := f.put(t, "ver", "k", "suspended")
		if n.VersionID != "null" {
			t.Fatalf("a put while suspended got version %q", n.VersionID)
		}
		res, _ := f.s.ListObjectVersions(ctx, objectstore.ListVersionsInput{Bucket: "ver", MaxKeys: 10})
		if len(res.Versions) != 3 || res.Versions[0].VersionID != "null" || res.Versions[1].VersionID != v2.VersionID {
			t.Fatalf("versions after a suspended put = %+v", res.Versions)
		}
	})
	t.Run("a bucket with versions is not empty", func(t *testing.T) {
		wantCode(t, f.s.DeleteBucket(ctx, "ver"), objectstore.CodeBucketNotEmpty)
	})
}

func TestObjectLockProtectsVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := open(t, "", SyncDefault)
	f.bucket(t, "locked", true)
	b, err := f.s.HeadBucket(ctx, "locked")
	if err != nil || b.Versioning != objectstore.VersioningEnabled || b.ObjectLock == nil {
		t.Fatalf("a lock bucket = %+v, %v", b, err)
	}
	wantCode(t, f.s.PutBucketVersioning(ctx, "locked", objectstore.VersioningSuspended), objectstore.CodeInvalidBucketState)

	put := func(key string, r objectstore.Retention, hold bool) objectstore.ObjectInfo {
		oi, err := f.s.PutObject(ctx, objectstore.PutObjectInput{Bucket: "locked", Key: key, Body: strings.NewReader("x"), Size: 1,
			Retention: r, LegalHold: hold})
		if err != nil {
			t.Fatal(err)
		}
		return oi
	}
	day := t0.Add(24 * time.Hour)
	comp := put("compliance", objectstore.Retention{Mode: objectstore.LockCompliance, RetainUntil: day}, false)
	gov := put("governance", objectstore.Retention{Mode: objectstore.LockGovernance, RetainUntil: day}, false)
	held := put("held", objectstore.Retention{}, true)
	del := func(oi objectstore.ObjectInfo, bypass bool) error {
		_, err := f.s.DeleteObject(ctx, objectstore.DeleteObjectInput{Bucket: "locked", Key: oi.Key, VersionID: oi.VersionID, BypassGovernance: bypass})
		return err
	}
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"compliance refuses a delete", del(comp, false), objectstore.CodeAccessDenied},
		{"compliance refuses a delete with bypass", del(comp, true), objectstore.CodeAccessDenied},
		{"governance refuses a delete without bypass", del(gov, false), objectstore.CodeAccessDenied},
		{"a legal hold refuses a delete with bypass", del(held, true), objectstore.CodeAccessDenied},
		{"compliance cannot be shortened", second(f.s.PutObjectRetention(ctx, ref(comp),
			objectstore.Retention{Mode: objectstore.LockCompliance, RetainUntil: day.Add(-time.Hour)}, true)), objectstore.CodeAccessDenied},
		{"compliance cannot become governance", second(f.s.PutObjectRetention(ctx, ref(comp),
			objectstore.Retention{Mode: objectstore.LockGovernance, RetainUntil: day.Add(time.Hour)}, true)), objectstore.CodeAccessDenied},
		{"compliance can be extended", second(f.s.PutObjectRetention(ctx, ref(comp),
			objectstore.Retention{Mode: objectstore.LockCompliance, RetainUntil: day.Add(time.Hour)}, false)), ""},
		{"governance cannot be removed without bypass", second(f.s.PutObjectRetention(ctx, ref(gov), objectstore.Retention{}, false)), objectstore.CodeAccessDenied},
		{"a retain-until date in the past is refused", second(f.s.PutObjectRetention(ctx, ref(held),
			objectstore.Retention{Mode: objectstore.LockGovernance, RetainUntil: t0.Add(-time.Hour)}, false)), objectstore.CodeInvalidArgument},
		{"a delete without a version id adds a marker over a locked version", second(f.s.DeleteObject(ctx,
			objectstore.DeleteObjectInput{Bucket: "locked", Key: "compliance"})), ""},
		{"governance yields to bypass", del(gov, true), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.err, tt.code) })
	}
	t.Run("expired retention no longer protects", func(t *testing.T) {
		f.clock.Advance(26 * time.Hour)
		if err := del(comp, false); err != nil {
			t.Fatalf("delete after expiry: %v", err)
		}
	})
	t.Run("releasing the legal hold allows the delete", func(t *testing.T) {
		if _, err := f.s.PutObjectLegalHold(ctx, ref(held), false); err != nil {
			t.Fatal(err)
		}
		if err := del(held, false); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a default retention applies to new versions", func(t *testing.T) {
		if err := f.s.PutObjectLockConfiguration(ctx, "locked", objectstore.ObjectLockConfiguration{
			DefaultRetention: &objectstore.DefaultRetention{Mode: objectstore.LockGovernance, Days: 2}}); err != nil {
			t.Fatal(err)
		}
		oi := put("defaulted", objectstore.Retention{}, false)
		if oi.Retention.Mode != objectstore.LockGovernance || !oi.Retention.RetainUntil.Equal(oi.LastModified.AddDate(0, 0, 2)) {
			t.Fatalf("retention = %+v", oi.Retention)
		}
	})
	t.Run("lock settings need a lock bucket", func(t *testing.T) {
		f.bucket(t, "plain", false)
		_, err := f.s.PutObject(ctx, objectstore.PutObjectInput{Bucket: "plain", Key: "k", Body: strings.NewReader(""), Size: 0, LegalHold: true})
		wantCode(t, err, objectstore.CodeInvalidRequest)
		wantCode(t, f.s.PutObjectLockConfiguration(ctx, "plain", objectstore.ObjectLockConfiguration{}), objectstore.CodeInvalidBucketState)
	})
}

func second[T any](_ T, err error) error { return err }

func ref(oi objectstore.ObjectInfo) objectstore.ObjectRef {
	return objectstore.ObjectRef{Bucket: oi.Bucket, Key: oi.Key, VersionID: oi.VersionID}
}

func TestArchivedObjectsAreReadableOnlyWhileRestored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := open(t, "", SyncDefault)
	f.bucket(t, "cold", false)
	if _, err := f.s.PutObject(ctx, objectstore.PutObjectInput{Bucket: "cold", Key: "k", Body: strings.NewReader("frozen"), Size: 6,
		StorageClass: objectstore.StorageGlacier}); err != nil {
		t.Fatal(err)
	}
	f.put(t, "cold", "warm", "x")
	k := objectstore.ObjectRef{Bucket: "cold", Key: "k"}
	read := func() error { _, _, err := f.get(t, objectstore.GetObjectInput{Bucket: "cold", Key: "k"}); return err }
	restore := func(days int, tier string) (objectstore.RestoreResult, error) {
		return f.s.RestoreObject(ctx, objectstore.RestoreObjectInput{ObjectRef: k, Days: days, Tier: tier})
	}
	header := func() string {
		oi, err := f.s.HeadObject(ctx, objectstore.GetObjectInput{Bucket: "cold", Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		return oi.Restore.Header(f.clock.Now())
	}

	wantCode(t, read(), objectstore.CodeInvalidObjectState)
	_, err := f.s.CopyObject(ctx, objectstore.CopyObjectInput{Source: k, Bucket: "cold", Key: "copy"})
	wantCode(t, err, "ObjectNotInActiveTierError")
	_, err = f.s.RestoreObject(ctx, objectstore.RestoreObjectInput{ObjectRef: objectstore.ObjectRef{Bucket: "cold", Key: "warm"}, Days: 1})
	wantCode(t, err, objectstore.CodeInvalidObjectState)
	_, err = restore(0, "")
	wantCode(t, err, objectstore.CodeInvalidArgument)

	res, err := restore(2, objectstore.TierStandard)
	if err != nil || res.AlreadyRestored {
		t.Fatalf("restore = %+v, %v", res, err)
	}
	if h := header(); h != `ongoing-request="true"` {
		t.Fatalf("x-amz-restore during the restore = %q", h)
	}
	_, err = restore(2, objectstore.TierStandard)
	wantCode(t, err, objectstore.CodeRestoreAlreadyInProgress)
	wantCode(t, read(), objectstore.CodeInvalidObjectState)

	f.clock.Advance(time.Hour) // the Standard tier's delay in this fixture
	if err := read(); err != nil {
		t.Fatalf("read after the restore completed: %v", err)
	}
	// Ready at 13:00 on June 1 for 2 days: expiry rounds up to midnight UTC.
	if h := header(); h != `ongoing-request="false", expiry-date="Wed, 04 Jun 2025 00:00:00 GMT"` {
		t.Fatalf("x-amz-restore after the restore = %q", h)
	}
	res, err = restore(5, objectstore.TierBulk)
	if err != nil || !res.AlreadyRestored {
		t.Fatalf("restore of a restored copy = %+v, %v", res, err)
	}
	f.clock.Set(time.Date(2025, 6, 7, 0, 0, 0, 0, time.UTC))
	wantCode(t, read(), objectstore.CodeInvalidObjectState)
	if h := header(); h != "" {
		t.Fatalf("x-amz-restore after expiry = %q", h)
	}
}
