package remote

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/jobplane/jobplane/internal/objectstore"
)

// CreateBucket implements objectstore.Store. The bucket returned is built
// from in (its ACL private to in.Owner when in names no grants), as the
// embedded store's is: reading it back would take one call per part of its
// configuration (see HeadBucket).
func (s *Store) CreateBucket(ctx context.Context, in objectstore.CreateBucketInput) (objectstore.Bucket, error) {
	req := &awss3.CreateBucketInput{Bucket: aws.String(in.Bucket)}
	if in.ObjectLockEnabled {
		req.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if s.region != "us-east-1" {
		req.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(s.region)}
	}
	if _, err := s.c.CreateBucket(ctx, req); err != nil {
		return objectstore.Bucket{}, mapErr(err, in.Bucket, "", nil)
	}
	if len(in.ACL.Grants) > 0 {
		if err := s.PutBucketACL(ctx, in.Bucket, in.ACL); err != nil {
			return objectstore.Bucket{}, err
		}
	}
	if in.Tags != nil {
		if err := s.PutBucketTagging(ctx, in.Bucket, in.Tags); err != nil {
			return objectstore.Bucket{}, err
		}
	}
	b := objectstore.Bucket{Name: in.Bucket, Owner: in.Owner, Region: s.region, ACL: in.ACL}
	if len(in.ACL.Grants) == 0 {
		b.ACL = objectstore.PrivateACL(in.Owner)
	}
	if in.Tags != nil {
		b.Tags = append([]objectstore.Tag{}, in.Tags...)
	}
	if in.ObjectLockEnabled {
		b.Versioning, b.ObjectLock = objectstore.VersioningEnabled, &objectstore.ObjectLockConfiguration{}
	}
	return b, nil
}

// HeadBucket implements objectstore.Store. A bucket's configuration takes
// one S3 call per part (versioning, Object Lock, tags, ACL, replication,
// location); they run side by side.
func (s *Store) HeadBucket(ctx context.Context, bucket string) (objectstore.Bucket, error) {
	name := aws.String(bucket)
	if _, err := s.c.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: name}); err != nil {
		return objectstore.Bucket{}, mapErr(err, bucket, "", func() error { return objectstore.ErrNoSuchBucket(bucket) })
	}
	b := objectstore.Bucket{Name: bucket, Region: s.region}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	part := func(fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	part(func() error {
		v, err := s.c.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: name})
		if err == nil {
			b.Versioning = string(v.Status)
		}
		return mapErr(err, bucket, "", nil)
	})
	part(func() error {
		l, err := s.c.GetObjectLockConfiguration(ctx, &awss3.GetObjectLockConfigurationInput{Bucket: name})
		if err != nil {
			return ignore(mapErr(err, bucket, "", nil), objectstore.CodeObjectLockConfigNotFound)
		}
		if c := l.ObjectLockConfiguration; c != nil && c.ObjectLockEnabled == types.ObjectLockEnabledEnabled {
			b.ObjectLock = &objectstore.ObjectLockConfiguration{}
			if c.Rule != nil && c.Rule.DefaultRetention != nil {
				d := c.Rule.DefaultRetention
				b.ObjectLock.DefaultRetention = &objectstore.DefaultRetention{Mode: string(d.Mode),
					Days: int(aws.ToInt32(d.Days)), Years: int(aws.ToInt32(d.Years))}
			}
		}
		return nil
	})
	part(func() error {
		t, err := s.c.GetBucketTagging(ctx, &awss3.GetBucketTaggingInput{Bucket: name})
		if err != nil {
			return ignore(mapErr(err, bucket, "", nil), "NoSuchTagSet")
		}
		b.Tags = tagsIn(t.TagSet)
		if b.Tags == nil {
			b.Tags = []objectstore.Tag{}
		}
		return nil
	})
	part(func() error {
		a, err := s.c.GetBucketAcl(ctx, &awss3.GetBucketAclInput{Bucket: name})
		if err == nil {
			b.ACL = aclIn(a.Owner, a.Grants)
		}
		return mapErr(err, bucket, "", nil)
	})
	part(func() error {
		r, err := s.c.GetBucketReplication(ctx, &awss3.GetBucketReplicationInput{Bucket: name})
		if err != nil {
			return ignore(mapErr(err, bucket, "", nil), "ReplicationConfigurationNotFoundError")
		}
		b.Replication = replicationIn(r.ReplicationConfiguration)
		return nil
	})
	wg.Wait()
	if len(errs) > 0 {
		return b, errs[0]
	}
	return b, nil
}

// ignore drops an error of one of the codes (an absent configuration).
func ignore(err error, codes ...string) error {
	for _, c := range codes {
		if objectstore.Code(err) == c {
			return nil
		}
	}
	return err
}

// ListBuckets implements objectstore.Store: the endpoint's buckets for the
// store's credentials, whatever owner is asked for.
func (s *Store) ListBuckets(ctx context.Context, owner string) ([]objectstore.Bucket, error) {
	var out []objectstore.Bucket
	p := awss3.NewListBucketsPaginator(s.c, &awss3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr(err, "", "", nil)
		}
		for _, b := range page.Buckets {
			region := str(b.BucketRegion)
			if region == "" {
				region = s.region
			}
			out = append(out, objectstore.Bucket{Name: str(b.Name), CreationDate: timeVal(b.CreationDate), Region: region})
		}
	}
	return out, nil
}

// DeleteBucket implements objectstore.Store.
func (s *Store) DeleteBucket(ctx context.Context, bucket string) error {
	_, err := s.c.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String(bucket)})
	return mapErr(err, bucket, "", nil)
}

// PutBucketVersioning implements objectstore.Store.
func (s *Store) PutBucketVersioning(ctx context.Context, bucket, status string) error {
	_, err := s.c.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatus(status)}})
	return mapErr(err, bucket, "", nil)
}

// PutObjectLockConfiguration implements objectstore.Store.
func (s *Store) PutObjectLockConfiguration(ctx context.Context, bucket string, cfg objectstore.ObjectLockConfiguration) error {
	c := &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}
	if d := cfg.DefaultRetention; d != nil {
		r := &types.DefaultRetention{Mode: types.ObjectLockRetentionMode(d.Mode)}
		if d.Days > 0 {
			r.Days = aws.Int32(int32(d.Days))
		}
		if d.Years > 0 {
			r.Years = aws.Int32(int32(d.Years))
		}
		c.Rule = &types.ObjectLockRule{DefaultRetention: r}
	}
	_, err := s.c.PutObjectLockConfiguration(ctx, &awss3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket), ObjectLockConfiguration: c})
	return mapErr(err, bucket, "", nil)
}

// PutBucketTagging implements objectstore.Store.
func (s *Store) PutBucketTagging(ctx context.Context, bucket string, tags []objectstore.Tag) error {
	var err error
	if tags == nil {
		_, err = s.c.DeleteBucketTagging(ctx, &awss3.DeleteBucketTaggingInput{Bucket: aws.String(bucket)})
	} else {
		_, err = s.c.PutBucketTagging(ctx, &awss3.PutBucketTaggingInput{Bucket: aws.String(bucket),
			Tagging: &types.Tagging{TagSet: tagsOut(tags)}})
	}
	return mapErr(err, bucket, "", nil)
}

// PutBucketReplication implements objectstore.Store.
func (s *Store) PutBucketReplication(ctx context.Context, bucket string, cfg *objectstore.ReplicationConfiguration) error {
	var err error
	if cfg == nil {
		_, err = s.c.DeleteBucketReplication(ctx, &awss3.DeleteBucketReplicationInput{Bucket: aws.String(bucket)})
	} else {
		_, err = s.c.PutBucketReplication(ctx, &awss3.PutBucketReplicationInput{Bucket: aws.String(bucket),
			ReplicationConfiguration: replicationOut(cfg)})
	}
	return mapErr(err, bucket, "", nil)
}

// PutBucketACL implements objectstore.Store.
func (s *Store) PutBucketACL(ctx context.Context, bucket string, acl objectstore.ACL) error {
	_, err := s.c.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: aws.String(bucket), AccessControlPolicy: aclPolicy(acl)})
	return mapErr(err, bucket, "", nil)
}

func replicationIn(c *types.ReplicationConfiguration) *objectstore.ReplicationConfiguration {
	if c == nil {
		return nil
	}
	out := &objectstore.ReplicationConfiguration{Role: str(c.Role)}
	for _, r := range c.Rules {
		rule := objectstore.ReplicationRule{ID: str(r.ID), Priority: r.Priority, Status: string(r.Status), Prefix: r.Prefix}
		if d := r.Destination; d != nil {
			rule.Destination = objectstore.ReplicationDestination{Bucket: str(d.Bucket), Account: str(d.Account), StorageClass: string(d.StorageClass)}
		}
		if r.DeleteMarkerReplication != nil {
			rule.DeleteMarkerReplication = string(r.DeleteMarkerReplication.Status)
		}
		if r.ExistingObjectReplication != nil {
			rule.ExistingObjectReplication = string(r.ExistingObjectReplication.Status)
		}
		if f := r.Filter; f != nil {
			rule.Filter = &objectstore.ReplicationFilter{Prefix: f.Prefix}
			if f.Tag != nil {
				rule.Filter.Tag = &objectstore.Tag{Key: str(f.Tag.Key), Value: str(f.Tag.Value)}
			}
			if f.And != nil {
				rule.Filter.And = &objectstore.ReplicationAnd{Prefix: f.And.Prefix, Tags: tagsIn(f.And.Tags)}
			}
		}
		out.Rules = append(out.Rules, rule)
	}
	return out
}

func replicationOut(c *objectstore.ReplicationConfiguration) *types.ReplicationConfiguration {
	out := &types.ReplicationConfiguration{Role: aws.String(c.Role)}
	for _, r := range c.Rules {
		rule := types.ReplicationRule{ID: strPtr(r.ID), Priority: r.Priority, Status: types.ReplicationRuleStatus(r.Status), Prefix: r.Prefix,
			Destination: &types.Destination{Bucket: aws.String(r.Destination.Bucket), Account: strPtr(r.Destination.Account),
				StorageClass: types.StorageClass(r.Destination.StorageClass)}}
		if r.DeleteMarkerReplication != "" {
			rule.DeleteMarkerReplication = &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatus(r.DeleteMarkerReplication)}
		}
		if r.ExistingObjectReplication != "" {
			rule.ExistingObjectReplication = &types.ExistingObjectReplication{Status: types.ExistingObjectReplicationStatus(r.ExistingObjectReplication)}
		}
		if f := r.Filter; f != nil {
			rule.Filter = &types.ReplicationRuleFilter{Prefix: f.Prefix}
			if f.Tag != nil {
				rule.Filter.Tag = &types.Tag{Key: aws.String(f.Tag.Key), Value: aws.String(f.Tag.Value)}
			}
			if f.And != nil {
				rule.Filter.And = &types.ReplicationRuleAndOperator{Prefix: f.And.Prefix, Tags: tagsOut(f.And.Tags)}
			}
		}
		out.Rules = append(out.Rules, rule)
	}
	return out
}
