package embedded

import (
	"context"
	"time"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// updateObject changes a version's attributes in place: its bytes, ETag and
// Last-Modified stay as they are.
func (s *Store) updateObject(ctx context.Context, ref objectstore.ObjectRef,
	fn func(b objectstore.Bucket, v *store.ObjectVersion, a *versionAttrs) error) (objectstore.ObjectInfo, error) {
	if ref.VersionID != "" && !validVersionID(ref.VersionID) {
		return objectstore.ObjectInfo{}, objectstore.ErrInvalidVersionID(ref.VersionID)
	}
	var (
		bucket store.ObjectBucket
		attrs  versionAttrs
	)
	v, err := s.meta.UpdateVersion(ctx, ref.Bucket, ref.Key, ref.VersionID, func(b *store.ObjectBucket, v *store.ObjectVersion) error {
		if v.DeleteMarker {
			if ref.VersionID == "" {
				return objectstore.ErrNoSuchKey(ref.Key)
			}
			return objectstore.ErrDeleteMarkerVersion(ref.VersionID)
		}
		bucket = *b
		bb, err := lockBucket(b)
		if err != nil {
			return err
		}
		a, err := decodeAttrs(*v)
		if err != nil {
			return err
		}
		if err := fn(bb, v, &a); err != nil {
			return err
		}
		attrs = a
		setAttrs(v, a)
		return nil
	})
	if err != nil {
		return objectstore.ObjectInfo{}, mapErr(err, ref.Bucket, ref.Key, ref.VersionID)
	}
	return info(bucket.Versioning, v, attrs), nil
}

// PutObjectTagging implements objectstore.Store.
func (s *Store) PutObjectTagging(ctx context.Context, ref objectstore.ObjectRef, tags []objectstore.Tag) (objectstore.ObjectInfo, error) {
	if err := objectstore.ValidateObjectTags(tags); err != nil {
		return objectstore.ObjectInfo{}, err
	}
	return s.updateObject(ctx, ref, func(_ objectstore.Bucket, _ *store.ObjectVersion, a *versionAttrs) error {
		a.Tags = tags
		if len(tags) == 0 {
			a.Tags = nil
		}
		return nil
	})
}

// PutObjectACL implements objectstore.Store.
func (s *Store) PutObjectACL(ctx context.Context, ref objectstore.ObjectRef, acl objectstore.ACL) (objectstore.ObjectInfo, error) {
	if err := objectstore.ValidateACL(acl); err != nil {
		return objectstore.ObjectInfo{}, err
	}
	return s.updateObject(ctx, ref, func(_ objectstore.Bucket, _ *store.ObjectVersion, a *versionAttrs) error {
		a.ACL = aclFor(acl, a.Owner)
		return nil
	})
}

// PutObjectLegalHold implements objectstore.Store.
func (s *Store) PutObjectLegalHold(ctx context.Context, ref objectstore.ObjectRef, on bool) (objectstore.ObjectInfo, error) {
	return s.updateObject(ctx, ref, func(b objectstore.Bucket, _ *store.ObjectVersion, a *versionAttrs) error {
		if b.ObjectLock == nil {
			return objectstore.ErrInvalidRequest("Bucket is missing Object Lock Configuration")
		}
		a.LegalHold = on
		return nil
	})
}

// PutObjectRetention implements objectstore.Store.
func (s *Store) PutObjectRetention(ctx context.Context, ref objectstore.ObjectRef, r objectstore.Retention, bypass bool) (objectstore.ObjectInfo, error) {
	now := s.now()
	if r.Mode != "" && r.Mode != objectstore.LockGovernance && r.Mode != objectstore.LockCompliance {
		return objectstore.ObjectInfo{}, objectstore.ErrMalformedXML()
	}
	if (r.Mode == "") != r.RetainUntil.IsZero() {
		return objectstore.ObjectInfo{}, objectstore.ErrMalformedXML()
	}
	if r.Mode != "" && !r.RetainUntil.After(now) {
		return objectstore.ObjectInfo{}, objectstore.ErrInvalidArgument("The retain until date must be in the future!",
			"RetainUntilDate", r.RetainUntil.UTC().Format(time.RFC3339))
	}
	return s.updateObject(ctx, ref, func(b objectstore.Bucket, _ *store.ObjectVersion, a *versionAttrs) error {
		if b.ObjectLock == nil {
			return objectstore.ErrInvalidRequest("Bucket is missing Object Lock Configuration")
		}
		if err := retentionChange(a.Retention, r, now, bypass); err != nil {
			return err
		}
		a.Retention = r
		return nil
	})
}

// retentionChange applies Object Lock's rules to a change of retention
// (Amazon S3 User Guide, "Retention modes"): COMPLIANCE can only be
// extended, never shortened, removed or weakened to GOVERNANCE; GOVERNANCE
// can be extended, and shortened, removed or changed only with
// x-amz-bypass-governance-retention.
func retentionChange(cur, next objectstore.Retention, now time.Time, bypass bool) error {
	if !cur.Active(now) {
		return nil
	}
	denied := objectstore.ErrAccessDenied("Access Denied because object protected by object lock.")
	extends := next.Mode != "" && !next.RetainUntil.Before(cur.RetainUntil)
	switch cur.Mode {
	case objectstore.LockCompliance:
		if next.Mode != objectstore.LockCompliance || !extends {
			return denied
		}
	case objectstore.LockGovernance:
		if !bypass && !extends {
			return denied
		}
	}
	return nil
}

// RestoreObject implements objectstore.Store.
func (s *Store) RestoreObject(ctx context.Context, in objectstore.RestoreObjectInput) (objectstore.RestoreResult, error) {
	now := s.now()
	var already bool
	oi, err := s.updateObject(ctx, in.ObjectRef, func(_ objectstore.Bucket, v *store.ObjectVersion, a *versionAttrs) error {
		next, readable, err := s.restore.Start(now, v.StorageClass, a.Restore, in.Days, in.Tier)
		if err != nil {
			return err
		}
		a.Restore, already = next, readable
		return nil
	})
	if err != nil {
		return objectstore.RestoreResult{}, err
	}
	return objectstore.RestoreResult{AlreadyRestored: already, Object: oi}, nil
}

// UpdateObjectEncryption implements objectstore.Store.
func (s *Store) UpdateObjectEncryption(ctx context.Context, ref objectstore.ObjectRef, enc objectstore.Encryption) (objectstore.ObjectInfo, error) {
	if enc.Algorithm != objectstore.SSES3 && enc.Algorithm != objectstore.SSEKMS {
		return objectstore.ObjectInfo{}, objectstore.ErrInvalidRequest("The encryption type is not supported for this operation.")
	}
	return s.updateObject(ctx, ref, func(_ objectstore.Bucket, _ *store.ObjectVersion, a *versionAttrs) error {
		switch a.Encryption.Algorithm {
		case objectstore.SSES3, objectstore.SSEKMS:
		default:
			return objectstore.ErrInvalidRequest("The object is not encrypted with SSE-S3 or SSE-KMS, so its encryption cannot be updated.")
		}
		a.Encryption = enc
		return nil
	})
}

// PutObjectReplicationStatus implements objectstore.Store.
func (s *Store) PutObjectReplicationStatus(ctx context.Context, ref objectstore.ObjectRef, status string) (objectstore.ObjectInfo, error) {
	switch status {
	case "", "PENDING", "COMPLETED", "FAILED", "REPLICA":
	default:
		return objectstore.ObjectInfo{}, objectstore.ErrInvalidArgument("Invalid replication status", "ReplicationStatus", status)
	}
	return s.updateObject(ctx, ref, func(_ objectstore.Bucket, _ *store.ObjectVersion, a *versionAttrs) error {
		a.Replication = status
		return nil
	})
}
