package embedded_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/objectstore/embedded"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

// batchStore opens an embedded store over a fresh directory.
func batchStore(t *testing.T) *embedded.Store {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: dir + "/objects", Meta: db.Objects()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); db.Close() })
	return s
}

func TestUpdateObjectsAnswersAsTheSingleCallsDo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := batchStore(t)
	const owner = "111111111111"
	for _, b := range []string{"plain-bkt", "versioned-bkt"} {
		if _, err := s.CreateBucket(ctx, objectstore.CreateBucketInput{Bucket: b, Owner: owner, Region: "us-east-1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutBucketVersioning(ctx, "versioned-bkt", objectstore.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	put := func(b, k string) objectstore.ObjectInfo {
		oi, err := s.PutObject(ctx, objectstore.PutObjectInput{Bucket: b, Key: k, Owner: owner, Body: strings.NewReader("x"), Size: 1,
			Tags: []objectstore.Tag{{Key: "old", Value: "1"}}})
		if err != nil {
			t.Fatal(err)
		}
		return oi
	}
	put("plain-bkt", "a")
	put("plain-bkt", "b")
	v1 := put("versioned-bkt", "k")
	del, err := s.DeleteObject(ctx, objectstore.DeleteObjectInput{Bucket: "versioned-bkt", Key: "k", Owner: owner})
	if err != nil {
		t.Fatal(err)
	}
	tags := []objectstore.Tag{{Key: "new", Value: "2"}}

	t.Run("tags change and each object's failure is its single call's", func(t *testing.T) {
		errs, err := s.UpdateObjects(ctx, "plain-bkt", []objectstore.ObjectRef{
			{Bucket: "plain-bkt", Key: "a"}, {Bucket: "plain-bkt", Key: "missing"}, {Bucket: "plain-bkt", Key: "b", VersionID: "not-a-version"},
			{Bucket: "other-bkt", Key: "a"},
		}, objectstore.ObjectChange{SetTags: true, Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		codes := []string{objectstore.Code(errs[0]), objectstore.Code(errs[1]), objectstore.Code(errs[2]), objectstore.Code(errs[3])}
		if want := []string{"", "NoSuchKey", "InvalidArgument", "InvalidRequest"}; !slices.Equal(codes, want) {
			t.Fatalf("codes %v, want %v", codes, want)
		}
		oi, _ := s.HeadObject(ctx, objectstore.GetObjectInput{Bucket: "plain-bkt", Key: "a"})
		if !slices.Equal(oi.Tags, tags) {
			t.Fatalf("tags %v", oi.Tags)
		}
	})
	t.Run("a delete marker answers NoSuchKey when current and MethodNotAllowed when named", func(t *testing.T) {
		errs, err := s.UpdateObjects(ctx, "versioned-bkt", []objectstore.ObjectRef{
			{Bucket: "versioned-bkt", Key: "k"}, {Bucket: "versioned-bkt", Key: "k", VersionID: del.VersionID},
			{Bucket: "versioned-bkt", Key: "k", VersionID: v1.VersionID},
		}, objectstore.ObjectChange{SetTags: true, Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		if objectstore.Code(errs[0]) != "NoSuchKey" || objectstore.Code(errs[1]) != "MethodNotAllowed" || errs[2] != nil {
			t.Fatalf("errors %v", errs)
		}
		oi, _ := s.HeadObject(ctx, objectstore.GetObjectInput{Bucket: "versioned-bkt", Key: "k", VersionID: v1.VersionID})
		if !slices.Equal(oi.Tags, tags) {
			t.Fatalf("tags of the named version %v", oi.Tags)
		}
	})
	t.Run("an empty tag set removes the tags", func(t *testing.T) {
		errs, err := s.UpdateObjects(ctx, "plain-bkt", []objectstore.ObjectRef{{Bucket: "plain-bkt", Key: "b"}}, objectstore.ObjectChange{SetTags: true})
		if err != nil || errs[0] != nil {
			t.Fatalf("%v %v", errs, err)
		}
		if oi, _ := s.HeadObject(ctx, objectstore.GetObjectInput{Bucket: "plain-bkt", Key: "b"}); len(oi.Tags) != 0 {
			t.Fatalf("tags %v", oi.Tags)
		}
	})
	t.Run("an ACL replaces the ACL", func(t *testing.T) {
		acl, _ := objectstore.CannedACL("public-read", owner, owner)
		errs, err := s.UpdateObjects(ctx, "plain-bkt", []objectstore.ObjectRef{{Bucket: "plain-bkt", Key: "a"}}, objectstore.ObjectChange{ACL: &acl})
		if err != nil || errs[0] != nil {
			t.Fatalf("%v %v", errs, err)
		}
		oi, _ := s.HeadObject(ctx, objectstore.GetObjectInput{Bucket: "plain-bkt", Key: "a"})
		if len(oi.ACL.Grants) != 2 || !slices.Equal(oi.Tags, tags) {
			t.Fatalf("acl %+v, tags %v", oi.ACL, oi.Tags)
		}
	})
	t.Run("invalid tags and a missing bucket fail the whole call", func(t *testing.T) {
		if _, err := s.UpdateObjects(ctx, "plain-bkt", nil, objectstore.ObjectChange{SetTags: true, Tags: []objectstore.Tag{{Key: "aws:x", Value: "1"}}}); objectstore.Code(err) != "InvalidTag" {
			t.Fatalf("err %v", err)
		}
		if _, err := s.UpdateObjects(ctx, "no-such-bkt", []objectstore.ObjectRef{{Bucket: "no-such-bkt", Key: "a"}}, objectstore.ObjectChange{SetTags: true, Tags: tags}); objectstore.Code(err) != "NoSuchBucket" {
			t.Fatalf("err %v", err)
		}
	})
}
