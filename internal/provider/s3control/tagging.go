package s3control

import (
	"context"
	"errors"
	"net/http"
	"regexp"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/store"
)

// A job has one tag set, whichever API changes it: the job tagging
// operations (Get/Put/DeleteJobTagging) and the generic resource tagging
// ones (TagResource, UntagResource, ListTagsForResource) on its ARN.

// GetJobTagging implements api.Service.
func (p *Provider) GetJobTagging(ctx context.Context, in *api.GetJobTaggingRequest) (*api.GetJobTaggingResult, error) {
	tags, err := p.tags(ctx, deref(in.AccountId), deref(in.JobId))
	if err != nil {
		return nil, err
	}
	out := &api.GetJobTaggingResult{Tags: make([]api.S3Tag, len(tags))}
	for i, t := range tags {
		out.Tags[i] = api.S3Tag{Key: ptr(t.Key), Value: ptr(t.Value)}
	}
	return out, nil
}

// PutJobTagging implements api.Service: the set replaces the job's tags; an
// empty set deletes them (spec §2).
func (p *Provider) PutJobTagging(ctx context.Context, in *api.PutJobTaggingRequest) (*api.PutJobTaggingResult, error) {
	account, id := deref(in.AccountId), deref(in.JobId)
	if _, err := p.load(ctx, account, id); err != nil {
		return nil, err
	}
	if len(in.Tags) > MaxTags {
		return nil, tooManyTags()
	}
	if k, dup := duplicateKey(in.Tags); dup {
		return nil, duplicateTag(k)
	}
	if err := p.jobs.ReplaceJobTags(ctx, account, id, storeTags(in.Tags)); err != nil {
		return nil, p.storeErr(err)
	}
	return &api.PutJobTaggingResult{}, nil
}

// DeleteJobTagging implements api.Service.
func (p *Provider) DeleteJobTagging(ctx context.Context, in *api.DeleteJobTaggingRequest) (*api.DeleteJobTaggingResult, error) {
	account, id := deref(in.AccountId), deref(in.JobId)
	if _, err := p.load(ctx, account, id); err != nil {
		return nil, err
	}
	if err := p.jobs.ReplaceJobTags(ctx, account, id, nil); err != nil {
		return nil, p.storeErr(err)
	}
	return &api.DeleteJobTaggingResult{}, nil
}

// TagResource implements api.Service for job ARNs: the tags are added to
// the job's set, replacing the values of keys it has.
func (p *Provider) TagResource(ctx context.Context, in *api.TagResourceRequest) (*api.TagResourceResult, error) {
	account, id, err := p.jobOfARN(ctx, "TagResource", deref(in.AccountId), deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	tags := make([]api.S3Tag, len(in.Tags))
	for i, t := range in.Tags {
		tags[i] = api.S3Tag(t)
	}
	if k, dup := duplicateKey(tags); dup {
		return nil, duplicateTag(k)
	}
	err = p.jobs.MergeJobTags(ctx, account, id, storeTags(tags), MaxTags)
	if errors.Is(err, store.ErrTooManyTags) {
		return nil, tooManyTags()
	}
	if err != nil {
		return nil, p.storeErr(err)
	}
	return &api.TagResourceResult{}, nil
}

// UntagResource implements api.Service for job ARNs.
func (p *Provider) UntagResource(ctx context.Context, in *api.UntagResourceRequest) (*api.UntagResourceResult, error) {
	account, id, err := p.jobOfARN(ctx, "UntagResource", deref(in.AccountId), deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	if err := p.jobs.RemoveJobTags(ctx, account, id, in.TagKeys); err != nil {
		return nil, p.storeErr(err)
	}
	return &api.UntagResourceResult{}, nil
}

// ListTagsForResource implements api.Service for job ARNs.
func (p *Provider) ListTagsForResource(ctx context.Context, in *api.ListTagsForResourceRequest) (*api.ListTagsForResourceResult, error) {
	account, id, err := p.jobOfARN(ctx, "ListTagsForResource", deref(in.AccountId), deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	// jobOfARN has loaded the job: only its tags remain to be read.
	tags, err := p.jobs.JobTags(ctx, account, id)
	if err != nil {
		return nil, p.storeErr(err)
	}
	out := &api.ListTagsForResourceResult{Tags: make([]api.Tag, len(tags))}
	for i, t := range tags {
		out.Tags[i] = api.Tag{Key: ptr(t.Key), Value: ptr(t.Value)}
	}
	return out, nil
}

// tags returns the tags of a job the caller can see.
func (p *Provider) tags(ctx context.Context, account, id string) ([]store.Tag, error) {
	if _, err := p.load(ctx, account, id); err != nil {
		return nil, err
	}
	tags, err := p.jobs.JobTags(ctx, account, id)
	return tags, p.storeErr(err)
}

var (
	// jobARN is arn:{partition}:s3:{region}:{account}:job/{id} (spec §4.2).
	jobARN = regexp.MustCompile(`^arn:[a-z-]+:s3:[a-z0-9-]+:(\d{12}):job/([a-zA-Z0-9_-]{5,36})$`)
	// s3ResourceARN is any other ARN of S3 (buckets, access points,
	// Storage Lens groups, Access Grants), whose tagging jobplane does not
	// serve.
	s3ResourceARN = regexp.MustCompile(`^arn:[a-z-]+:s3(express)?:[a-z0-9-]*:\d{12}:[a-z-]+/.+$|^arn:[a-z-]+:s3:::[^/]+$`)
)

// jobOfARN returns the account and id of the job a resource ARN names.
// Only the caller's own jobs are found: an ARN of another account, region
// or partition names nothing the caller can see.
func (p *Provider) jobOfARN(ctx context.Context, op, account, arn string) (string, string, error) {
	m := jobARN.FindStringSubmatch(arn)
	if m == nil {
		if s3ResourceARN.MatchString(arn) {
			return "", "", apierror.Newf("NotImplemented", http.StatusNotImplemented,
				"jobplane implements %s for S3 Batch Operations job ARNs only, not %s.", op, arn)
		}
		return "", "", apierror.Newf("InvalidRequest", http.StatusBadRequest, "%q is not a valid resource ARN.", arn)
	}
	if m[1] != account {
		return "", "", notFound()
	}
	job, err := p.load(ctx, account, m[2])
	if err != nil {
		return "", "", err
	}
	if job.ARN != arn {
		return "", "", notFound()
	}
	return account, job.ID, nil
}

func tooManyTags() error {
	return &api.TooManyTagsException{Message: ptr("A job can have at most 50 tags.")}
}

// duplicateTag: PutJobTagging and TagResource model no BadRequestException,
// so a repeated key gets S3's generic InvalidRequest, as the gateway answers
// their other invalid input (docs/errors.md).
func duplicateTag(key string) error {
	return apierror.Newf("InvalidRequest", http.StatusBadRequest, "The tag key %q appears more than once; tag keys must be unique.", key)
}
