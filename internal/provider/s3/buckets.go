package s3

import (
	"context"
	"net/http"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// ListBuckets implements api.Service: the caller's buckets, by name, with
// S3's optional prefix and pages of MaxBuckets.
func (p *Provider) ListBuckets(ctx context.Context, in *api.ListBucketsRequest) (*api.ListBucketsOutput, error) {
	account, _ := who(ctx)
	list := account
	if p.opts.SkipAccessChecks {
		list = ""
	}
	bs, err := p.store.ListBuckets(ctx, list)
	if err != nil {
		return nil, err
	}
	scope := "ListBuckets\x00" + account + "\x00" + str(in.Prefix)
	after := ""
	if in.ContinuationToken != nil {
		c, err := p.tokens.Open(scope, *in.ContinuationToken)
		if err != nil {
			return nil, invalidArgument("The continuation token provided is incorrect", "continuation-token", *in.ContinuationToken)
		}
		after = string(c)
	}
	max := intVal(in.MaxBuckets, 10000)
	out := &api.ListBucketsOutput{Owner: owner(account), Prefix: in.Prefix, Buckets: []api.Bucket{}}
	for _, b := range bs {
		if !strings.HasPrefix(b.Name, str(in.Prefix)) || b.Name <= after {
			continue
		}
		if in.BucketRegion != nil && b.Region != *in.BucketRegion {
			continue
		}
		if len(out.Buckets) == max {
			out.ContinuationToken = ptr(p.tokens.Seal(scope, []byte(*out.Buckets[len(out.Buckets)-1].Name)))
			break
		}
		out.Buckets = append(out.Buckets, api.Bucket{Name: ptr(b.Name), CreationDate: ptr(b.CreationDate),
			BucketRegion: ptr(b.Region), BucketArn: ptr("arn:aws:s3:::" + b.Name)})
	}
	return out, nil
}

// CreateBucket implements api.Service. The bucket is created in jobplane's
// region: a LocationConstraint must name it (and is omitted for us-east-1,
// which S3 refuses as a constraint).
func (p *Provider) CreateBucket(ctx context.Context, in *api.CreateBucketRequest) (*api.CreateBucketOutput, error) {
	account, _ := who(ctx)
	name := str(in.Bucket)
	constraint := ""
	var tags []objectstore.Tag
	if c := in.CreateBucketConfiguration; c != nil {
		if c.LocationConstraint != nil {
			constraint = string(*c.LocationConstraint)
		}
		tags = tagsIn(c.Tags)
	}
	if constraint == "EU" {
		constraint = "eu-west-1"
	}
	switch {
	case constraint == "" && p.region != "us-east-1":
		return nil, apierror.New("IllegalLocationConstraintException", http.StatusBadRequest,
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case constraint == "us-east-1" || (constraint != "" && constraint != p.region):
		if constraint != "us-east-1" && p.region == "us-east-1" {
			return nil, apierror.New("IllegalLocationConstraintException", http.StatusBadRequest,
				"The "+constraint+" location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
		return nil, apierror.New("InvalidLocationConstraint", http.StatusBadRequest,
			"The specified location-constraint is not valid").With("LocationConstraint", constraint)
	}
	h := aclHeaders{full: in.GrantFullControl, read: in.GrantRead, readACP: in.GrantReadACP, write: in.GrantWrite, writeACP: in.GrantWriteACP}
	if in.ACL != nil {
		h.canned = string(*in.ACL)
	}
	acl, _, err := h.acl(account, account)
	if err != nil {
		return nil, err
	}
	_, err = p.store.CreateBucket(ctx, objectstore.CreateBucketInput{Bucket: name, Owner: account, Region: p.region,
		ObjectLockEnabled: boolVal(in.ObjectLockEnabledForBucket), ACL: acl, Tags: tags})
	// In us-east-1 S3 answers 200 to a bucket the caller already owns, for
	// compatibility (Amazon S3 API Reference, CreateBucket: "If you create a
	// bucket that you already own ... in the North Virginia Region").
	if objectstore.Code(err) == objectstore.CodeBucketAlreadyOwnedByYou && p.region == "us-east-1" {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return &api.CreateBucketOutput{Location: ptr("/" + name), BucketArn: ptr("arn:aws:s3:::" + name)}, nil
}

// HeadBucket implements api.Service.
func (p *Provider) HeadBucket(ctx context.Context, in *api.HeadBucketRequest) (*api.HeadBucketOutput, error) {
	b, err := p.bucketInfo(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermRead)
	if err != nil {
		return nil, err
	}
	return &api.HeadBucketOutput{BucketRegion: ptr(b.Region), BucketArn: ptr("arn:aws:s3:::" + b.Name)}, nil
}

// DeleteBucket implements api.Service.
func (p *Provider) DeleteBucket(ctx context.Context, in *api.DeleteBucketRequest) error {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return err
	}
	return p.store.DeleteBucket(ctx, str(in.Bucket))
}

// GetBucketLocation implements api.Service: empty for us-east-1, as S3.
func (p *Provider) GetBucketLocation(ctx context.Context, in *api.GetBucketLocationRequest) (*api.GetBucketLocationOutput, error) {
	b, err := p.bucketInfo(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), "")
	if err != nil {
		return nil, err
	}
	out := &api.GetBucketLocationOutput{}
	if b.Region != "us-east-1" {
		out.LocationConstraint = ptr(api.BucketLocationConstraint(b.Region))
	}
	return out, nil
}

// GetBucketVersioning implements api.Service.
func (p *Provider) GetBucketVersioning(ctx context.Context, in *api.GetBucketVersioningRequest) (*api.GetBucketVersioningOutput, error) {
	b, err := p.bucketInfo(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), "")
	if err != nil {
		return nil, err
	}
	out := &api.GetBucketVersioningOutput{}
	if b.Versioning != "" {
		out.Status = ptr(api.BucketVersioningStatus(b.Versioning))
	}
	return out, nil
}

// PutBucketVersioning implements api.Service.
func (p *Provider) PutBucketVersioning(ctx context.Context, in *api.PutBucketVersioningRequest) error {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return err
	}
	c := in.VersioningConfiguration
	if c == nil || c.Status == nil {
		return objectstore.ErrMalformedXML()
	}
	return p.store.PutBucketVersioning(ctx, str(in.Bucket), string(*c.Status))
}

// GetObjectLockConfiguration implements api.Service.
func (p *Provider) GetObjectLockConfiguration(ctx context.Context, in *api.GetObjectLockConfigurationRequest) (*api.GetObjectLockConfigurationOutput, error) {
	b, err := p.bucketInfo(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), "")
	if err != nil {
		return nil, err
	}
	if b.ObjectLock == nil {
		return nil, apierror.New(objectstore.CodeObjectLockConfigNotFound, http.StatusNotFound,
			"Object Lock configuration does not exist for this bucket").With("BucketName", b.Name)
	}
	cfg := &api.ObjectLockConfiguration{ObjectLockEnabled: ptr(api.ObjectLockEnabledEnabled)}
	if d := b.ObjectLock.DefaultRetention; d != nil {
		r := &api.DefaultRetention{Mode: ptr(api.ObjectLockRetentionMode(d.Mode))}
		if d.Days > 0 {
			r.Days = ptr(int32(d.Days))
		}
		if d.Years > 0 {
			r.Years = ptr(int32(d.Years))
		}
		cfg.Rule = &api.ObjectLockRule{DefaultRetention: r}
	}
	return &api.GetObjectLockConfigurationOutput{ObjectLockConfiguration: cfg}, nil
}

// PutObjectLockConfiguration implements api.Service.
func (p *Provider) PutObjectLockConfiguration(ctx context.Context, in *api.PutObjectLockConfigurationRequest) (*api.PutObjectLockConfigurationOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return nil, err
	}
	c := in.ObjectLockConfiguration
	if c == nil || c.ObjectLockEnabled == nil {
		return nil, objectstore.ErrMalformedXML()
	}
	var cfg objectstore.ObjectLockConfiguration
	if c.Rule != nil {
		d := c.Rule.DefaultRetention
		if d == nil || d.Mode == nil {
			return nil, objectstore.ErrMalformedXML()
		}
		cfg.DefaultRetention = &objectstore.DefaultRetention{Mode: string(*d.Mode), Days: intVal(d.Days, 0), Years: intVal(d.Years, 0)}
	}
	return &api.PutObjectLockConfigurationOutput{}, p.store.PutObjectLockConfiguration(ctx, str(in.Bucket), cfg)
}

// GetBucketTagging implements api.Service.
func (p *Provider) GetBucketTagging(ctx context.Context, in *api.GetBucketTaggingRequest) (*api.GetBucketTaggingOutput, error) {
	b, err := p.bucketInfo(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), "")
	if err != nil {
		return nil, err
	}
	if b.Tags == nil {
		return nil, errNoSuchTagSet(b.Name)
	}
	return &api.GetBucketTaggingOutput{TagSet: tagsOut(b.Tags)}, nil
}

// PutBucketTagging implements api.Service.
func (p *Provider) PutBucketTagging(ctx context.Context, in *api.PutBucketTaggingRequest) error {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return err
	}
	if in.Tagging == nil {
		return objectstore.ErrMalformedXML()
	}
	tags := tagsIn(in.Tagging.TagSet)
	if tags == nil {
		tags = []objectstore.Tag{}
	}
	return p.store.PutBucketTagging(ctx, str(in.Bucket), tags)
}

// DeleteBucketTagging implements api.Service.
func (p *Provider) DeleteBucketTagging(ctx context.Context, in *api.DeleteBucketTaggingRequest) error {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return err
	}
	return p.store.PutBucketTagging(ctx, str(in.Bucket), nil)
}

// GetBucketAcl implements api.Service.
func (p *Provider) GetBucketAcl(ctx context.Context, in *api.GetBucketAclRequest) (*api.GetBucketAclOutput, error) {
	b, err := p.bucketInfo(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermReadACP)
	if err != nil {
		return nil, err
	}
	o, grants := grantsOut(b.ACL)
	return &api.GetBucketAclOutput{Owner: o, Grants: grants}, nil
}

// PutBucketAcl implements api.Service.
func (p *Provider) PutBucketAcl(ctx context.Context, in *api.PutBucketAclRequest) error {
	b, err := p.bucketInfo(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWriteACP)
	if err != nil {
		return err
	}
	h := aclHeaders{full: in.GrantFullControl, read: in.GrantRead, readACP: in.GrantReadACP, write: in.GrantWrite,
		writeACP: in.GrantWriteACP, policy: in.AccessControlPolicy}
	if in.ACL != nil {
		h.canned = string(*in.ACL)
	}
	acl, set, err := h.acl(b.Owner, b.Owner)
	if err != nil {
		return err
	}
	if !set {
		return objectstore.ErrMalformedACL()
	}
	return p.store.PutBucketACL(ctx, b.Name, acl)
}
