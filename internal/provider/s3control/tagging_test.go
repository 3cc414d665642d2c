package s3control

import (
	"fmt"
	"slices"
	"testing"

	api "github.com/jobplane/jobplane/internal/api/s3control"
)

func s3tags(kv ...string) []api.S3Tag {
	out := []api.S3Tag{}
	for i := 0; i < len(kv); i += 2 {
		out = append(out, api.S3Tag{Key: ptr(kv[i]), Value: ptr(kv[i+1])})
	}
	return out
}

func tagsOf(t *testing.T, e *env, id string) []string {
	t.Helper()
	out, err := e.p.GetJobTagging(ctx(), &api.GetJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Tags == nil {
		t.Fatal("GetJobTagging returned a nil list; AWS always sends <Tags>")
	}
	var kv []string
	for _, tag := range out.Tags {
		kv = append(kv, *tag.Key+"="+*tag.Value)
	}
	return kv
}

func TestAJobHasOneTagSetWhicheverAPIChangesIt(t *testing.T) {
	e := newEnv(t, false)
	in := createRequest()
	in.Tags = s3tags("team", "data", "cost", "1")
	id := e.create(t, in)
	arn := *e.describe(t, id).JobArn
	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"CreateJob's tags", func() error { return nil }, []string{"team=data", "cost=1"}},
		{"PutJobTagging replaces the set", func() error {
			_, err := e.p.PutJobTagging(ctx(), &api.PutJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id), Tags: s3tags("a", "1", "b", "")})
			return err
		}, []string{"a=1", "b="}},
		{"TagResource adds and overwrites", func() error {
			_, err := e.p.TagResource(ctx(), &api.TagResourceRequest{AccountId: ptr(account), ResourceArn: ptr(arn),
				Tags: []api.Tag{{Key: ptr("c"), Value: ptr("3")}, {Key: ptr("a"), Value: ptr("one")}}})
			return err
		}, []string{"a=one", "b=", "c=3"}},
		{"UntagResource removes keys, ignoring unknown ones", func() error {
			_, err := e.p.UntagResource(ctx(), &api.UntagResourceRequest{AccountId: ptr(account), ResourceArn: ptr(arn), TagKeys: []string{"b", "zzz"}})
			return err
		}, []string{"a=one", "c=3"}},
		{"DeleteJobTagging removes everything", func() error {
			_, err := e.p.DeleteJobTagging(ctx(), &api.DeleteJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id)})
			return err
		}, nil},
		{"PutJobTagging with an empty set keeps it empty", func() error {
			if _, err := e.p.PutJobTagging(ctx(), &api.PutJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id), Tags: s3tags("x", "y")}); err != nil {
				return err
			}
			_, err := e.p.PutJobTagging(ctx(), &api.PutJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id), Tags: []api.S3Tag{}})
			return err
		}, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.do(); err != nil {
				t.Fatal(err)
			}
			if got := tagsOf(t, e, id); !slices.Equal(got, s.want) {
				t.Fatalf("tags %v, want %v", got, s.want)
			}
			out, err := e.p.ListTagsForResource(ctx(), &api.ListTagsForResourceRequest{AccountId: ptr(account), ResourceArn: ptr(arn)})
			if err != nil || len(out.Tags) != len(s.want) || out.Tags == nil {
				t.Fatalf("ListTagsForResource = %+v, %v", out, err)
			}
			var listed []string
			for _, tag := range out.Tags {
				listed = append(listed, *tag.Key+"="+*tag.Value)
			}
			if !slices.Equal(listed, s.want) {
				t.Fatalf("ListTagsForResource tags %v, want %v", listed, s.want)
			}
		})
	}
	t.Run("tagging leaves the job itself as it was", func(t *testing.T) {
		d := e.describe(t, id)
		if *d.JobId != id || *d.JobArn != arn || *d.Priority != *in.Priority {
			t.Fatalf("job %s (%s, priority %d) after tagging, want %s (%s, priority %d)", *d.JobId, *d.JobArn, *d.Priority, id, arn, *in.Priority)
		}
	})
}

func TestTaggingLimitsAndErrors(t *testing.T) {
	e := newEnv(t, false)
	id := e.create(t, createRequest())
	arn := *e.describe(t, id).JobArn
	mine := e.seed(t, other, sReady)
	many := func(n int, prefix string) []api.S3Tag {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprint(prefix, i), "v")
		}
		return s3tags(kv...)
	}
	generic := func(tags []api.S3Tag) []api.Tag {
		out := make([]api.Tag, len(tags))
		for i, t := range tags {
			out[i] = api.Tag(t)
		}
		return out
	}
	if _, err := e.p.PutJobTagging(ctx(), &api.PutJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id), Tags: many(50, "k")}); err != nil {
		t.Fatalf("50 tags: %v", err)
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"PutJobTagging with 51 tags", func() error {
			_, err := e.p.PutJobTagging(ctx(), &api.PutJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id), Tags: many(51, "k")})
			return err
		}, "TooManyTagsException"},
		{"TagResource past 50 tags", func() error {
			_, err := e.p.TagResource(ctx(), &api.TagResourceRequest{AccountId: ptr(account), ResourceArn: ptr(arn), Tags: generic(many(1, "new"))})
			return err
		}, "TooManyTagsException"},
		{"PutJobTagging with a repeated key", func() error {
			_, err := e.p.PutJobTagging(ctx(), &api.PutJobTaggingRequest{AccountId: ptr(account), JobId: ptr(id), Tags: s3tags("a", "1", "a", "2")})
			return err
		}, "InvalidRequest"},
		{"TagResource with a repeated key", func() error {
			_, err := e.p.TagResource(ctx(), &api.TagResourceRequest{AccountId: ptr(account), ResourceArn: ptr(arn), Tags: generic(s3tags("k1", "1", "k1", "2"))})
			return err
		}, "InvalidRequest"},
		{"GetJobTagging of an unknown job", func() error {
			_, err := e.p.GetJobTagging(ctx(), &api.GetJobTaggingRequest{AccountId: ptr(account), JobId: ptr("00000000-0000-4000-8000-000000000000")})
			return err
		}, "NotFoundException"},
		{"PutJobTagging of another account's job", func() error {
			_, err := e.p.PutJobTagging(ctx(), &api.PutJobTaggingRequest{AccountId: ptr(account), JobId: ptr(mine), Tags: s3tags("a", "b")})
			return err
		}, "NotFoundException"},
		{"DeleteJobTagging of another account's job", func() error {
			_, err := e.p.DeleteJobTagging(ctx(), &api.DeleteJobTaggingRequest{AccountId: ptr(account), JobId: ptr(mine)})
			return err
		}, "NotFoundException"},
		{"TagResource of another account's job ARN", func() error {
			_, err := e.p.TagResource(ctx(), &api.TagResourceRequest{AccountId: ptr(account), ResourceArn: ptr("arn:aws:s3:us-west-2:" + other + ":job/" + mine), Tags: generic(s3tags("a", "b"))})
			return err
		}, "NotFoundException"},
		{"ListTagsForResource of the job in another region", func() error {
			_, err := e.p.ListTagsForResource(ctx(), &api.ListTagsForResourceRequest{AccountId: ptr(account), ResourceArn: ptr("arn:aws:s3:eu-north-1:" + account + ":job/" + id)})
			return err
		}, "NotFoundException"},
		{"UntagResource of a malformed ARN", func() error {
			_, err := e.p.UntagResource(ctx(), &api.UntagResourceRequest{AccountId: ptr(account), ResourceArn: ptr("arn:aws:s3:us-west-2:" + account + ":job"), TagKeys: []string{"a"}})
			return err
		}, "InvalidRequest"},
		{"TagResource of a bucket ARN", func() error {
			_, err := e.p.TagResource(ctx(), &api.TagResourceRequest{AccountId: ptr(account), ResourceArn: ptr("arn:aws:s3:::bucket"), Tags: generic(s3tags("a", "b"))})
			return err
		}, "NotImplemented"},
		{"ListTagsForResource of a Storage Lens group", func() error {
			_, err := e.p.ListTagsForResource(ctx(), &api.ListTagsForResourceRequest{AccountId: ptr(account), ResourceArn: ptr("arn:aws:s3:us-east-1:" + account + ":storage-lens-group/g")})
			return err
		}, "NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is "+tt.want, func(t *testing.T) {
			if code := errorCode(tt.call()); code != tt.want {
				t.Fatalf("error %q, want %s", code, tt.want)
			}
		})
	}
	if got := tagsOf(t, e, id); len(got) != 50 {
		t.Fatalf("refused changes altered the tags: %d tags", len(got))
	}
}
