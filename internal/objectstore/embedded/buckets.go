package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// CreateBucket implements objectstore.Store.
func (s *Store) CreateBucket(ctx context.Context, in objectstore.CreateBucketInput) (objectstore.Bucket, error) {
	if !objectstore.ValidBucketName(in.Bucket) {
		return objectstore.Bucket{}, objectstore.ErrInvalidBucketName(in.Bucket)
	}
	if err := objectstore.ValidateBucketTags(in.Tags); err != nil {
		return objectstore.Bucket{}, err
	}
	if err := objectstore.ValidateACL(in.ACL); err != nil {
		return objectstore.Bucket{}, err
	}
	var a bucketAttrs
	rec := store.ObjectBucket{Name: in.Bucket, Owner: in.Owner, Region: in.Region, Created: s.lastModified()}
	if in.ObjectLockEnabled {
		a.ObjectLock = &objectstore.ObjectLockConfiguration{}
		rec.Versioning = objectstore.VersioningEnabled
	}
	if in.ACL.Owner.ID != "" {
		acl := in.ACL
		a.ACL = &acl
	}
	if in.Tags != nil {
		a.Tags, a.HasTags = in.Tags, true
	}
	rec.Attrs, _ = json.Marshal(a)
	err := s.meta.CreateBucket(ctx, rec)
	s.buckets.forget(in.Bucket)
	var exists *store.BucketExistsError
	if errors.As(err, &exists) {
		if exists.Owner == in.Owner {
			return objectstore.Bucket{}, objectstore.ErrBucketAlreadyOwnedByYou(in.Bucket)
		}
		return objectstore.Bucket{}, objectstore.ErrBucketAlreadyExists(in.Bucket)
	}
	if err != nil {
		return objectstore.Bucket{}, err
	}
	b, _, err := decodeBucket(rec)
	return b, err
}

// bucketTTL is how long a bucket's configuration is served from memory.
// Every write that depends on the bucket reads it again inside its own
// transaction, so the cache only delays what other jobplane nodes sharing
// the store changed, by at most this much (S3 itself documents that bucket
// configuration changes take time to propagate).
const bucketTTL = time.Second

type bucketCache struct {
	mu sync.RWMutex
	m  map[string]cachedBucket
}

type cachedBucket struct {
	b       objectstore.Bucket
	expires time.Time
}

func (c *bucketCache) get(name string) (objectstore.Bucket, bool) {
	c.mu.RLock()
	e, ok := c.m[name]
	c.mu.RUnlock()
	if !ok || time.Now().After(e.expires) {
		return objectstore.Bucket{}, false
	}
	return e.b, true
}

func (c *bucketCache) put(b objectstore.Bucket) {
	c.mu.Lock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedBucket{}
	}
	c.m[b.Name] = cachedBucket{b: b, expires: time.Now().Add(bucketTTL)}
	c.mu.Unlock()
}

func (c *bucketCache) forget(name string) {
	c.mu.Lock()
	delete(c.m, name)
	c.mu.Unlock()
}

// HeadBucket implements objectstore.Store. The bucket returned is shared:
// callers MUST NOT modify its slices.
func (s *Store) HeadBucket(ctx context.Context, bucket string) (objectstore.Bucket, error) {
	if b, ok := s.buckets.get(bucket); ok {
		return b, nil
	}
	rec, err := s.meta.GetBucket(ctx, bucket)
	if err != nil {
		return objectstore.Bucket{}, mapErr(err, bucket, "", "")
	}
	b, _, err := decodeBucket(rec)
	if err == nil {
		s.buckets.put(b)
	}
	return b, err
}

// ListBuckets implements objectstore.Store.
func (s *Store) ListBuckets(ctx context.Context, owner string) ([]objectstore.Bucket, error) {
	recs, err := s.meta.ListBuckets(ctx, owner)
	if err != nil {
		return nil, err
	}
	out := make([]objectstore.Bucket, 0, len(recs))
	for _, r := range recs {
		b, _, err := decodeBucket(r)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// DeleteBucket implements objectstore.Store.
func (s *Store) DeleteBucket(ctx context.Context, bucket string) error {
	garbage, err := s.meta.DeleteBucket(ctx, bucket)
	s.buckets.forget(bucket)
	if err != nil {
		return mapErr(err, bucket, "", "")
	}
	s.files.discard(garbage)
	return nil
}

// updateBucket runs fn on the decoded bucket and stores the result.
func (s *Store) updateBucket(ctx context.Context, bucket string, fn func(b *store.ObjectBucket, a *bucketAttrs) error) error {
	_, err := s.meta.UpdateBucket(ctx, bucket, func(rec *store.ObjectBucket) error {
		_, a, err := decodeBucket(*rec)
		if err != nil {
			return err
		}
		if err := fn(rec, &a); err != nil {
			return err
		}
		rec.Attrs, err = json.Marshal(a)
		return err
	})
	s.buckets.forget(bucket)
	return mapErr(err, bucket, "", "")
}

// PutBucketVersioning implements objectstore.Store.
func (s *Store) PutBucketVersioning(ctx context.Context, bucket, status string) error {
	if status != objectstore.VersioningEnabled && status != objectstore.VersioningSuspended {
		return objectstore.ErrMalformedXML()
	}
	return s.updateBucket(ctx, bucket, func(b *store.ObjectBucket, a *bucketAttrs) error {
		if status == objectstore.VersioningSuspended && a.ObjectLock != nil {
			return objectstore.ErrInvalidBucketState("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
		}
		b.Versioning = status
		return nil
	})
}

// PutObjectLockConfiguration implements objectstore.Store.
func (s *Store) PutObjectLockConfiguration(ctx context.Context, bucket string, cfg objectstore.ObjectLockConfiguration) error {
	if d := cfg.DefaultRetention; d != nil {
		if d.Mode != objectstore.LockGovernance && d.Mode != objectstore.LockCompliance {
			return objectstore.ErrMalformedXML()
		}
		if (d.Days > 0) == (d.Years > 0) || d.Days < 0 || d.Years < 0 {
			if d.Days < 0 || d.Years < 0 || (d.Days == 0 && d.Years == 0) {
				return objectstore.ErrInvalidArgument("Default retention period must be a positive integer value.", "Days", "")
			}
			return objectstore.ErrMalformedXML()
		}
	}
	return s.updateBucket(ctx, bucket, func(b *store.ObjectBucket, a *bucketAttrs) error {
		if b.Versioning != objectstore.VersioningEnabled {
			return objectstore.ErrInvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
		}
		c := cfg
		a.ObjectLock = &c
		return nil
	})
}

// PutBucketTagging implements objectstore.Store.
func (s *Store) PutBucketTagging(ctx context.Context, bucket string, tags []objectstore.Tag) error {
	if err := objectstore.ValidateBucketTags(tags); err != nil {
		return err
	}
	return s.updateBucket(ctx, bucket, func(b *store.ObjectBucket, a *bucketAttrs) error {
		a.Tags, a.HasTags = tags, tags != nil
		return nil
	})
}

// PutBucketReplication implements objectstore.Store.
func (s *Store) PutBucketReplication(ctx context.Context, bucket string, cfg *objectstore.ReplicationConfiguration) error {
	return s.updateBucket(ctx, bucket, func(b *store.ObjectBucket, a *bucketAttrs) error {
		if cfg != nil && b.Versioning != objectstore.VersioningEnabled {
			return objectstore.ErrInvalidRequest("Versioning must be 'Enabled' on the bucket to apply a replication configuration")
		}
		a.Replication = cfg
		return nil
	})
}

// PutBucketACL implements objectstore.Store.
func (s *Store) PutBucketACL(ctx context.Context, bucket string, acl objectstore.ACL) error {
	if err := objectstore.ValidateACL(acl); err != nil {
		return err
	}
	return s.updateBucket(ctx, bucket, func(b *store.ObjectBucket, a *bucketAttrs) error {
		c := acl
		if c.Owner.ID == "" {
			c.Owner = objectstore.OwnerOf(b.Owner)
		}
		a.ACL = &c
		return nil
	})
}
